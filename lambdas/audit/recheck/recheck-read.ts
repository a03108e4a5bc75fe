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
import { readSettled, type SettledRead } from './read-settled';
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

/** See the module comment. @throws OrganizationsLookupError, SecurityHubFetchError. */
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
  const resolved = await resolveTargets(
    { client: deps.organizations, take: () => organizations.take() },
    plan,
    known.tree,
  );
  const pace = securityHubPace(request);
  const settled = await readSettled(
    {
      client: deps.securityHub,
      clock,
      sleep,
      random: deps.random,
      deadline: request.deadline,
      requestCounter: deps.securityHubCounter,
    },
    resolved.org.targets,
    {
      fetch: {
        groupSize: request.tuning.batchGroupSize,
        concurrency: 1,
        ...pace,
        maxRedriveAttempts: request.tuning.redriveMaxAttempts,
        baseDelayMs: request.tuning.redriveBaseDelayMs,
        maxDelayMs: request.tuning.redriveMaxDelayMs,
      },
      waitMs: request.recheck.recheckPendingWaitSeconds * 1000,
      // CloudTrail times are whole seconds: a PENDING updated in the change's second is its own.
      changedSince: oldestChange(request) - 1000,
      reserveMs: PUBLISH_RESERVE_MS,
    },
  );
  const names = resolved.org.targets.length === 0 ? undefined : await policyNames(deps, request);
  return { resolved, settled, policyNames: names };
}
