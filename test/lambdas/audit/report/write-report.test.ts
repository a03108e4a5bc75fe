import { signedSummaryBody } from '../../../support/signed-objects';
import { MAC_PATTERN } from '../../../../lambdas/audit/store/object-mac';
import { TEST_MAC } from '../../../support/local-mac';
import { normalizeReportPrefix } from '../../../../lambdas/audit/input-validators';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DirReportStore } from '../../../../lambdas/audit/store/dir-report-store';
import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { parseRunSummary, serializeRunSummary, type RunSummary } from '../../../../lambdas/audit/report/summary';
import { writeReport } from '../../../../lambdas/audit/report/write-report';
import { readPreviousRun, type PreviousRunRead } from '../../../../lambdas/audit/history/read-previous';
import { toPreviousRun } from '../../../../lambdas/audit/history/previous-run';
import { DT, RUN_ID, runTimeOf, sampleRows, sampleSummary } from './row-fixtures';
import { MemoryStore } from '../../../support/memory-store';
import { ReportStoreError, ReportIntegrityError } from '../../../../lambdas/audit/errors';

/** The clock of these tests: after every run they write. */
const NOW = Date.parse('2026-11-28T00:00:00.000Z');
const NONE: PreviousRunRead = { status: 'NONE', reason: null, snapshot: null, rows: null };
const ok = (runId: string, rows: readonly AssociationRow[]): PreviousRunRead => ({
  status: 'OK',
  reason: null,
  snapshot: toPreviousRun(runId, rows),
  rows,
});

const PREFIX = 'audit/';

/** Records puts and gets, can fail a chosen key, keeps objects in memory. */

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function content(
  runId = RUN_ID,
  dt = DT,
  previousRows: AssociationRow[] | null = null,
  previousRunId: string | null = null,
) {
  const { rows } = sampleRows(runId, runTimeOf(runId), previousRows);
  return { rows, summary: sampleSummary(rows, runId, previousRunId, dt), runId, dt };
}

describe('writeReport', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'write-report-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes the dated objects, then latest/run.json, in the schema layout of a directory', async () => {
    const store = new DirReportStore(root);
    const c = content();
    const written = await writeReport(store, PREFIX, c, NOW, TEST_MAC);
    expect(written).toEqual({
      associationsKey: 'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
      runKey: 'audit/runs/dt=2026-11-26/20261126T020000Z.json',
      htmlKey: 'audit/html/dt=2026-11-26/20261126T020000Z.html',
      latestRunKey: 'audit/latest/run.json',
      latestAdvanced: true,
      latestRunId: RUN_ID,
    });
    expect(await listFiles(root)).toEqual([
      'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
      'audit/html/dt=2026-11-26/20261126T020000Z.html',
      'audit/latest/run.json',
      'audit/runs/dt=2026-11-26/20261126T020000Z.json',
    ]);
    const rowsBody = await readFile(join(root, written.associationsKey));
    expect(gunzipSync(rowsBody).toString().trim().split('\n')).toHaveLength(c.rows.length);
    const latest = JSON.parse(await readFile(join(root, written.latestRunKey), 'utf8')) as RunSummary;
    expect(latest).toEqual({ ...c.summary, mac: expect.stringMatching(MAC_PATTERN) as string });
    // The pointer: latest's report_key names the dated associations object.
    expect(latest.report_key).toBe(written.associationsKey);
    // The same summary, each signed for its own key and kind: one cannot stand in for the other.
    const dated = JSON.parse(await readFile(join(root, written.runKey), 'utf8')) as RunSummary;
    expect({ ...dated, mac: null }).toEqual({ ...latest, mac: null });
    expect(dated.mac).toMatch(MAC_PATTERN);
    expect(dated.mac).not.toBe(latest.mac);
  });

  it('puts in order with the right content types, reading latest just before writing it last', async () => {
    const store = new MemoryStore();
    await writeReport(store, PREFIX, content(), NOW, TEST_MAC);
    expect(store.puts).toEqual([
      { key: 'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz', contentType: 'application/gzip' },
      { key: 'audit/runs/dt=2026-11-26/20261126T020000Z.json', contentType: 'application/json' },
      { key: 'audit/html/dt=2026-11-26/20261126T020000Z.html', contentType: 'text/html; charset=utf-8' },
      { key: 'audit/latest/run.json', contentType: 'application/json' },
    ]);
    expect(store.calls).toEqual([
      'put audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
      'put audit/runs/dt=2026-11-26/20261126T020000Z.json',
      'put audit/html/dt=2026-11-26/20261126T020000Z.html',
      'get audit/latest/run.json',
      'put audit/latest/run.json',
    ]);
  });

  it('does not touch latest when the runs object fails', async () => {
    const store = new MemoryStore(undefined, { put: (key) => key.includes('/runs/') });
    await expect(writeReport(store, PREFIX, content(), NOW, TEST_MAC)).rejects.toThrow(ReportStoreError);
    expect([...store.objects.keys()]).toEqual(['audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz']);
  });

  it('does not touch latest when the associations object fails', async () => {
    const store = new MemoryStore(undefined, { put: (key) => key.includes('/associations/') });
    await expect(writeReport(store, PREFIX, content(), NOW, TEST_MAC)).rejects.toThrow(ReportStoreError);
    expect(store.objects.size).toBe(0);
  });

  it('keeps the previous latest when the dated writes fail', async () => {
    const store = new MemoryStore();
    await writeReport(store, PREFIX, content(), NOW, TEST_MAC);
    const before = new Map(store.objects);
    const failing = Object.assign(new MemoryStore(undefined, { put: (key) => key.includes('/runs/') }), {
      objects: store.objects,
    });
    await expect(
      writeReport(failing, PREFIX, content('20261127T020000Z', '2026-11-27'), NOW, TEST_MAC),
    ).rejects.toThrow(ReportStoreError);
    expect(store.objects.get('audit/latest/run.json')).toEqual(before.get('audit/latest/run.json'));
  });

  describe('latest/ cannot be half advanced', () => {
    const RUN_1 = '20261126T020000Z';
    const RUN_2 = '20261127T020000Z';

    // Every way the second run's write can stop: each PUT, and the read of latest before its PUT.
    it.each([
      ['the dated associations PUT', (key: string) => key.includes('/associations/dt=2026-11-27/'), undefined],
      ['the dated run PUT', (key: string) => key.includes('/runs/dt=2026-11-27/'), undefined],
      ['the latest/run.json PUT', (key: string) => key.endsWith('latest/run.json'), undefined],
      ['the read of latest/run.json', undefined, (key: string) => key.endsWith('latest/run.json')],
    ])(
      'when %s fails, latest/ is exactly the previous run and its snapshot is intact',
      async (_what, failPut, failGet) => {
        const store = new MemoryStore();
        const first = content(RUN_1, '2026-11-26');
        await writeReport(store, PREFIX, first, NOW, TEST_MAC);
        const latestBefore = store.objects.get('audit/latest/run.json');
        const failing = Object.assign(new MemoryStore(undefined, { put: failPut, get: failGet }), {
          objects: store.objects,
        });
        await expect(
          writeReport(failing, PREFIX, content(RUN_2, '2026-11-27', first.rows, RUN_1), NOW, TEST_MAC),
        ).rejects.toThrow(ReportStoreError);

        expect([...store.objects.keys()].filter((k) => k.startsWith('audit/latest/'))).toEqual([
          'audit/latest/run.json',
        ]);
        expect(store.objects.get('audit/latest/run.json')).toEqual(latestBefore);
        // A retry of the second run compares against the first, whole.
        expect(await readPreviousRun(store, PREFIX, RUN_2, NOW, TEST_MAC)).toEqual(ok(RUN_1, first.rows));
      },
    );

    it('writes no latest object besides run.json', async () => {
      const store = new MemoryStore();
      await writeReport(store, PREFIX, content(RUN_1, '2026-11-26'), NOW, TEST_MAC);
      expect(store.puts.map((p) => p.key).filter((k) => k.startsWith('audit/latest/'))).toEqual([
        'audit/latest/run.json',
      ]);
    });
  });

  describe('latest/ never moves backwards', () => {
    const SCHEDULED = '20261126T020000Z';
    const MANUAL_LATER = '20261126T093000Z-manual-0a1b2c';
    const NEXT_DAY = '20261127T020000Z';

    it('leaves a newer latest alone, still writes the dated objects, and says so', async () => {
      const store = new MemoryStore();
      const manual = content(MANUAL_LATER, '2026-11-26');
      await writeReport(store, PREFIX, manual, NOW, TEST_MAC);
      const latestBefore = store.objects.get('audit/latest/run.json');

      // An async retry of the 02:00 schedule finishes after the 09:30 manual run.
      const retried = content(SCHEDULED, '2026-11-26');
      const written = await writeReport(store, PREFIX, retried, NOW, TEST_MAC);

      expect(written).toEqual({
        associationsKey: 'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
        runKey: 'audit/runs/dt=2026-11-26/20261126T020000Z.json',
        htmlKey: 'audit/html/dt=2026-11-26/20261126T020000Z.html',
        latestRunKey: 'audit/latest/run.json',
        latestAdvanced: false,
        latestRunId: MANUAL_LATER,
      });
      expect(store.objects.get('audit/latest/run.json')).toEqual(latestBefore);
      expect(store.objects.has(written.associationsKey)).toBe(true);
      expect(store.objects.has(written.runKey)).toBe(true);
      expect(store.puts.filter((p) => p.key === 'audit/latest/run.json')).toHaveLength(1);
      // The next run still compares against the newest one.
      expect(await readPreviousRun(store, PREFIX, NEXT_DAY, NOW, TEST_MAC)).toEqual(ok(MANUAL_LATER, manual.rows));
    });

    it('advances over an older run and overwrites the same run (a retry)', async () => {
      const store = new MemoryStore();
      await writeReport(store, PREFIX, content(SCHEDULED, '2026-11-26'), NOW, TEST_MAC);
      // The same second, manual: sorts after the scheduled id.
      expect(
        (await writeReport(store, PREFIX, content('20261126T020000Z-manual-000000', '2026-11-26'), NOW, TEST_MAC))
          .latestAdvanced,
      ).toBe(true);
      expect((await writeReport(store, PREFIX, content(NEXT_DAY, '2026-11-27'), NOW, TEST_MAC)).latestAdvanced).toBe(
        true,
      );
      expect((await writeReport(store, PREFIX, content(NEXT_DAY, '2026-11-27'), NOW, TEST_MAC)).latestAdvanced).toBe(
        true,
      );
      expect(store.puts.filter((p) => p.key === 'audit/latest/run.json')).toHaveLength(4);
      expect(parseRunSummary(store.objects.get('audit/latest/run.json')!).run_id).toBe(NEXT_DAY);
    });

    it('does not move latest for a run a day older either', async () => {
      const store = new MemoryStore();
      await writeReport(store, PREFIX, content(NEXT_DAY, '2026-11-27'), NOW, TEST_MAC);
      const written = await writeReport(store, PREFIX, content(SCHEDULED, '2026-11-26'), NOW, TEST_MAC);
      expect(written).toMatchObject({ latestAdvanced: false, latestRunId: NEXT_DAY });
      expect(parseRunSummary(store.objects.get('audit/latest/run.json')!).run_id).toBe(NEXT_DAY);
    });

    it.each([
      ['not a run id', (c: RunSummary) => serializeRunSummary({ ...c, run_id: 'zzz' }), /run_id: expected a run id/],
      ['not JSON', () => Buffer.from('{'), /not valid JSON/],
      ['not signed', (c: RunSummary) => serializeRunSummary(c), /latest\/run\.json is not authenticated/],
      [
        'a run from the future',
        (c: RunSummary) =>
          signedSummaryBody(
            {
              ...c,
              run_id: '20271126T020000Z',
              audited_at: '2027-11-26T02:00:00.000Z',
              report_key: 'audit/associations/dt=2027-11-26/20271126T020000Z.jsonl.gz',
            },
            'audit/latest/run.json',
          ),
        /20271126T020000Z at 2027-11-26T02:00:00.000Z, more than 60 minutes in the future/,
      ],
    ])('replaces a latest/run.json that cannot be trusted (%s) and says why', async (_what, latest, reason) => {
      const store = new MemoryStore();
      const c = content();
      store.objects.set('audit/latest/run.json', await latest(c.summary));
      const written = await writeReport(store, PREFIX, c, NOW, TEST_MAC);
      expect(written).toMatchObject({ latestAdvanced: true, latestRunId: RUN_ID });
      expect(written.replacedUntrustedLatest).toMatch(reason);
      expect(parseRunSummary(store.objects.get('audit/latest/run.json')!).run_id).toBe(RUN_ID);
    });

    it('a run time just inside the allowed skew still counts as a newer run', async () => {
      const store = new MemoryStore();
      const soon = '20261128T005900Z'; // 59 minutes after NOW
      await writeReport(store, PREFIX, content(soon, '2026-11-28'), NOW, TEST_MAC);
      expect(await writeReport(store, PREFIX, content(), NOW, TEST_MAC)).toMatchObject({
        latestAdvanced: false,
        latestRunId: soon,
      });
    });
  });

  it('writes nothing when rows, summary and run id disagree', async () => {
    const store = new MemoryStore();
    const c = content();
    await expect(writeReport(store, PREFIX, { ...c, runId: '20261127T020000Z' }, NOW, TEST_MAC)).rejects.toThrow(
      ReportIntegrityError,
    );
    await expect(writeReport(store, PREFIX, { ...c, rows: c.rows.slice(1) }, NOW, TEST_MAC)).rejects.toThrow(
      /summary reports 7 targets but 6 rows/,
    );
    await expect(writeReport(store, 'other/', c, NOW, TEST_MAC)).rejects.toThrow(/report_key/);
    await expect(
      writeReport(
        store,
        PREFIX,
        { ...c, rows: c.rows.map((r, i) => (i === 2 ? { ...r, run_id: 'x' } : r)) },
        NOW,
        TEST_MAC,
      ),
    ).rejects.toThrow(/belongs to run x/);
    await expect(writeReport(store, PREFIX, { ...c, dt: '2026-11-27' }, NOW, TEST_MAC)).rejects.toThrow(
      'run id 20261126T020000Z does not encode the date 2026-11-27',
    );
    expect(store.objects.size).toBe(0);
  });
});

describe('readPreviousRun', () => {
  const RUN_1 = '20261125T020000Z';
  const RUN_2 = '20261126T020000Z';
  const RUN_3 = '20261127T020000Z';

  async function seeded() {
    const store = new MemoryStore();
    const first = content(RUN_1, '2026-11-25');
    await writeReport(store, PREFIX, first, NOW, TEST_MAC);
    const second = content(RUN_2, '2026-11-26', first.rows, RUN_1);
    await writeReport(store, PREFIX, second, NOW, TEST_MAC);
    return { store, first, second };
  }

  it('returns NONE before the first run', async () => {
    expect(await readPreviousRun(new MemoryStore(), PREFIX, RUN_1, NOW, TEST_MAC)).toEqual(NONE);
  });

  it('returns the latest run for a new run', async () => {
    const { store, second } = await seeded();
    expect(await readPreviousRun(store, PREFIX, RUN_3, NOW, TEST_MAC)).toEqual(ok(RUN_2, second.rows));
  });

  it('for a retried run that already wrote latest, returns the run before it from its dated object', async () => {
    const { store, first } = await seeded();
    store.objects.delete('audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz'); // proves latest's own rows are not used
    expect(await readPreviousRun(store, PREFIX, RUN_2, NOW, TEST_MAC)).toEqual(ok(RUN_1, first.rows));
  });

  it('for a late retry of an older run, never compares forward in time', async () => {
    const { store, first } = await seeded();
    await writeReport(store, PREFIX, content(RUN_3, '2026-11-27'), NOW, TEST_MAC);
    // RUN_2 wrote its dated run object before: its history stays against RUN_1.
    expect(await readPreviousRun(store, PREFIX, RUN_2, NOW, TEST_MAC)).toEqual(ok(RUN_1, first.rows));
    // A run older than latest that never wrote anything has nothing to compare with.
    expect(await readPreviousRun(store, PREFIX, '20261126T120000Z-manual-abcdef', NOW, TEST_MAC)).toEqual(NONE);
  });

  it('for a retried first run, returns NONE', async () => {
    const store = new MemoryStore();
    await writeReport(store, PREFIX, content(RUN_1, '2026-11-25'), NOW, TEST_MAC);
    expect(await readPreviousRun(store, PREFIX, RUN_1, NOW, TEST_MAC)).toEqual(NONE);
  });

  it('finds a manual previous run by the date its id encodes', async () => {
    const store = new MemoryStore();
    const manual = '20261125T101010Z-manual-0a1b2c';
    const m = content(manual, '2026-11-25');
    await writeReport(store, PREFIX, m, NOW, TEST_MAC);
    await writeReport(store, PREFIX, content(RUN_2, '2026-11-26', m.rows, manual), NOW, TEST_MAC);
    expect(await readPreviousRun(store, PREFIX, RUN_2, NOW, TEST_MAC)).toEqual(ok(manual, m.rows));
  });

  it('follows latest/run.json to the dated object its report_key names', async () => {
    const { store, second } = await seeded();
    const latestRunKey = 'audit/latest/run.json';
    expect(parseRunSummary(store.objects.get(latestRunKey)!).report_key).toBe(
      'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
    );
    // Only latest/run.json and the dated associations object are read.
    store.calls.length = 0;
    expect(await readPreviousRun(store, PREFIX, RUN_3, NOW, TEST_MAC)).toEqual(ok(RUN_2, second.rows));
    expect(store.calls).toEqual([
      `get ${latestRunKey}`,
      'get audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
    ]);
  });

  /** An UNTRUSTED verdict whose reason contains `reason`. */
  const untrusted = (reason: string): PreviousRunRead => ({
    status: 'UNTRUSTED',
    reason: expect.stringContaining(reason) as string,
    snapshot: null,
    rows: null,
  });

  it.each([
    ['another run', 'audit/associations/dt=2026-11-25/20261125T020000Z.jsonl.gz'],
    ['another prefix', 'other/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz'],
    ['no prefix', 'associations/dt=2026-11-26/20261126T020000Z.jsonl.gz'],
    ['another date', 'audit/associations/dt=2026-11-27/20261126T020000Z.jsonl.gz'],
    ['a path out of the layout', 'audit/associations/dt=2026-11-26/../../../etc/passwd'],
  ])('does not trust (nor follow) a latest report_key pointing at %s', async (_what, reportKey) => {
    const { store } = await seeded();
    const latest = parseRunSummary(store.objects.get('audit/latest/run.json')!);
    store.objects.set(
      'audit/latest/run.json',
      await signedSummaryBody({ ...latest, report_key: reportKey }, 'audit/latest/run.json'),
    );
    store.calls.length = 0;
    for (const current of [RUN_3, RUN_2]) {
      expect(await readPreviousRun(store, PREFIX, current, NOW, TEST_MAC)).toEqual(
        untrusted(
          `mem/audit/latest/run.json names run 20261126T020000Z with report_key ${JSON.stringify(reportKey)}, expected audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz`,
        ),
      );
    }
    // The pointer was not followed.
    expect(store.calls.every((c) => c === 'get audit/latest/run.json')).toBe(true);
  });

  it('does not trust a latest that names something that is not a run id', async () => {
    const { store } = await seeded();
    const latest = parseRunSummary(store.objects.get('audit/latest/run.json')!);
    store.objects.set('audit/latest/run.json', Buffer.from(`${JSON.stringify({ ...latest, run_id: '../x' })}\n`));
    expect(await readPreviousRun(store, PREFIX, RUN_3, NOW, TEST_MAC)).toEqual(
      untrusted('mem/audit/latest/run.json: run_id: expected a run id'),
    );
  });

  it('reads the same prefix however it is spelled, once its schema has normalized it', async () => {
    const { store, second } = await seeded();
    expect(await readPreviousRun(store, normalizeReportPrefix('/audit//'), RUN_3, NOW, TEST_MAC)).toEqual(
      ok(RUN_2, second.rows),
    );
  });

  it('does not trust history when the dated object latest names is gone', async () => {
    const { store } = await seeded();
    store.objects.delete('audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz');
    expect(await readPreviousRun(store, PREFIX, RUN_3, NOW, TEST_MAC)).toEqual(
      untrusted(
        'previous run 20261126T020000Z: mem/audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz does not exist',
      ),
    );
  });

  it('does not trust history when the previous run object of a retry is gone', async () => {
    const { store } = await seeded();
    store.objects.delete('audit/associations/dt=2026-11-25/20261125T020000Z.jsonl.gz');
    expect(await readPreviousRun(store, PREFIX, RUN_2, NOW, TEST_MAC)).toEqual(
      untrusted(
        'previous run 20261125T020000Z: mem/audit/associations/dt=2026-11-25/20261125T020000Z.jsonl.gz does not exist',
      ),
    );
  });

  it('does not trust a corrupt latest/run.json', async () => {
    const { store } = await seeded();
    store.objects.set('audit/latest/run.json', Buffer.from('{'));
    expect(await readPreviousRun(store, PREFIX, RUN_3, NOW, TEST_MAC)).toEqual(
      untrusted('mem/audit/latest/run.json: not valid JSON'),
    );
  });

  it('fails (does not degrade) when the store itself cannot be read: a later attempt may succeed', async () => {
    const { store } = await seeded();
    const failing = Object.assign(new MemoryStore(undefined, { get: (key) => key.endsWith('.jsonl.gz') }), {
      objects: store.objects,
    });
    await expect(readPreviousRun(failing, PREFIX, RUN_3, NOW, TEST_MAC)).rejects.toThrow(ReportStoreError);
  });

  it('reads what a directory store wrote', async () => {
    const root = await mkdtemp(join(tmpdir(), 'read-previous-'));
    try {
      const store = new DirReportStore(root);
      const first = content(RUN_1, '2026-11-25');
      await writeReport(store, PREFIX, first, NOW, TEST_MAC);
      expect(await readPreviousRun(store, PREFIX, RUN_2, NOW, TEST_MAC)).toEqual(ok(RUN_1, first.rows));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
