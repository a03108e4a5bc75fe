/**
 * One pipeline for the two reads of a run: the organization walk feeds the Security Hub
 * fan-out while it goes on. A group is sent as soon as the walk has found a group's worth
 * of targets, so the fan-out's calls ride on Security Hub's quota while the walk spends
 * Organizations' (the two are independent): a run takes about the longer of the two,
 * plus the last groups and the re-drive rounds, instead of their sum.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { RequestCounter } from '../aws/request-counter';
import type { AuditTuning } from '../config';
import type { Clock, FetchResult, OrgSnapshot, Sleep } from '../model';
import { walkOrganization, type WalkOptions } from '../organizations/walk-organization';
import type { FetchOptions } from '../securityhub/fetch-types';
import { AssociationFanOut } from '../securityhub/association-fan-out';
import type { AuditProgress } from './run-audit';

/** What {@link collectAssociations} talks to; a subset of the audit's dependencies. */
export interface CollectDeps {
  readonly organizations: OrganizationsClient;
  readonly securityHub: SecurityHubClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly securityHubCounter?: RequestCounter;
  readonly onProgress?: (progress: AuditProgress) => void;
}

/** How to collect. */
export interface CollectOptions {
  readonly tuning: AuditTuning;
  /** Epoch ms: the walk fails after it, the fan-out sends nothing and starts no round after it. */
  readonly deadline: number;
}

/** The walked organization and every target's association, as the audit's later steps take them. */
export interface Collected {
  readonly org: OrgSnapshot;
  readonly fetched: FetchResult;
}

/** The fan-out's tuning from the audit's. */
export function fetchOptionsOf(tuning: AuditTuning): FetchOptions {
  return {
    groupSize: tuning.batchGroupSize,
    concurrency: tuning.maxConcurrency,
    requestsPerSecond: tuning.securityHubRequestsPerSecond,
    burst: tuning.securityHubBurst,
    maxRedriveAttempts: tuning.redriveMaxAttempts,
    baseDelayMs: tuning.redriveBaseDelayMs,
    maxDelayMs: tuning.redriveMaxDelayMs,
  };
}

/** The walk's options from the audit's: paced, bounded, reporting progress; `onTargets` streams what it finds. */
export function walkOptionsOf(
  deps: CollectDeps,
  options: CollectOptions,
  onTargets?: WalkOptions['onTargets'],
): WalkOptions {
  return {
    concurrency: options.tuning.maxConcurrency,
    onProgress: (targetsFound) => deps.onProgress?.({ phase: 'walk', targetsFound }),
    ...(onTargets === undefined ? {} : { onTargets }),
    pacing: {
      requestsPerSecond: options.tuning.organizationsRequestsPerSecond,
      burst: options.tuning.organizationsBurst,
      clock: deps.clock,
      sleep: deps.sleep,
    },
    deadline: options.deadline,
  };
}

function createFanOut(deps: CollectDeps, options: CollectOptions, walking: () => boolean): AssociationFanOut {
  return new AssociationFanOut(
    {
      client: deps.securityHub,
      clock: deps.clock,
      sleep: deps.sleep,
      random: deps.random,
      deadline: options.deadline,
      requestCounter: deps.securityHubCounter,
      // While the walk runs its progress is the one shown; the fetch's total still grows then.
      onProgress: (done, total) => {
        if (!walking()) deps.onProgress?.({ phase: 'fetch', done, total });
      },
    },
    fetchOptionsOf(options.tuning),
  );
}

/**
 * Walks the organization and reads every target's association, the reads starting while
 * the walk goes on. Every target of the returned `org` is in the fan-out exactly once.
 *
 * @throws what walkOrganization throws (OrganizationWalkError, WalkDeadlineError,
 *   OrgTreeError), after the calls in flight have settled; SecurityHubFetchError when
 *   Security Hub refuses the API, which also stops the walk.
 */
export async function collectAssociations(deps: CollectDeps, options: CollectOptions): Promise<Collected> {
  let walking = true;
  const fanOut = createFanOut(deps, options, () => walking);
  let org: OrgSnapshot;
  try {
    org = await walkOrganization(
      deps.organizations,
      walkOptionsOf(deps, options, (targets) => {
        // A refused API makes the rest of the walk pointless: stop it with that error.
        if (fanOut.failure !== undefined) throw fanOut.failure;
        fanOut.add(targets);
      }),
    );
  } catch (error) {
    await fanOut.abandon();
    throw error;
  }
  walking = false;
  // The fetch phase starts now for whoever shows progress, with what it has done so far.
  deps.onProgress?.({ phase: 'fetch', ...fanOut.progress });
  // The walk streamed every target of the tree it built; adding them again is a no-op that
  // keeps "every enumerated target is fetched" true by construction.
  fanOut.add(org.targets);
  return { org, fetched: await fanOut.finish() };
}
