/**
 * One pipeline for the two reads of a run: the organization walk feeds the Security Hub
 * fan-out while it goes on. A group is sent as soon as the walk has found a group's worth
 * of targets, so the fan-out's calls ride on Security Hub's quota while the walk spends
 * Organizations' (the two are independent): a run takes about the longer of the two,
 * plus the last groups and the re-drive rounds, instead of their sum.
 *
 * The same pipeline serves a run spread over several invocations: it can pause at the
 * deadline, hand back what it has (the walk's frontier and listings, the answers so far)
 * and carry on from that in the next invocation, walking and fetching as one pipeline in
 * every round.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { RequestCounter } from '../aws/request-counter';
import type { AuditTuning } from '../config';
import type { Clock, FetchResult, FetchStats, OrgSnapshot, Sleep } from '../model';
import { walkedTargets, type SavedWalk } from '../organizations/saved-walk';
import { OrganizationWalk, type WalkOptions, type WalkOutcome } from '../organizations/walk-organization';
import type { FetchOptions } from '../securityhub/fetch-types';
import { AssociationFanOut, type SavedFanOut } from '../securityhub/association-fan-out';
import type { AuditProgress } from '../types/audit';
import { InvariantError } from '../errors';

/** What {@link collectAssociations} talks to; a subset of the audit's dependencies. */
export interface CollectDeps {
  readonly organizations: OrganizationsClient;
  readonly securityHub: SecurityHubClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly securityHubCounter?: RequestCounter;
  readonly organizationsCounter?: RequestCounter;
  readonly onProgress?: (progress: AuditProgress) => void;
}

/** How to collect. */
export interface CollectOptions {
  readonly tuning: AuditTuning;
  /** Epoch ms: no page or call is requested and no round starts after it. */
  readonly deadline: number;
  /**
   * At the deadline: `fail` (default) fails an unfinished walk with WalkDeadlineError and
   * reports targets not asked as DEADLINE_EXCEEDED; `pause` ends with what there is, to be
   * carried on by a later invocation.
   */
  readonly onDeadline?: 'fail' | 'pause';
  /** Called after every listing and every group: where a resumable run checks whether a checkpoint is due. */
  readonly onStep?: () => void;
  /**
   * Seconds since the service quotas were last spent (a resumed run): the pacing buckets
   * start with what the services have earned back since, not with a full burst.
   */
  readonly idleSeconds?: number;
}

/** The walked organization and every target's association, as the audit's later steps take them. */
export interface Collected {
  readonly org: OrgSnapshot;
  readonly fetched: FetchResult;
}

/** Where a paused collection stands: enough to carry on from in another invocation. */
export interface SavedCollection {
  readonly walk: SavedWalk;
  readonly fetch: SavedFanOut;
}

/** How a collection ended. */
export type CollectOutcome =
  | ({ readonly status: 'DONE' } & Collected)
  | { readonly status: 'PAUSED'; readonly saved: SavedCollection; readonly stats: FetchStats };

/** The fan-out's tuning from the audit's. */
function fetchOptionsOf(tuning: AuditTuning): FetchOptions {
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

/** Tokens a bucket has earned back after `idleSeconds` without requests; `undefined` (full) when not resuming. */
const earnedBack = (idleSeconds: number | undefined, ratePerSecond: number): number | undefined =>
  idleSeconds === undefined ? undefined : idleSeconds * ratePerSecond;

/** The walk's options from the audit's: paced, bounded, reporting progress; `onTargets` streams what it finds. */
function walkOptionsOf(deps: CollectDeps, options: CollectOptions, onTargets?: WalkOptions['onTargets']): WalkOptions {
  const { tuning } = options;
  return {
    concurrency: tuning.maxConcurrency,
    onProgress: (targetsFound) => {
      deps.onProgress?.({ phase: 'walk', targetsFound });
      options.onStep?.();
    },
    ...(onTargets === undefined ? {} : { onTargets }),
    pacing: {
      requestsPerSecond: tuning.organizationsRequestsPerSecond,
      burst: tuning.organizationsBurst,
      initialTokens: earnedBack(options.idleSeconds, tuning.organizationsRequestsPerSecond),
      requests: deps.organizationsCounter,
      clock: deps.clock,
      sleep: deps.sleep,
    },
    deadline: options.deadline,
    onDeadline: options.onDeadline ?? 'fail',
    pauseGraceMs: pauseGraceMs(tuning),
  };
}

/**
 * How long a listing under way at a pausing deadline may go on: a quarter of the deadline
 * margin (which exists to finish the run's writes; a paused round writes one checkpoint),
 * at most 15 s. Long enough for any container's pages at the assumed rates, so a round's
 * end seldom costs pages that the next round lists again.
 */
const pauseGraceMs = (tuning: AuditTuning): number => Math.min(15_000, tuning.deadlineMarginSeconds * 250);

function createFanOut(deps: CollectDeps, options: CollectOptions, walking: () => boolean): AssociationFanOut {
  return new AssociationFanOut(
    {
      client: deps.securityHub,
      clock: deps.clock,
      sleep: deps.sleep,
      random: deps.random,
      deadline: options.deadline,
      requestCounter: deps.securityHubCounter,
      initialTokens: earnedBack(options.idleSeconds, options.tuning.securityHubRequestsPerSecond),
      // While the walk runs its progress is the one shown; the fetch's total still grows then.
      onProgress: (done, total) => {
        if (!walking()) deps.onProgress?.({ phase: 'fetch', done, total });
        options.onStep?.();
      },
    },
    fetchOptionsOf(options.tuning),
  );
}

/**
 * One run's walk and fan-out as one pipeline, fresh or carried on from a
 * {@link SavedCollection}. {@link Collection.snapshot} may be taken at any time, for a
 * checkpoint; every target the walk has found is either answered in it or asked (again)
 * by a collection that resumes from it.
 */
export class Collection {
  private readonly walk: OrganizationWalk;
  private readonly fanOut: AssociationFanOut;
  private walking = true;

  constructor(
    private readonly deps: CollectDeps,
    private readonly options: CollectOptions,
    from?: SavedCollection,
  ) {
    this.fanOut = createFanOut(deps, options, () => this.walking);
    const onTargets: WalkOptions['onTargets'] = (targets) => {
      // A refused API makes the rest of the walk pointless: stop it with that error.
      if (this.fanOut.failure !== undefined) throw this.fanOut.failure;
      this.fanOut.add(targets);
    };
    this.walk = new OrganizationWalk(deps.organizations, walkOptionsOf(deps, options, onTargets), from?.walk);
    // After the walk accepted the saved walk: restoring starts sending the targets it found.
    if (from !== undefined) this.fanOut.restore(walkedTargets(from.walk), from.fetch);
  }

  /** Where the collection stands now. */
  snapshot(): SavedCollection {
    return { walk: this.walk.snapshot(), fetch: this.fanOut.saved() };
  }

  /** The fan-out's counts in this invocation so far. */
  stats(): FetchStats {
    return this.fanOut.stats();
  }

  /**
   * Walks (from where the walk stands) while fetching, then sends the rest and re-drives.
   * Runs once.
   *
   * @throws what the walk throws (OrganizationWalkError, WalkDeadlineError unless pausing,
   *   OrgTreeError, SavedWalkError), after the calls in flight have settled;
   *   SecurityHubFetchError when Security Hub refuses the API, which also stops the walk.
   */
  async run(): Promise<CollectOutcome> {
    const walked = await this.runWalk();
    this.walking = false;
    try {
      return await this.afterWalk(walked);
    } catch (error) {
      // A refusal stopped one group; the others must not go on after the run has failed.
      await this.fanOut.abandon();
      throw error;
    }
  }

  private async afterWalk(walked: WalkOutcome): Promise<CollectOutcome> {
    if (walked.status === 'PAUSED') {
      await this.fanOut.pause();
      return this.paused();
    }
    const { org } = walked;
    // The fetch phase starts now for whoever shows progress, with what it has done so far.
    this.deps.onProgress?.({ phase: 'fetch', ...this.fanOut.progress });
    // The walk streamed every target it found; adding them again is a no-op that keeps
    // "every enumerated target is fetched" true by construction.
    this.fanOut.add(org.targets);
    const fetched = await this.fanOut.finish();
    if (fetched.stats.deadlineReached && this.options.onDeadline === 'pause') return this.paused();
    return { status: 'DONE', org, fetched };
  }

  private async runWalk() {
    try {
      return await this.walk.run();
    } catch (error) {
      await this.fanOut.abandon();
      throw error;
    }
  }

  private paused(): CollectOutcome {
    return { status: 'PAUSED', saved: this.snapshot(), stats: this.fanOut.stats() };
  }
}

/**
 * Walks the organization and reads every target's association, the reads starting while
 * the walk goes on, in one invocation. Every target of the returned `org` is in the
 * fan-out exactly once.
 *
 * @throws see {@link Collection.run}; WalkDeadlineError when the walk cannot finish in time.
 */
export async function collectAssociations(deps: CollectDeps, options: CollectOptions): Promise<Collected> {
  const outcome = await new Collection(deps, { ...options, onDeadline: 'fail' }).run();
  if (outcome.status !== 'DONE') throw new InvariantError('a collection that may not pause paused');
  return outcome;
}
