/**
 * The audit as a run that may span several invocations. Every invocation runs the same
 * pipeline as an uninterrupted run (the walk feeding the fan-out), from where the run
 * stands: it saves a checkpoint to S3 under the run's id at intervals while it works, and
 * when the deadline comes with work left it pauses the walk and the fan-out, saves once
 * more and says CONTINUE instead of writing an INCOMPLETE report. The next invocation for
 * the same run id (the same schedule time) resumes from the checkpoint: containers
 * already listed are not listed again and targets with a definite answer are not asked
 * again. The report of a resumed run has the same rows and counts as an uninterrupted run's.
 */
import type { FetchStats } from '../model';
import { beginAudit, checkCollected, finishAudit, type BegunAudit } from '../core/audit-steps';
import { Collection, type CollectOutcome, type SavedCollection } from '../core/collect-associations';
import { CHECKPOINT_VERSION, type Checkpoint, type ProgressStats } from './checkpoint-schema';
import { CheckpointStore, type StoredCheckpoint } from './checkpoint-store';
import { CheckpointWriter, type CheckpointTally } from './checkpoint-writer';
import type { AuditDeps, AuditOutcome, AuditRequest } from '../types/audit';
import { AuditError, OrganizationWalkError, OrgTreeError, CheckpointIntegrityError } from '../errors';
import { isBeyondClockSkew } from '../report/run-id';
import { displaySafe } from '../util/display-text';

/** How a run checkpoints. */
export interface CheckpointPolicy {
  /**
   * When the deadline comes with work left: `true` saves a checkpoint and returns
   * CONTINUE (a Step Functions round follows); `false` writes the report as it stands
   * (or fails, when the walk itself is not done).
   */
  readonly mayContinue: boolean;
  /** Least time between two checkpoints: bounds both their cost and the work an invocation that dies loses. */
  readonly intervalMs: number;
}

/** What one invocation of a resumable run ended with. */
export type ResumableOutcome =
  | {
      readonly status: 'DONE';
      readonly runId: string;
      readonly outcome: AuditOutcome;
      readonly checkpoint: CheckpointTally;
    }
  | { readonly status: 'CONTINUE'; readonly runId: string; readonly checkpoint: CheckpointTally };

/** What the run carries from earlier invocations. */
interface Carried {
  readonly startedAt: number;
  /** Invocations that worked on the run, this one included. */
  readonly invocations: number;
  readonly stats: ProgressStats;
  readonly from?: SavedCollection;
  /** Seconds since the checkpoint was saved: how long the services' quotas have had to refill. */
  readonly idleSeconds?: number;
  /** Why a checkpoint was refused in this execution (the run started over); `null` when none was. */
  readonly refused: string | null;
}

const ZERO_STATS: ProgressStats = {
  organizationsApiCalls: 0,
  organizationsThrottledRequests: 0,
  securityHubApiCalls: 0,
  securityHubThrottledRequests: 0,
  splitGroups: 0,
};

function carriedFrom(begun: BegunAudit, read: CheckpointRead): Carried {
  const { stored, refused } = read;
  if (stored === null) return { startedAt: begun.startedAt, invocations: 1, stats: ZERO_STATS, refused };
  const c = stored.checkpoint;
  return {
    startedAt: c.startedAt,
    invocations: c.invocations + 1,
    stats: c.stats,
    refused: c.refused,
    from: { walk: c.walk, fetch: c.fetch },
    idleSeconds: Math.max(0, (begun.deps.clock.now() - c.savedAt) / 1000),
  };
}

/** The run's counts so far: the earlier invocations' plus this one's. */
function statsSoFar(carried: Carried, begun: BegunAudit, fetch: FetchStats): ProgressStats {
  const calls = begun.organizationsCalls();
  const { stats } = carried;
  return {
    organizationsApiCalls: stats.organizationsApiCalls + calls.requests,
    organizationsThrottledRequests: stats.organizationsThrottledRequests + calls.throttledRequests,
    securityHubApiCalls: stats.securityHubApiCalls + fetch.apiCalls,
    securityHubThrottledRequests: stats.securityHubThrottledRequests + fetch.throttledRequests,
    splitGroups: stats.splitGroups + fetch.splitGroups,
  };
}

function toCheckpoint(begun: BegunAudit, carried: Carried, saved: SavedCollection, fetch: FetchStats): Checkpoint {
  return {
    version: CHECKPOINT_VERSION,
    runId: begun.run.runId,
    startedAt: carried.startedAt,
    savedAt: begun.deps.clock.now(),
    invocations: carried.invocations,
    refused: carried.refused,
    walk: saved.walk,
    fetch: saved.fetch,
    stats: statsSoFar(carried, begun, fetch),
  };
}

/** A checkpoint read: the one to resume from, if any, and why one was refused, if one was. */
interface CheckpointRead {
  readonly stored: StoredCheckpoint | null;
  readonly refused: string | null;
}

/** Times a checkpoint of a run that started now at the latest could hold; throws otherwise. */
function checkTimes(checkpoint: Checkpoint, now: number): void {
  const { startedAt, savedAt } = checkpoint;
  if (isBeyondClockSkew(startedAt, now) || isBeyondClockSkew(savedAt, now) || savedAt < startedAt) {
    throw new CheckpointIntegrityError(
      `checkpoint times do not fit: started ${new Date(startedAt).toISOString()}, saved ${new Date(savedAt).toISOString()}`,
    );
  }
}

/**
 * The run's checkpoint, or none when there is none, the run finished, or it cannot be used
 * (unsigned, another execution, inconsistent, times in the future): then the run starts
 * over from the live organization and says so. A key-service failure is thrown (transient).
 */
async function readCheckpoint(deps: AuditDeps, store: CheckpointStore, runId: string): Promise<CheckpointRead> {
  try {
    const stored = await store.read();
    if (stored === 'finished') {
      deps.logger?.info('The run already wrote its report; this invocation reads the live organization', { runId });
      return { stored: null, refused: null };
    }
    if (stored !== null) checkTimes(stored.checkpoint, deps.clock.now());
    return { stored, refused: null };
  } catch (error) {
    // Any verdict on the objects (too large included) starts over; a store or key-service failure is thrown.
    if (!(error instanceof AuditError && error.kind === 'INTEGRITY')) throw error;
    // Fail safe: a fresh walk enumerates every target again, so nothing is lost but time.
    const reason = displaySafe(error.message, 300);
    deps.logger?.warn('The run checkpoint cannot be used; the run starts over', { runId, reason });
    return { stored: null, refused: reason };
  }
}

/** The fan-out counts of the whole run, as the summary reports them. */
function runFetchStats(carried: Carried, fetch: FetchStats): FetchStats {
  return {
    ...fetch,
    apiCalls: carried.stats.securityHubApiCalls + fetch.apiCalls,
    throttledRequests: carried.stats.securityHubThrottledRequests + fetch.throttledRequests,
    splitGroups: carried.stats.splitGroups + fetch.splitGroups,
  };
}

/** What one invocation works with. */
interface Invocation {
  readonly begun: BegunAudit;
  readonly carried: Carried;
  readonly writer: CheckpointWriter | null;
}

async function startInvocation(deps: AuditDeps, request: AuditRequest, policy: CheckpointPolicy): Promise<Invocation> {
  const begun = await beginAudit(deps, request);
  const { runId } = begun.run;
  // A manual run gets a new run id every invocation: it neither saves nor resumes.
  if (begun.run.trigger !== 'SCHEDULED') {
    return { begun, carried: carriedFrom(begun, { stored: null, refused: null }), writer: null };
  }
  const signing = { mac: deps.mac, execution: request.execution ?? null };
  const store = new CheckpointStore(deps.store, request.reportPrefix, runId, signing);
  const read = await readCheckpoint(deps, store, runId);
  const { stored } = read;
  const carried = carriedFrom(begun, read);
  if (stored !== null) {
    deps.logger?.info('Resuming the run from its checkpoint', { runId, invocation: carried.invocations });
  }
  const writer = new CheckpointWriter({
    store,
    clock: deps.clock,
    logger: deps.logger,
    runId,
    sequence: stored?.sequence ?? 0,
    resumed: stored !== null,
    intervalMs: policy.intervalMs,
    deadline: request.deadline,
  });
  return { begun, carried, writer };
}

/**
 * True for a failure that says the organization changed since the checkpoint was saved:
 * a container on the saved frontier is gone, or the saved listings and the new ones no
 * longer form one tree (an account or OU moved between rounds).
 */
function isStaleCheckpointError(error: unknown): boolean {
  if (error instanceof OrgTreeError) return true;
  const name = error instanceof OrganizationWalkError && error.cause instanceof Error ? error.cause.name : '';
  return name === 'ParentNotFoundException';
}

/**
 * This invocation's collection, run. A resumed one that finds the organization changed
 * since the checkpoint starts over (fails safe: every target is enumerated again).
 */
async function collect(invocation: Invocation, mayContinue: boolean): Promise<CollectOutcome> {
  const { from } = invocation.carried;
  try {
    return await collectionOf(invocation, mayContinue, from).run();
  } catch (error) {
    if (from === undefined || !isStaleCheckpointError(error)) throw error;
    invocation.begun.deps.logger?.warn('The organization changed since the checkpoint was saved; the run starts over', {
      runId: invocation.begun.run.runId,
      reason: error instanceof Error ? error.message : 'unknown',
    });
    return collectionOf(invocation, mayContinue, undefined).run();
  }
}

/** This invocation's walk and fan-out, checkpointing at intervals when the run has a writer. */
function collectionOf(
  { begun, carried, writer }: Invocation,
  mayContinue: boolean,
  from: SavedCollection | undefined,
): Collection {
  const { deps, request } = begun;
  const collection: Collection = new Collection(
    deps,
    {
      tuning: request.tuning,
      deadline: request.deadline,
      onDeadline: mayContinue && writer !== null ? 'pause' : 'fail',
      onStep: () => writer?.saveIfDue(() => toCheckpoint(begun, carried, collection.snapshot(), collection.stats())),
      idleSeconds: carried.idleSeconds,
    },
    from,
  );
  return collection;
}

/**
 * Runs (or resumes) the audit of `request` under `policy`. A manual run (no schedule
 * time) gets a new run id every invocation, so it neither saves nor resumes checkpoints.
 */
export async function runResumableAudit(
  deps: AuditDeps,
  request: AuditRequest,
  policy: CheckpointPolicy,
): Promise<ResumableOutcome> {
  const invocation = await startInvocation(deps, request, policy);
  const { begun, carried, writer } = invocation;
  const { runId } = begun.run;
  const collected = await collect(invocation, policy.mayContinue).finally(() => writer?.close());
  const tally = () => writer?.tally() ?? { resumed: false, written: 0, bytes: 0 };
  if (collected.status === 'PAUSED') {
    await writer!.save(toCheckpoint(begun, carried, collected.saved, collected.stats));
    return { status: 'CONTINUE', runId, checkpoint: tally() };
  }
  const fetched = { ...collected.fetched, stats: runFetchStats(carried, collected.fetched.stats) };
  checkCollected(begun, { org: collected.org, fetched });
  const outcome = await finishAudit(begun, {
    org: collected.org,
    fetched,
    carried: {
      startedAt: carried.startedAt,
      organizationsApiCalls: carried.stats.organizationsApiCalls,
      organizationsThrottledRequests: carried.stats.organizationsThrottledRequests,
      checkpointRefused: carried.refused,
    },
  });
  // The report is written: nothing of this run is resumed from again (no manifest, nothing to mark).
  if (writer !== null && (tally().resumed || tally().written > 0 || carried.refused !== null)) await writer.finish();
  return { status: 'DONE', runId, outcome, checkpoint: tally() };
}
