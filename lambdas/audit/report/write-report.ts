/**
 * Writing a run's report and reading the previous one. Order matters: the dated
 * objects first, `latest/` only after both exist, so `latest/` never points at a run
 * whose objects are missing.
 */
import { parseRows, serializeRows, type AssociationRow } from './rows';
import { parseRunSummary, ReportIntegrityError, serializeRunSummary, type RunSummary } from './summary';
import { latestKeys, reportKeys, type ReportKeys, type ReportStore } from './report-store';
import { runIdDate } from './run-id';

/** Content-Type of the gzip JSON Lines objects. No Content-Encoding: Athena reads the raw file. */
export const ASSOCIATIONS_CONTENT_TYPE = 'application/gzip';
/** Content-Type of the run summary objects. */
export const RUN_CONTENT_TYPE = 'application/json';

/** The keys a successful {@link writeReport} wrote. */
export interface WrittenReport {
  readonly associationsKey: string;
  readonly runKey: string;
  readonly latestAssociationsKey: string;
  readonly latestRunKey: string;
}

export interface ReportContent {
  readonly rows: readonly AssociationRow[];
  readonly summary: RunSummary;
  readonly runId: string;
  /** `YYYY-MM-DD` partition of the run. */
  readonly dt: string;
}

/** The previous run's snapshot cannot be used: `latest/` names a run whose objects are gone or broken. */
export class PreviousSnapshotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PreviousSnapshotError';
  }
}

function checkContent(content: ReportContent, keys: ReportKeys): void {
  const { rows, summary, runId } = content;
  if (summary.run_id !== runId) throw new ReportIntegrityError(`summary is for run ${summary.run_id}, not ${runId}`);
  if (summary.targets_reported !== rows.length) {
    throw new ReportIntegrityError(`summary reports ${summary.targets_reported} targets but ${rows.length} rows are written`);
  }
  const foreign = rows.find((r) => r.run_id !== runId);
  if (foreign) throw new ReportIntegrityError(`row for ${foreign.target_id} belongs to run ${foreign.run_id}, not ${runId}`);
  if (summary.report_key !== keys.associations) {
    throw new ReportIntegrityError(`summary report_key ${summary.report_key} is not the associations key ${keys.associations}`);
  }
}

/**
 * Writes `associations/dt=…/<run_id>.jsonl.gz`, then `runs/dt=…/<run_id>.json`, then —
 * only when both succeeded — `latest/associations.jsonl.gz` and finally `latest/run.json`.
 * Re-running with the same run id overwrites the same objects.
 * @throws ReportIntegrityError when summary, rows and run id disagree (nothing is written).
 * @throws ReportStoreError from the store; later objects are then not written.
 */
export async function writeReport(store: ReportStore, prefix: string, content: ReportContent): Promise<WrittenReport> {
  const keys = reportKeys(prefix, content.runId, content.dt);
  checkContent(content, keys);
  const rowsBody = serializeRows(content.rows);
  const runBody = serializeRunSummary(content.summary);
  await store.put(keys.associations, rowsBody, ASSOCIATIONS_CONTENT_TYPE);
  await store.put(keys.run, runBody, RUN_CONTENT_TYPE);
  await store.put(keys.latestAssociations, rowsBody, ASSOCIATIONS_CONTENT_TYPE);
  // run.json last: a reader that finds it can trust the associations it points at.
  await store.put(keys.latestRun, runBody, RUN_CONTENT_TYPE);
  return {
    associationsKey: keys.associations,
    runKey: keys.run,
    latestAssociationsKey: keys.latestAssociations,
    latestRunKey: keys.latestRun,
  };
}

/** A previous run's rows, to compare against. */
export interface PreviousSnapshot {
  readonly runId: string;
  readonly rows: AssociationRow[];
}

/** The dated associations key of a run, from the date its id encodes. */
function datedAssociationsKey(prefix: string, runId: string): string | null {
  const dt = runIdDate(runId);
  return dt === null ? null : reportKeys(prefix, runId, dt).associations;
}

async function readDatedRows(store: ReportStore, key: string, runId: string): Promise<PreviousSnapshot> {
  const body = await store.get(key);
  if (body === null) throw new PreviousSnapshotError(`Previous run ${runId}: ${store.describe()}/${key} does not exist`);
  return { runId, rows: parseRows(body, `${store.describe()}/${key}`) };
}

/**
 * Finds the run to compare against.
 *
 * Reads `latest/run.json`; none means first run (`null`). When latest is the current
 * run itself (a retried invocation of the same schedule that already wrote `latest/`),
 * compares against latest's `previous_run_id` instead, read from its dated object
 * (`null` if latest had no previous run). Otherwise uses `latest/associations.jsonl.gz`,
 * falling back to the dated object when the latest pair is out of step (a write of
 * `latest/run.json` failed after `latest/associations.jsonl.gz` succeeded).
 *
 * @throws PreviousSnapshotError when latest names a run whose associations are gone.
 * @throws ReportFormatError when an object is unreadable.
 */
export async function readPreviousSnapshot(store: ReportStore, prefix: string, currentRunId: string): Promise<PreviousSnapshot | null> {
  const latestPair = latestKeys(prefix);
  const latestBody = await store.get(latestPair.latestRun);
  if (latestBody === null) return null;
  const latest = parseRunSummary(latestBody, `${store.describe()}/${latestPair.latestRun}`);

  if (latest.run_id === currentRunId) {
    const previousId = latest.previous_run_id;
    if (previousId === null) return null;
    const key = datedAssociationsKey(prefix, previousId);
    if (key === null) throw new PreviousSnapshotError(`Previous run id ${JSON.stringify(previousId)} does not encode a date`);
    return readDatedRows(store, key, previousId);
  }

  const latestRowsBody = await store.get(latestPair.latestAssociations);
  if (latestRowsBody !== null) {
    const rows = parseRows(latestRowsBody, `${store.describe()}/${latestPair.latestAssociations}`);
    const inStep = rows.length === latest.targets_reported && rows.every((r) => r.run_id === latest.run_id);
    if (inStep) return { runId: latest.run_id, rows };
  }
  return readDatedRows(store, datedAssociationsKey(prefix, latest.run_id) ?? latest.report_key, latest.run_id);
}
