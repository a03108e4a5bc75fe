import { MAX_RUN_OBJECT_BYTES } from '../../store/bounded-read';
import type { ReportStore } from '../../store/report-store';
import { reportKeys } from '../../store/report-store';
import { runIdDate } from '../run-id';
import { parseRunSummary, type RunSummary } from '../summary';
import { ObjectTooLargeError } from '../../errors';

/** One run on the trend chart. */
export interface TrendPoint {
  readonly runId: string;
  readonly auditedAt: string;
  readonly runStatus: RunSummary['run_status'];
  readonly drifted: number;
  readonly failed: number;
  readonly targets: number;
}

/** The runs shown, oldest first (the current run last), and why the history stops early, if it does. */
export interface RunTrend {
  readonly points: readonly TrendPoint[];
  /** Set when an older run could not be read or trusted; the chart says so. */
  readonly stoppedBecause?: string;
}

/**
 * Runs on the chart, the current one included.
 * @internal Exported for its tests.
 */
export const TREND_RUNS = 30;

/** @internal Exported for its tests. */
export const trendPoint = (s: RunSummary): TrendPoint => ({
  runId: s.run_id,
  auditedAt: s.audited_at,
  runStatus: s.run_status,
  drifted: s.drifted,
  failed: s.status_failed,
  targets: s.targets_reported,
});

/** The previous run's summary from `runs/`, validated; a string says why it cannot be used. */
async function readPrevious(store: ReportStore, prefix: string, after: RunSummary): Promise<RunSummary | string> {
  const id = after.previous_run_id;
  if (id === null) return 'first run';
  const dt = runIdDate(id);
  // Run ids sort in time order: a previous run that is not older would loop or point forward.
  if (dt === null || id >= after.run_id) return `run ${after.run_id} names an invalid previous run`;
  const key = reportKeys(prefix, id, dt).run;
  let body: Buffer | null;
  try {
    body = await store.get(key, { maxBytes: MAX_RUN_OBJECT_BYTES });
  } catch (error) {
    if (error instanceof ObjectTooLargeError) return `run object of ${id} is too large`;
    throw error;
  }
  if (body === null) return `run object of ${id} is missing`;
  try {
    const summary = parseRunSummary(body, key);
    return summary.run_id === id ? summary : `run object of ${id} holds run ${summary.run_id}`;
  } catch {
    return `run object of ${id} is not a valid run summary`;
  }
}

/**
 * The last {@link TREND_RUNS} runs, found by following `previous_run_id` back through the
 * dated run objects in `runs/`: at most 29 GETs of bounded size, each validated like any
 * object from outside. A missing, oversized, malformed or out-of-order object ends the
 * trend there (with the reason), it never fails the run. Store errors do propagate.
 */
export async function readRunTrend(store: ReportStore, prefix: string, current: RunSummary): Promise<RunTrend> {
  const runs: RunSummary[] = [current];
  while (runs.length < TREND_RUNS) {
    const previous = await readPrevious(store, prefix, runs[runs.length - 1]);
    if (typeof previous === 'string') {
      const points = runs.reverse().map(trendPoint);
      return previous === 'first run' ? { points } : { points, stoppedBecause: previous };
    }
    runs.push(previous);
  }
  return { points: runs.reverse().map(trendPoint) };
}
