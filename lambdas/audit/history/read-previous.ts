/**
 * Finding and verifying the previous run to compare with. The previous snapshot is
 * untrusted input: its run summary must be trustworthy (see `trusted-latest.ts`), its
 * associations object must hash to the summary's `associations_sha256`, parse row by row
 * under the strict reading schema, and agree with the summary's counts. When any check
 * fails the run does not fail: it goes on without history (`UNTRUSTED`), so every drifted
 * target counts as new drift and the digest fires. Only a failing store (a read error,
 * not a bad object) stops the run, since a later attempt may succeed.
 */
import type { PreviousRunStatus } from '../model';
import type { PreviousRun } from './compare-history';
import { toPreviousRun } from './previous-run';
import { type ReportStore } from '../store/report-store';
import { parseRows, sha256Hex, type AssociationRow } from '../report/rows';
import { boundedIds } from '../report/value-schemas';
import { isBeyondClockSkew } from '../report/run-id';
import type { RunSummary } from '../report/summary';
import type { ObjectMac } from '../store/object-mac';
import { boundedReason, readDatedRun, readLatest, untrustedReason, type SummaryRead } from './trusted-latest';

/** What the run could make of its history. */
export interface PreviousRunRead {
  readonly status: PreviousRunStatus;
  /** Why history was not trusted (display-safe, bounded); `null` unless UNTRUSTED. */
  readonly reason: string | null;
  /** The verified previous run; `null` unless OK. */
  readonly snapshot: PreviousRun | null;
  /** Its verified rows, for steps that describe previous targets (findings to archive); `null` unless OK. */
  readonly rows: readonly AssociationRow[] | null;
}

const NONE: PreviousRunRead = { status: 'NONE', reason: null, snapshot: null, rows: null };
const untrusted = (reason: string): PreviousRunRead => ({
  status: 'UNTRUSTED',
  reason: boundedReason(reason),
  snapshot: null,
  rows: null,
});

/** Target ids of rows that say drift was first seen beyond the clock-skew bound after `now`. */
function seenInFuture(rows: readonly AssociationRow[], now: number): string[] {
  return rows
    .filter((r) => r.first_drift_seen !== null && isBeyondClockSkew(Date.parse(r.first_drift_seen), now))
    .map((r) => r.target_id);
}

/** Why the rows do not match the summary that vouches for them (or the clock `now`), or `null`. */
function rowsDisagree(summary: RunSummary, rows: readonly AssociationRow[], now: number): string | null {
  const foreign = rows.filter((r) => r.run_id !== summary.run_id).map((r) => r.target_id);
  if (foreign.length > 0) return `rows of another run for ${boundedIds(foreign, 5)}`;
  const seen = new Set<string>();
  const repeated = rows.filter((r) => seen.size === seen.add(r.target_id).size).map((r) => r.target_id);
  if (repeated.length > 0) return `target ids listed more than once: ${boundedIds(repeated, 5)}`;
  if (rows.length !== summary.targets_reported) {
    return `${rows.length} rows, but the run summary reports ${summary.targets_reported}`;
  }
  const drifted = rows.filter((r) => r.drift).length;
  if (drifted !== summary.drifted) return `${drifted} drifted rows, but the run summary reports ${summary.drifted}`;
  const future = seenInFuture(rows, now);
  if (future.length > 0) return `first_drift_seen in the future for ${boundedIds(future, 5)}`;
  return null;
}

/**
 * Reads the associations object a trusted summary names and verifies it against the
 * summary: hash of the exact bytes, strict parse, counts.
 * @throws ReportStoreError when the store fails.
 */
export async function readVerified(store: ReportStore, summary: RunSummary, now: number): Promise<PreviousRunRead> {
  const name = `${store.describe()}/${summary.report_key}`;
  const expected = summary.associations_sha256;
  if (expected === null) {
    return untrusted(`previous run ${summary.run_id} records no associations_sha256 (written by an older version)`);
  }
  try {
    const body = await store.get(summary.report_key);
    if (body === null) return untrusted(`previous run ${summary.run_id}: ${name} does not exist`);
    if (sha256Hex(body) !== expected) {
      return untrusted(`${name} does not match the associations_sha256 of run ${summary.run_id}`);
    }
    const rows = parseRows(body, name);
    const disagreement = rowsDisagree(summary, rows, now);
    if (disagreement !== null) return untrusted(`${name}: ${disagreement}`);
    return { status: 'OK', reason: null, snapshot: toPreviousRun(summary.run_id, rows), rows };
  } catch (error) {
    return untrusted(untrustedReason(error));
  }
}

/** The summary of the run the current one compared with on an earlier attempt, when latest is not older. */
async function previousOfOwn(
  store: ReportStore,
  prefix: string,
  own: SummaryRead,
  now: number,
  mac: ObjectMac,
): Promise<SummaryRead | PreviousRunRead> {
  if (own.kind === 'none') return NONE; // no earlier attempt wrote its run object: nothing short of listing runs/
  if (own.kind === 'untrusted') return untrusted(own.reason);
  if (own.summary.previous_run_status === 'UNTRUSTED') {
    return untrusted(
      `an earlier attempt of this run did not trust its history: ${own.summary.previous_run_reason ?? ''}`,
    );
  }
  const previousId = own.summary.previous_run_id;
  if (previousId === null) return NONE;
  if (previousId >= own.summary.run_id) return untrusted(`run ${own.summary.run_id} names a later previous run`);
  const read = await readDatedRun(store, prefix, previousId, now, mac);
  return read.kind === 'none' ? untrusted(`previous run ${previousId} has no run object`) : read;
}

/**
 * Finds the run to compare with, and verifies it.
 *
 * `latest/run.json` names the newest run. Older than the current run: that is the previous
 * run. The current run itself (a retry that already wrote `latest/`), or newer (a late
 * retry of an older schedule): the current run's own summary names the run it compared
 * with, read from its dated run object; without that object, `NONE` rather than history
 * that would point forward in time.
 *
 * @param now the clock, epoch ms: a summary naming a run time beyond the allowed skew is not trusted.
 * @param mac authenticates every summary read; one without a valid MAC is not trusted.
 * @throws ReportStoreError when the store fails; every bad object is a verdict instead.
 * @throws MacServiceError when the key service fails (never read as unsigned).
 */
export async function readPreviousRun(
  store: ReportStore,
  prefix: string,
  currentRunId: string,
  now: number,
  mac: ObjectMac,
): Promise<PreviousRunRead> {
  const latest = await readLatest(store, prefix, now, mac);
  if (latest.kind === 'none') return NONE;
  if (latest.kind === 'untrusted') return untrusted(latest.reason);
  // Fixed-width timestamp first, so plain string order is time order.
  if (latest.summary.run_id < currentRunId) return readVerified(store, latest.summary, now);
  const own =
    latest.summary.run_id === currentRunId ? latest : await readDatedRun(store, prefix, currentRunId, now, mac);
  const previous = await previousOfOwn(store, prefix, own, now, mac);
  if ('status' in previous) return previous;
  if (previous.kind !== 'trusted')
    return untrusted(previous.kind === 'untrusted' ? previous.reason : 'no previous run');
  return readVerified(store, previous.summary, now);
}
