/**
 * Writing a run's report and reading the previous one.
 *
 * Four PUTs, in this order: the dated associations object, the dated run object, the
 * run's HTML report (html/), then `latest/run.json`. The dated run object is the commit point for Athena (its queries
 * take `max(run_id)` from the `runs` table), so it is written only once the rows it
 * counts exist. `latest/run.json` is the run summary itself and the only object in
 * `latest/`: its `report_key` names the dated associations object, so `latest/` moves
 * with one PUT and can never be half advanced, and it is written last, so it never
 * names a run whose objects are missing.
 */
import { parseRows, serializeRows, type AssociationRow } from './rows';
import { parseRunSummary, ReportIntegrityError, serializeRunSummary, type RunSummary } from './summary';
import { latestKeys, reportKeys, type ReportKeys, type ReportStore } from './report-store';
import { runIdDate } from './run-id';
import { writeHtmlReport } from './html/write-html-report';

/** Content-Type of the gzip JSON Lines objects. No Content-Encoding: Athena reads the raw file. */
export const ASSOCIATIONS_CONTENT_TYPE = 'application/gzip';
/** Content-Type of the run summary objects. */
export const RUN_CONTENT_TYPE = 'application/json';

/** What a successful {@link writeReport} wrote. */
export interface WrittenReport {
  readonly associationsKey: string;
  readonly runKey: string;
  /** The run's HTML report (`html/dt=…/<run_id>.html`). */
  readonly htmlKey: string;
  /** The `latest/` pointer, whether or not this run moved it. */
  readonly latestRunKey: string;
  /**
   * False when `latest/run.json` already named a newer run and was left alone (an older
   * run, e.g. a delayed retry, finished after it); the dated objects are written either way.
   */
  readonly latestAdvanced: boolean;
  /** The run `latest/run.json` names after the write: this run, or the newer one that kept it. */
  readonly latestRunId: string;
}

export interface ReportContent {
  readonly rows: readonly AssociationRow[];
  readonly summary: RunSummary;
  readonly runId: string;
  /** `YYYY-MM-DD` partition of the run; must be the date the run id encodes. */
  readonly dt: string;
}

/** The previous run's snapshot cannot be used: `latest/` names a run whose objects are gone, broken or elsewhere. */
export class PreviousSnapshotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PreviousSnapshotError';
  }
}

function checkContent(content: ReportContent, keys: ReportKeys): void {
  const { rows, summary, runId, dt } = content;
  // readPreviousSnapshot finds a run's objects by the date in its id, and the pointer
  // check orders runs by id: a run id that is not one, or another dt, would strand the run.
  if (runIdDate(runId) !== dt) throw new ReportIntegrityError(`run id ${runId} does not encode the date ${dt}`);
  if (summary.run_id !== runId) throw new ReportIntegrityError(`summary is for run ${summary.run_id}, not ${runId}`);
  if (summary.targets_reported !== rows.length) {
    throw new ReportIntegrityError(
      `summary reports ${summary.targets_reported} targets but ${rows.length} rows are written`,
    );
  }
  const foreign = rows.find((r) => r.run_id !== runId);
  if (foreign)
    throw new ReportIntegrityError(`row for ${foreign.target_id} belongs to run ${foreign.run_id}, not ${runId}`);
  if (summary.report_key !== keys.associations) {
    throw new ReportIntegrityError(
      `summary report_key ${summary.report_key} is not the associations key ${keys.associations}`,
    );
  }
}

/** Reads and parses `latest/run.json`; `null` when there is none. */
async function readLatest(store: ReportStore, prefix: string): Promise<RunSummary | null> {
  const key = latestKeys(prefix).latestRun;
  const body = await store.get(key);
  return body === null ? null : parseRunSummary(body, `${store.describe()}/${key}`);
}

/**
 * Writes `associations/dt=…/<run_id>.jsonl.gz`, then `runs/dt=…/<run_id>.json`, then —
 * only when both succeeded — `latest/run.json`. Re-running with the same run id
 * overwrites the same objects.
 *
 * `latest/` never moves backwards: just before its PUT, `latest/run.json` is read, and
 * when it names a run id that sorts after this one (run ids sort in time order), it is
 * left alone and `latestAdvanced` is false. That is the case of a Lambda async retry
 * of an older scheduled run that finishes after a newer manual run. The read and the
 * PUT are not one atomic step; reserved concurrency 1 on the Lambda keeps two runs
 * from interleaving between them.
 *
 * @throws ReportIntegrityError when summary, rows, run id and dt disagree (nothing is written).
 * @throws ReportStoreError from the store; later objects are then not written.
 * @throws ReportFormatError when the existing `latest/run.json` is unreadable, and
 *   PreviousSnapshotError when it names something that is not a run id (dated objects
 *   written, `latest/` untouched).
 */
export async function writeReport(store: ReportStore, prefix: string, content: ReportContent): Promise<WrittenReport> {
  const keys = reportKeys(prefix, content.runId, content.dt);
  checkContent(content, keys);
  const rowsBody = serializeRows(content.rows);
  const runBody = serializeRunSummary(content.summary);
  await store.put(keys.associations, rowsBody, ASSOCIATIONS_CONTENT_TYPE);
  await store.put(keys.run, runBody, RUN_CONTENT_TYPE);
  // The page for people, after the objects it shows and before latest/ names the run.
  await writeHtmlReport(store, prefix, keys.html, content);

  const written = {
    associationsKey: keys.associations,
    runKey: keys.run,
    htmlKey: keys.html,
    latestRunKey: keys.latestRun,
  };
  const latest = await readLatest(store, prefix);
  if (latest !== null) {
    if (runIdDate(latest.run_id) === null) {
      throw new PreviousSnapshotError(
        `${store.describe()}/${keys.latestRun} names ${JSON.stringify(latest.run_id)}, which is not a run id`,
      );
    }
    // Fixed-width timestamp first, so plain string order is time order.
    if (latest.run_id > content.runId) return { ...written, latestAdvanced: false, latestRunId: latest.run_id };
  }
  await store.put(keys.latestRun, runBody, RUN_CONTENT_TYPE);
  return { ...written, latestAdvanced: true, latestRunId: content.runId };
}

/** The dated run object of a run, or `null` when it was never written. */
async function readDatedRun(store: ReportStore, prefix: string, runId: string): Promise<RunSummary | null> {
  const dt = runIdDate(runId);
  if (dt === null) return null;
  const key = reportKeys(prefix, runId, dt).run;
  const body = await store.get(key);
  return body === null ? null : parseRunSummary(body, `${store.describe()}/${key}`);
}

/** A previous run's rows, to compare against. */
export interface PreviousSnapshot {
  readonly runId: string;
  readonly rows: AssociationRow[];
}

/** The dated associations key of a run, from the date its id encodes. */
function datedAssociationsKey(prefix: string, runId: string): string {
  const dt = runIdDate(runId);
  if (dt === null) throw new PreviousSnapshotError(`Previous run id ${JSON.stringify(runId)} does not encode a date`);
  return reportKeys(prefix, runId, dt).associations;
}

async function readDatedRows(store: ReportStore, key: string, runId: string): Promise<PreviousSnapshot> {
  const body = await store.get(key);
  if (body === null)
    throw new PreviousSnapshotError(`Previous run ${runId}: ${store.describe()}/${key} does not exist`);
  return { runId, rows: parseRows(body, `${store.describe()}/${key}`) };
}

/**
 * Finds the run to compare against.
 *
 * Reads `latest/run.json`; none means first run (`null`). Its `report_key` must be the
 * key {@link reportKeys} gives for its run id under this prefix (a pointer into another
 * prefix or to another run is not followed). When latest is the current run itself (a
 * retried invocation of the same schedule that already wrote `latest/`), compares
 * against latest's `previous_run_id` instead, read from its dated object (`null` if
 * latest had no previous run). When latest is a newer run than the current one (a late
 * retry of an older schedule), the current run's own dated run object, if an earlier
 * attempt wrote it, names the run it was compared with; without it there is nothing to
 * compare against short of listing `runs/`, so `null`, rather than history that would
 * point forward in time. Otherwise reads the dated associations object latest names.
 *
 * @throws PreviousSnapshotError when latest names a run whose associations are gone,
 *   that is not a run id, or whose `report_key` is not that run's key under this prefix.
 * @throws ReportFormatError when an object is unreadable.
 */
export async function readPreviousSnapshot(
  store: ReportStore,
  prefix: string,
  currentRunId: string,
): Promise<PreviousSnapshot | null> {
  const latest = await readLatest(store, prefix);
  if (latest === null) return null;

  const expectedKey = datedAssociationsKey(prefix, latest.run_id);
  if (latest.report_key !== expectedKey) {
    throw new PreviousSnapshotError(
      `${store.describe()}/${latestKeys(prefix).latestRun} names run ${latest.run_id} with report_key ${JSON.stringify(latest.report_key)}, expected ${expectedKey}`,
    );
  }

  // Fixed-width timestamp first, so plain string order is time order.
  if (latest.run_id >= currentRunId) {
    const own = latest.run_id === currentRunId ? latest : await readDatedRun(store, prefix, currentRunId);
    const previousId = own?.previous_run_id ?? null;
    if (previousId === null) return null;
    return readDatedRows(store, datedAssociationsKey(prefix, previousId), previousId);
  }
  return readDatedRows(store, expectedKey, latest.run_id);
}
