/**
 * Reads the re-checked targets' associations with the nightly run's fan-out, then waits
 * while the changes' own associations are PENDING: associations are asynchronous, so right
 * after a change the answer is PENDING and only a later read says SUCCESS or FAILED. The wait is bounded
 * (backoff doubling from a few seconds, within the wait budget and the deadline) and
 * re-reads only the targets still PENDING; what has not settled by then is reported as it
 * stands (the nightly run judges a PENDING that lasts as PENDING_STALE).
 */
import type { Association, FetchResult, FetchStats } from '../model';
import { AssociationFanOut } from '../securityhub/association-fan-out';
import type { FetchDeps, FetchOptions, FetchTarget } from '../securityhub/fetch-types';
import { backoffCeiling } from '../util/backoff';

/** How to read and how long to wait. */
export interface SettleOptions {
  readonly fetch: FetchOptions;
  /** Longest wait for PENDING associations, ms from the first answer. */
  readonly waitMs: number;
  /** First pause before re-reading PENDING ones. @default 5,000 */
  readonly firstDelayMs?: number;
  /** Longest pause between two re-reads: short, since only the few targets still PENDING are read again. @default 15,000 */
  readonly maxDelayMs?: number;
  /**
   * Epoch ms of the oldest change: only a PENDING association updated at or after it (or
   * without an update time) is the change settling and worth waiting for; one PENDING since
   * before is stuck (the nightly run's PENDING_STALE) and is reported as it stands.
   * @default every PENDING association is waited for
   */
  readonly changedSince?: number;
  /** Ms before the deadline the wait ends, so what was read can still be published. @default 0 */
  readonly reserveMs?: number;
}

/** The answers once settled (or the wait ran out). */
export interface SettledRead {
  readonly fetched: FetchResult;
  /** Targets still PENDING when the wait ended. */
  readonly stillPending: readonly string[];
  /** Re-reads made for PENDING targets. */
  readonly rereads: number;
}

async function readOnce(deps: FetchDeps, options: FetchOptions, targets: readonly FetchTarget[]): Promise<FetchResult> {
  const fanOut = new AssociationFanOut(deps, options);
  fanOut.add(targets);
  return fanOut.finish();
}

function pendingOf(result: FetchResult, targets: readonly FetchTarget[], changedSince?: number): FetchTarget[] {
  return targets.filter((t) => {
    const association = result.associations.get(t.id);
    if (association?.associationStatus !== 'PENDING') return false;
    const updated = association.updatedAt === null ? Number.NaN : Date.parse(association.updatedAt);
    return changedSince === undefined || Number.isNaN(updated) || updated >= changedSince;
  });
}

function addStats(a: FetchStats, b: FetchStats): FetchStats {
  return {
    apiCalls: a.apiCalls + b.apiCalls,
    throttledRequests: a.throttledRequests + b.throttledRequests,
    redriveAttempts: a.redriveAttempts + b.redriveAttempts,
    splitGroups: a.splitGroups + b.splitGroups,
    deadlineReached: a.deadlineReached || b.deadlineReached,
  };
}

/** A newer answer replaces the older one; a re-read that got none (the deadline, an error) keeps the PENDING answer it had. */
function merge(older: FetchResult, newer: FetchResult, reread: readonly FetchTarget[]): FetchResult {
  const associations = new Map<string, Association>(older.associations);
  for (const { id } of reread) {
    const association = newer.associations.get(id);
    if (association !== undefined) associations.set(id, association);
  }
  return { associations, unprocessed: older.unprocessed, stats: addStats(older.stats, newer.stats) };
}

/** See the module comment. @throws SecurityHubFetchError when the service refuses the whole API. */
export async function readSettled(
  deps: FetchDeps,
  targets: readonly FetchTarget[],
  options: SettleOptions,
): Promise<SettledRead> {
  let fetched = await readOnce(deps, options.fetch, targets);
  const waitUntil = Math.min(deps.clock.now() + options.waitMs, deps.deadline - (options.reserveMs ?? 0));
  const pause = { baseDelayMs: options.firstDelayMs ?? 5_000, maxDelayMs: options.maxDelayMs ?? 15_000 };
  let pending = pendingOf(fetched, targets, options.changedSince);
  let rereads = 0;
  while (pending.length > 0) {
    const delay = Math.min(backoffCeiling(rereads, pause), waitUntil - deps.clock.now());
    if (delay <= 0) break;
    await deps.sleep(delay);
    fetched = merge(fetched, await readOnce(deps, options.fetch, pending), pending);
    rereads += 1;
    pending = pendingOf(fetched, pending, options.changedSince);
  }
  return { fetched, stillPending: pending.map((t) => t.id), rereads };
}
