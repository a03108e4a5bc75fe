import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DirReportStore } from '../../../../lambdas/audit/report/dir-report-store';
import { ReportStoreError, type ReportStore } from '../../../../lambdas/audit/report/report-store';
import { ReportFormatError, type AssociationRow } from '../../../../lambdas/audit/report/rows';
import { ReportIntegrityError, serializeRunSummary } from '../../../../lambdas/audit/report/summary';
import {
  PreviousSnapshotError,
  readPreviousSnapshot,
  writeReport,
} from '../../../../lambdas/audit/report/write-report';
import { DT, RUN_ID, sampleRows, sampleSummary } from './row-fixtures';

const PREFIX = 'audit/';

/** Records puts and gets, can fail a chosen key, keeps objects in memory. */
class MemoryStore implements ReportStore {
  readonly objects = new Map<string, Buffer>();
  readonly puts: { key: string; contentType: string; contentEncoding?: string }[] = [];
  /** Every call in order, e.g. `put audit/latest/run.json`. */
  readonly calls: string[] = [];
  constructor(
    private readonly failOn?: (key: string) => boolean,
    private readonly failGetOn?: (key: string) => boolean,
  ) {}
  async put(key: string, body: Buffer, contentType: string, contentEncoding?: string): Promise<void> {
    this.calls.push(`put ${key}`);
    if (this.failOn?.(key)) throw new ReportStoreError(`Cannot write mem/${key}: boom`, key);
    this.puts.push({ key, contentType, ...(contentEncoding ? { contentEncoding } : {}) });
    this.objects.set(key, body);
  }
  async get(key: string): Promise<Buffer | null> {
    this.calls.push(`get ${key}`);
    if (this.failGetOn?.(key)) throw new ReportStoreError(`Cannot read mem/${key}: boom`, key);
    return this.objects.get(key) ?? null;
  }
  describe(): string {
    return 'mem';
  }
}

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
  const { rows } = sampleRows(runId, '2026-11-26T02:00:00.000Z', previousRows);
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
    const written = await writeReport(store, PREFIX, c);
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
    const dated = await readFile(join(root, written.associationsKey));
    expect(gunzipSync(dated).toString().trim().split('\n')).toHaveLength(c.rows.length);
    const latest = JSON.parse(await readFile(join(root, written.latestRunKey), 'utf8'));
    expect(latest).toEqual(c.summary);
    // The pointer: latest's report_key names the dated associations object.
    expect(latest.report_key).toBe(written.associationsKey);
    expect(await readFile(join(root, written.runKey))).toEqual(await readFile(join(root, written.latestRunKey)));
  });

  it('puts in order with the right content types, reading latest just before writing it last', async () => {
    const store = new MemoryStore();
    await writeReport(store, PREFIX, content());
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
    const store = new MemoryStore((key) => key.includes('/runs/'));
    await expect(writeReport(store, PREFIX, content())).rejects.toThrow(ReportStoreError);
    expect([...store.objects.keys()]).toEqual(['audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz']);
  });

  it('does not touch latest when the associations object fails', async () => {
    const store = new MemoryStore((key) => key.includes('/associations/'));
    await expect(writeReport(store, PREFIX, content())).rejects.toThrow(ReportStoreError);
    expect(store.objects.size).toBe(0);
  });

  it('keeps the previous latest when the dated writes fail', async () => {
    const store = new MemoryStore();
    await writeReport(store, PREFIX, content());
    const before = new Map(store.objects);
    const failing = Object.assign(new MemoryStore((key) => key.includes('/runs/')), { objects: store.objects });
    await expect(writeReport(failing, PREFIX, content('20261127T020000Z', '2026-11-27'))).rejects.toThrow(
      ReportStoreError,
    );
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
        await writeReport(store, PREFIX, first);
        const latestBefore = store.objects.get('audit/latest/run.json');
        const failing = Object.assign(new MemoryStore(failPut, failGet), { objects: store.objects });
        await expect(writeReport(failing, PREFIX, content(RUN_2, '2026-11-27', first.rows, RUN_1))).rejects.toThrow(
          ReportStoreError,
        );

        expect([...store.objects.keys()].filter((k) => k.startsWith('audit/latest/'))).toEqual([
          'audit/latest/run.json',
        ]);
        expect(store.objects.get('audit/latest/run.json')).toEqual(latestBefore);
        // A retry of the second run compares against the first, whole.
        expect(await readPreviousSnapshot(store, PREFIX, RUN_2)).toEqual({ runId: RUN_1, rows: first.rows });
      },
    );

    it('writes no latest object besides run.json', async () => {
      const store = new MemoryStore();
      await writeReport(store, PREFIX, content(RUN_1, '2026-11-26'));
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
      await writeReport(store, PREFIX, manual);
      const latestBefore = store.objects.get('audit/latest/run.json');

      // An async retry of the 02:00 schedule finishes after the 09:30 manual run.
      const retried = content(SCHEDULED, '2026-11-26');
      const written = await writeReport(store, PREFIX, retried);

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
      expect(await readPreviousSnapshot(store, PREFIX, NEXT_DAY)).toEqual({ runId: MANUAL_LATER, rows: manual.rows });
    });

    it('advances over an older run and overwrites the same run (a retry)', async () => {
      const store = new MemoryStore();
      await writeReport(store, PREFIX, content(SCHEDULED, '2026-11-26'));
      // The same second, manual: sorts after the scheduled id.
      expect(
        (await writeReport(store, PREFIX, content('20261126T020000Z-manual-000000', '2026-11-26'))).latestAdvanced,
      ).toBe(true);
      expect((await writeReport(store, PREFIX, content(NEXT_DAY, '2026-11-27'))).latestAdvanced).toBe(true);
      expect((await writeReport(store, PREFIX, content(NEXT_DAY, '2026-11-27'))).latestAdvanced).toBe(true);
      expect(store.puts.filter((p) => p.key === 'audit/latest/run.json')).toHaveLength(4);
      expect(JSON.parse(store.objects.get('audit/latest/run.json')!.toString()).run_id).toBe(NEXT_DAY);
    });

    it('does not move latest for a run a day older either', async () => {
      const store = new MemoryStore();
      await writeReport(store, PREFIX, content(NEXT_DAY, '2026-11-27'));
      const written = await writeReport(store, PREFIX, content(SCHEDULED, '2026-11-26'));
      expect(written).toMatchObject({ latestAdvanced: false, latestRunId: NEXT_DAY });
      expect(JSON.parse(store.objects.get('audit/latest/run.json')!.toString()).run_id).toBe(NEXT_DAY);
    });

    it('fails loudly, after the dated objects, when latest names something that is not a run id', async () => {
      const store = new MemoryStore();
      const c = content();
      store.objects.set('audit/latest/run.json', serializeRunSummary({ ...c.summary, run_id: 'zzz' }));
      await expect(writeReport(store, PREFIX, c)).rejects.toThrow(PreviousSnapshotError);
      await expect(writeReport(store, PREFIX, c)).rejects.toThrow(
        'mem/audit/latest/run.json names "zzz", which is not a run id',
      );
      expect(store.puts.map((p) => p.key)).not.toContain('audit/latest/run.json');
    });
  });

  it('writes nothing when rows, summary and run id disagree', async () => {
    const store = new MemoryStore();
    const c = content();
    await expect(writeReport(store, PREFIX, { ...c, runId: '20261127T020000Z' })).rejects.toThrow(ReportIntegrityError);
    await expect(writeReport(store, PREFIX, { ...c, rows: c.rows.slice(1) })).rejects.toThrow(
      /summary reports 7 targets but 6 rows/,
    );
    await expect(writeReport(store, 'other/', c)).rejects.toThrow(/report_key/);
    await expect(
      writeReport(store, PREFIX, { ...c, rows: c.rows.map((r, i) => (i === 2 ? { ...r, run_id: 'x' } : r)) }),
    ).rejects.toThrow(/belongs to run x/);
    await expect(writeReport(store, PREFIX, { ...c, dt: '2026-11-27' })).rejects.toThrow(
      'run id 20261126T020000Z does not encode the date 2026-11-27',
    );
    expect(store.objects.size).toBe(0);
  });
});

describe('readPreviousSnapshot', () => {
  const RUN_1 = '20261125T020000Z';
  const RUN_2 = '20261126T020000Z';
  const RUN_3 = '20261127T020000Z';

  async function seeded() {
    const store = new MemoryStore();
    const first = content(RUN_1, '2026-11-25');
    await writeReport(store, PREFIX, first);
    const second = content(RUN_2, '2026-11-26', first.rows, RUN_1);
    await writeReport(store, PREFIX, second);
    return { store, first, second };
  }

  it('returns null before the first run', async () => {
    expect(await readPreviousSnapshot(new MemoryStore(), PREFIX, RUN_1)).toBeNull();
  });

  it('returns the latest run for a new run', async () => {
    const { store, second } = await seeded();
    expect(await readPreviousSnapshot(store, PREFIX, RUN_3)).toEqual({ runId: RUN_2, rows: second.rows });
  });

  it('for a retried run that already wrote latest, returns the run before it from its dated object', async () => {
    const { store, first } = await seeded();
    store.objects.delete('audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz'); // proves latest's own rows are not used
    expect(await readPreviousSnapshot(store, PREFIX, RUN_2)).toEqual({ runId: RUN_1, rows: first.rows });
  });

  it('for a late retry of an older run, never compares forward in time', async () => {
    const { store, first } = await seeded();
    await writeReport(store, PREFIX, content(RUN_3, '2026-11-27'));
    // RUN_2 wrote its dated run object before: its history stays against RUN_1.
    expect(await readPreviousSnapshot(store, PREFIX, RUN_2)).toEqual({ runId: RUN_1, rows: first.rows });
    // A run older than latest that never wrote anything has nothing to compare with.
    expect(await readPreviousSnapshot(store, PREFIX, '20261126T120000Z-manual-abcdef')).toBeNull();
  });

  it('for a retried first run, returns null', async () => {
    const store = new MemoryStore();
    await writeReport(store, PREFIX, content(RUN_1, '2026-11-25'));
    expect(await readPreviousSnapshot(store, PREFIX, RUN_1)).toBeNull();
  });

  it('finds a manual previous run by the date its id encodes', async () => {
    const store = new MemoryStore();
    const manual = '20261125T101010Z-manual-0a1b2c';
    const m = content(manual, '2026-11-25');
    await writeReport(store, PREFIX, m);
    await writeReport(store, PREFIX, content(RUN_2, '2026-11-26', m.rows, manual));
    expect(await readPreviousSnapshot(store, PREFIX, RUN_2)).toEqual({ runId: manual, rows: m.rows });
  });

  it('follows latest/run.json to the dated object its report_key names', async () => {
    const { store, second } = await seeded();
    const latestRunKey = 'audit/latest/run.json';
    expect(JSON.parse(store.objects.get(latestRunKey)!.toString()).report_key).toBe(
      'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
    );
    // Only latest/run.json and the dated associations object are read.
    store.calls.length = 0;
    expect(await readPreviousSnapshot(store, PREFIX, RUN_3)).toEqual({ runId: RUN_2, rows: second.rows });
    expect(store.calls).toEqual([
      `get ${latestRunKey}`,
      'get audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
    ]);
  });

  it.each([
    ['another run', 'audit/associations/dt=2026-11-25/20261125T020000Z.jsonl.gz'],
    ['another prefix', 'other/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz'],
    ['no prefix', 'associations/dt=2026-11-26/20261126T020000Z.jsonl.gz'],
    ['another date', 'audit/associations/dt=2026-11-27/20261126T020000Z.jsonl.gz'],
    ['a path out of the layout', 'audit/associations/dt=2026-11-26/../../../etc/passwd'],
  ])('throws PreviousSnapshotError when latest report_key points at %s', async (_what, reportKey) => {
    const { store } = await seeded();
    const latest = JSON.parse(store.objects.get('audit/latest/run.json')!.toString());
    store.objects.set(
      'audit/latest/run.json',
      Buffer.from(`${JSON.stringify({ ...latest, report_key: reportKey })}\n`),
    );
    store.calls.length = 0;
    for (const current of [RUN_3, RUN_2]) {
      await expect(readPreviousSnapshot(store, PREFIX, current)).rejects.toThrow(PreviousSnapshotError);
      await expect(readPreviousSnapshot(store, PREFIX, current)).rejects.toThrow(
        `mem/audit/latest/run.json names run 20261126T020000Z with report_key ${JSON.stringify(reportKey)}, expected audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz`,
      );
    }
    // The pointer was not followed.
    expect(store.calls.every((c) => c === 'get audit/latest/run.json')).toBe(true);
  });

  it('throws PreviousSnapshotError when latest names something that is not a run id', async () => {
    const { store } = await seeded();
    const latest = JSON.parse(store.objects.get('audit/latest/run.json')!.toString());
    store.objects.set('audit/latest/run.json', Buffer.from(`${JSON.stringify({ ...latest, run_id: '../x' })}\n`));
    await expect(readPreviousSnapshot(store, PREFIX, RUN_3)).rejects.toThrow(
      'Previous run id "../x" does not encode a date',
    );
  });

  it('reads the same prefix however it is spelled', async () => {
    const { store, second } = await seeded();
    expect(await readPreviousSnapshot(store, '/audit//', RUN_3)).toEqual({ runId: RUN_2, rows: second.rows });
  });

  it('throws PreviousSnapshotError when the dated object latest names is gone', async () => {
    const { store } = await seeded();
    store.objects.delete('audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz');
    await expect(readPreviousSnapshot(store, PREFIX, RUN_3)).rejects.toThrow(
      'Previous run 20261126T020000Z: mem/audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz does not exist',
    );
  });

  it('throws PreviousSnapshotError when the previous run object is gone', async () => {
    const { store } = await seeded();
    store.objects.delete('audit/associations/dt=2026-11-25/20261125T020000Z.jsonl.gz');
    await expect(readPreviousSnapshot(store, PREFIX, RUN_2)).rejects.toThrow(PreviousSnapshotError);
    await expect(readPreviousSnapshot(store, PREFIX, RUN_2)).rejects.toThrow(
      'Previous run 20261125T020000Z: mem/audit/associations/dt=2026-11-25/20261125T020000Z.jsonl.gz does not exist',
    );
  });

  it('throws ReportFormatError on a corrupt latest/run.json', async () => {
    const { store } = await seeded();
    store.objects.set('audit/latest/run.json', Buffer.from('{'));
    await expect(readPreviousSnapshot(store, PREFIX, RUN_3)).rejects.toThrow(ReportFormatError);
    await expect(readPreviousSnapshot(store, PREFIX, RUN_3)).rejects.toThrow(
      'mem/audit/latest/run.json: not valid JSON',
    );
  });

  it('reads what a directory store wrote', async () => {
    const root = await mkdtemp(join(tmpdir(), 'read-previous-'));
    try {
      const store = new DirReportStore(root);
      const first = content(RUN_1, '2026-11-25');
      await writeReport(store, PREFIX, first);
      expect(await readPreviousSnapshot(store, PREFIX, RUN_2)).toEqual({ runId: RUN_1, rows: first.rows });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
