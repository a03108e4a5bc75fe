/**
 * Reading `latest/run.json` and dated run objects as the untrusted input they are. A
 * summary is trusted only when it parses under the strict reading schema, names a run
 * whose time is not in the future, and points (report_key) at that run's own dated
 * associations object under this prefix. Anything else is a verdict, not a crash.
 */
import { displaySafe } from '../util/display-text';
import { AuditError } from '../errors';
import { MAX_RUN_OBJECT_BYTES } from '../store/bounded-read';
import { latestKeys, reportKeys, type ReportStore } from '../store/report-store';
import { isBeyondClockSkew, MAX_CLOCK_SKEW_MS, runIdDate } from '../report/run-id';
import { parseRunSummary, summaryMacContent, type RunSummary } from '../report/summary';
import type { MacKind, ObjectMac } from '../store/object-mac';

/** Longest reason kept for an untrusted object (it goes into the run summary and logs). */
const MAX_REASON_LENGTH = 300;

/** What reading a run summary object gave. */
export type SummaryRead =
  | { readonly kind: 'none' }
  | { readonly kind: 'untrusted'; readonly reason: string }
  | { readonly kind: 'trusted'; readonly summary: RunSummary };

/** A reason as the summary and the logs show it: display-safe and bounded. */
export function boundedReason(reason: string): string {
  return displaySafe(reason, MAX_REASON_LENGTH);
}

/** The reason an error of reading or parsing gives; store failures (not our verdict) are rethrown. */
export function untrustedReason(error: unknown): string {
  if (error instanceof AuditError && error.kind === 'INTEGRITY') return boundedReason(error.message);
  throw error;
}

/** Why `summary` cannot be trusted as a run under `prefix` at `now`, or `null` when it can. */
function distrust(summary: RunSummary, prefix: string, now: number, name: string): string | null {
  const dt = runIdDate(summary.run_id);
  if (dt === null) return `${name} names ${JSON.stringify(displaySafe(summary.run_id, 64))}, which is not a run id`;
  if (isBeyondClockSkew(Date.parse(summary.audited_at), now)) {
    return `${name} names run ${summary.run_id} at ${summary.audited_at}, more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes in the future`;
  }
  const expected = reportKeys(prefix, summary.run_id, dt).associations;
  if (summary.report_key !== expected) {
    return `${name} names run ${summary.run_id} with report_key ${JSON.stringify(displaySafe(summary.report_key, 120))}, expected ${expected}`;
  }
  return null;
}

/** Where a summary object is and what it must be: its MAC is bound to both. */
interface SummarySlot {
  readonly key: string;
  readonly kind: MacKind;
}

/**
 * Reads one run summary object and decides whether it can be trusted: it must carry a
 * valid MAC for this key and kind, then pass {@link distrust}.
 * @throws ReportStoreError when the store itself fails (a later attempt may succeed).
 * @throws MacServiceError when the key service fails (a verdict needs an answer).
 */
async function readSummary(
  store: ReportStore,
  prefix: string,
  slot: SummarySlot,
  now: number,
  mac: ObjectMac,
): Promise<SummaryRead> {
  const name = `${store.describe()}/${slot.key}`;
  let summary: RunSummary;
  try {
    const body = await store.get(slot.key, { maxBytes: MAX_RUN_OBJECT_BYTES });
    if (body === null) return { kind: 'none' };
    summary = parseRunSummary(body, name);
  } catch (error) {
    return { kind: 'untrusted', reason: untrustedReason(error) };
  }
  const context = { kind: slot.kind, key: slot.key, runId: summary.run_id, execution: null };
  const verdict = await mac.verify(context, summaryMacContent(summary), summary.mac);
  if (!verdict.valid)
    return { kind: 'untrusted', reason: boundedReason(`${name} is not authenticated: ${verdict.reason}`) };
  const reason = distrust(summary, prefix, now, name);
  return reason === null ? { kind: 'trusted', summary } : { kind: 'untrusted', reason: boundedReason(reason) };
}

/** `latest/run.json`, judged by {@link readSummary}. */
export function readLatest(store: ReportStore, prefix: string, now: number, mac: ObjectMac): Promise<SummaryRead> {
  return readSummary(store, prefix, { key: latestKeys(prefix).latestRun, kind: 'latest-run' }, now, mac);
}

/** The dated run object of `runId`, judged by {@link readSummary}; `none` when it was never written. */
export async function readDatedRun(
  store: ReportStore,
  prefix: string,
  runId: string,
  now: number,
  mac: ObjectMac,
): Promise<SummaryRead> {
  const dt = runIdDate(runId);
  if (dt === null) return { kind: 'untrusted', reason: boundedReason(`${runId} is not a run id`) };
  const key = reportKeys(prefix, runId, dt).run;
  const read = await readSummary(store, prefix, { key, kind: 'run-summary' }, now, mac);
  if (read.kind === 'trusted' && read.summary.run_id !== runId) {
    return { kind: 'untrusted', reason: boundedReason(`${store.describe()}/${key} is the run object of another run`) };
  }
  return read;
}
