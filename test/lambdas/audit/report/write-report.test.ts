import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DirReportStore } from '../../../../lambdas/audit/report/dir-report-store';
import { ReportStoreError, type ReportStore } from '../../../../lambdas/audit/report/report-store';
import { ReportFormatError, type AssociationRow } from '../../../../lambdas/audit/report/rows';
import { ReportIntegrityError } from '../../../../lambdas/audit/report/summary';
import { PreviousSnapshotError, readPreviousSnapshot, writeReport } from '../../../../lambdas/audit/report/write-report';
import { DT, RUN_ID, sampleRows, sampleSummary } from './row-fixtures';

const PREFIX = 'audit/';

/** Records puts, can fail a chosen key, keeps objects in memory. */
class MemoryStore implements ReportStore {
  readonly objects = new Map<string, Buffer>();
  readonly puts: { key: string; contentType: string; contentEncoding?: string }[] = [];
  constructor(private readonly failOn?: (key: string) => boolean) {}
  async put(key: string, body: Buffer, contentType: string, contentEncoding?: string): Promise<void> {
    if (this.failOn?.(key)) throw new ReportStoreError(`Cannot write mem/${key}: boom`, key);
    this.puts.push({ key, contentType, ...(contentEncoding ? { contentEncoding } : {}) });
    this.objects.set(key, body);
  }
  async get(key: string): Promise<Buffer | null> {
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

function content(runId = RUN_ID, dt = DT, previousRows: AssociationRow[] | null = null, previousRunId: string | null = null) {
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

  it('writes the dated objects, then latest, in the schema layout of a directory', async () => {
    const store = new DirReportStore(root);
    const c = content();
    const written = await writeReport(store, PREFIX, c);
    expect(written).toEqual({
      associationsKey: 'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
      runKey: 'audit/runs/dt=2026-11-26/20261126T020000Z.json',
      latestAssociationsKey: 'audit/latest/associations.jsonl.gz',
      latestRunKey: 'audit/latest/run.json',
    });
    expect(await listFiles(root)).toEqual([
      'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
      'audit/latest/associations.jsonl.gz',
      'audit/latest/run.json',
      'audit/runs/dt=2026-11-26/20261126T020000Z.json',
    ]);
    const dated = await readFile(join(root, written.associationsKey));
    expect(await readFile(join(root, written.latestAssociationsKey))).toEqual(dated);
    expect(gunzipSync(dated).toString().trim().split('\n')).toHaveLength(c.rows.length);
    expect(JSON.parse(await readFile(join(root, written.latestRunKey), 'utf8'))).toEqual(c.summary);
  });

  it('puts in order with the right content types, latest/run.json last', async () => {
    const store = new MemoryStore();
    await writeReport(store, PREFIX, content());
    expect(store.puts).toEqual([
      { key: 'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz', contentType: 'application/gzip' },
      { key: 'audit/runs/dt=2026-11-26/20261126T020000Z.json', contentType: 'application/json' },
      { key: 'audit/latest/associations.jsonl.gz', contentType: 'application/gzip' },
      { key: 'audit/latest/run.json', contentType: 'application/json' },
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

  it('keeps the previous latest pair when the dated writes fail', async () => {
    const store = new MemoryStore();
    await writeReport(store, PREFIX, content());
    const before = new Map(store.objects);
    const failing = Object.assign(new MemoryStore((key) => key.includes('/runs/')), { objects: store.objects });
    await expect(writeReport(failing, PREFIX, content('20261127T020000Z', '2026-11-27'))).rejects.toThrow(ReportStoreError);
    expect(store.objects.get('audit/latest/run.json')).toEqual(before.get('audit/latest/run.json'));
    expect(store.objects.get('audit/latest/associations.jsonl.gz')).toEqual(before.get('audit/latest/associations.jsonl.gz'));
  });

  it('writes nothing when rows, summary and run id disagree', async () => {
    const store = new MemoryStore();
    const c = content();
    await expect(writeReport(store, PREFIX, { ...c, runId: '20261127T020000Z' })).rejects.toThrow(ReportIntegrityError);
    await expect(writeReport(store, PREFIX, { ...c, rows: c.rows.slice(1) })).rejects.toThrow(/summary reports 7 targets but 6 rows/);
    await expect(writeReport(store, 'other/', c)).rejects.toThrow(/report_key/);
    await expect(writeReport(store, PREFIX, { ...c, rows: c.rows.map((r, i) => (i === 2 ? { ...r, run_id: 'x' } : r)) })).rejects.toThrow(/belongs to run x/);
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
    store.objects.delete('audit/latest/associations.jsonl.gz'); // proves latest's rows are not used
    expect(await readPreviousSnapshot(store, PREFIX, RUN_2)).toEqual({ runId: RUN_1, rows: first.rows });
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

  it('falls back to the dated object when latest/associations is out of step with latest/run.json', async () => {
    const { store, first } = await seeded();
    // A third run wrote latest/associations but failed before latest/run.json: latest still says RUN_2.
    const third = content(RUN_3, '2026-11-27');
    const failing = Object.assign(new MemoryStore((key) => key.endsWith('latest/run.json')), { objects: store.objects });
    await expect(writeReport(failing, PREFIX, third)).rejects.toThrow(ReportStoreError);
    const previous = await readPreviousSnapshot(store, PREFIX, RUN_3);
    expect(previous?.runId).toBe(RUN_2);
    expect(previous?.rows.every((r) => r.run_id === RUN_2)).toBe(true);
    expect(first.rows).toHaveLength(previous!.rows.length);
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
    await expect(readPreviousSnapshot(store, PREFIX, RUN_3)).rejects.toThrow('mem/audit/latest/run.json: not valid JSON');
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
