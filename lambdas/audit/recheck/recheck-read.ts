/**
 * The re-check's reads, at its own share of both services' quotas: the live look-ups and
 * listings the plan asks for (Organizations), the policy names, and the associations,
 * waiting while they are PENDING (Security Hub). The nightly run's defaults leave exactly
 * this share free (see RECHECK_SETTINGS), so the two can run at the same time.
 */
import { TokenBucket } from '../util/token-bucket';
import { listPolicyNames } from '../securityhub/policy-names';
import { displaySafe } from '../util/display-text';
import type { RecheckPlan } from './plan-recheck';
import type { KnownState } from './known-state';
import { resolveTargets, type ResolvedTargets } from './resolve-targets';
import { readSettled, type SettleOptions, type SettledRead } from './read-settled';
import type { FetchTarget } from '../securityhub/fetch-types';
import type { FetchResult } from '../model';
import type { RecheckDeps, RecheckRequest } from '../types/recheck';

/** What the re-check read. */
export interface RecheckRead {
  readonly resolved: ResolvedTargets;
  readonly settled: SettledRead;
  /** Lower-case policy id → name; `undefined` when they could not be listed. */
  readonly policyNames?: ReadonlyMap<string, string>;
}

/**
 * Time kept after the wait for writing the record and publishing (findings, digest): the
 * wait never runs into the deadline that publishing needs.
 */
const PUBLISH_RESERVE_MS = 60_000;

/** Epoch ms of the oldest change of the batch. */
function oldestChange(request: RecheckRequest): number {
  return Math.min(...request.changes.map((c) => c.eventTime));
}

/** The re-check's Security Hub pacing: its own rate, a burst of at most its rate. */
function securityHubPace(request: RecheckRequest) {
  const rate = request.recheck.recheckSecurityHubRequestsPerSecond;
  return { requestsPerSecond: rate, burst: Math.max(1, Math.floor(rate)) };
}

async function policyNames(deps: RecheckDeps, request: RecheckRequest) {
  try {
    return await listPolicyNames({
      client: deps.securityHub,
      ...securityHubPace(request),
      clock: deps.clock,
      sleep: deps.sleep,
      deadline: request.deadline,
    });
  } catch (error) {
    deps.logger?.warn('Configuration policy names could not be listed; the re-check shows ids only', {
      error: displaySafe(error instanceof Error ? `${error.name}: ${error.message}` : String(error), 300),
    });
    return undefined;
  }
}

/** How a re-check reads associations: the fan-out at its share, the bounded PENDING wait. */
function settleOptions(request: RecheckRequest): SettleOptions {
  return {
    fetch: {
      groupSize: request.tuning.batchGroupSize,
      concurrency: 1,
      ...securityHubPace(request),
      maxRedriveAttempts: request.tuning.redriveMaxAttempts,
      baseDelayMs: request.tuning.redriveBaseDelayMs,
      maxDelayMs: request.tuning.redriveMaxDelayMs,
    },
    waitMs: request.recheck.recheckPendingWaitSeconds * 1000,
    // CloudTrail times are whole seconds: a PENDING updated in the change's second is its own.
    changedSince: oldestChange(request) - 1000,
    reserveMs: PUBLISH_RESERVE_MS,
  };
}

/** Two reads of disjoint targets as one. */
function combined(a: SettledRead, b: SettledRead): SettledRead {
  const stats = (key: keyof FetchResult['stats']) => Number(a.fetched.stats[key]) + Number(b.fetched.stats[key]);
  return {
    fetched: {
      associations: new Map([...a.fetched.associations, ...b.fetched.associations]),
      unprocessed: new Map([...a.fetched.unprocessed, ...b.fetched.unprocessed]),
      stats: {
        apiCalls: stats('apiCalls'),
        throttledRequests: stats('throttledRequests'),
        redriveAttempts: stats('redriveAttempts'),
        splitGroups: stats('splitGroups'),
        deadlineReached: a.fetched.stats.deadlineReached || b.fetched.stats.deadlineReached,
      },
    },
    stillPending: [...a.stillPending, ...b.stillPending],
    rereads: a.rereads + b.rereads,
  };
}

/**
 * See the module comment. The targets the known tree places (a policy's, the organization's)
 * are read while Organizations is asked about the rest; the rest is read after both, so the
 * re-check never exceeds its Security Hub share.
 * @throws OrganizationsLookupError, SecurityHubFetchError.
 */
export async function lookAndRead(
  deps: RecheckDeps,
  request: RecheckRequest,
  plan: RecheckPlan,
  known: KnownState,
): Promise<RecheckRead> {
  const { clock, sleep } = deps;
  const organizations = new TokenBucket({
    ratePerSecond: request.recheck.recheckOrganizationsRequestsPerSecond,
    burst: 1,
    clock,
    sleep,
  });
  const fetchDeps = {
    client: deps.securityHub,
    clock,
    sleep,
    random: deps.random,
    deadline: request.deadline,
    requestCounter: deps.securityHubCounter,
  };
  const placed = placedTargets(plan, known);
  const early = readSettled(fetchDeps, placed, settleOptions(request));
  // Awaited below; until then a failure must not count as an unhandled rejection.
  early.catch(() => undefined);
  const resolved = await resolveTargets(
    { client: deps.organizations, take: () => organizations.take() },
    plan,
    known.tree,
  );
  const placedIds = new Set(placed.map((t) => t.id));
  const first = await early;
  const rest = resolved.org.targets.filter((t) => !placedIds.has(t.id));
  const settled = combined(first, await readSettled(fetchDeps, rest, settleOptions(request)));
  const names = resolved.org.targets.length === 0 ? undefined : await policyNames(deps, request);
  return { resolved, settled, policyNames: names };
}

/** The targets the known tree places, as the fan-out takes them. */
function placedTargets(plan: RecheckPlan, known: KnownState): FetchTarget[] {
  return plan.placed.flatMap((id) => {
    const row = known.tree?.get(id);
    return row === undefined ? [] : [{ id, type: row.target_type }];
  });
}
