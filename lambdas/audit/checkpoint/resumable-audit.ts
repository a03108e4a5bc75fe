/**
 * The audit as a run that may span several invocations: it saves its progress to S3
 * under its own run id after the walk and at intervals during the fan-out, and when the
 * deadline comes with work left it saves once more and says CONTINUE instead of writing
 * an INCOMPLETE report. The next invocation for the same run id (the same schedule time)
 * resumes from the checkpoint: the walk is not repeated, and targets with a definite
 * answer are not asked again. The report of a resumed run has the same rows and counts
 * as an uninterrupted run's.
 */
import type { AuditTuning } from '../config';
import type { FetchStats, OrgSnapshot } from '../model';
import { fetchAssociations, type FetchOptions, type FetchTarget } from '../securityhub/fetch-associations';
import { fullJitterDelay } from '../util/backoff';
import type { AuditDeps, AuditOutcome, AuditRequest } from '../core/run-audit';
import { beginAudit, checkDocumentsAgainstOrg, finishAudit, walkStep, type BegunAudit } from '../core/audit-steps';
import { fetchOptionsOf } from '../core/collect-associations';
import { CheckpointIntegrityError } from './checkpoint-codec';
import { CHECKPOINT_VERSION, type Checkpoint, type ProgressStats } from './checkpoint-schema';
import { CheckpointStore, type StoredCheckpoint } from './checkpoint-store';
import { foldFetchResult, freshProgress, settleProgress, type FetchProgress } from './fetch-progress';

/** How a run checkpoints. */
export interface CheckpointPolicy {
  /**
   * When the deadline comes with work left: `true` saves a checkpoint and returns
   * CONTINUE (a Step Functions round follows); `false` writes the report as it stands.
   */
  readonly mayContinue: boolean;
  /** Least time between two checkpoints during the fan-out: bounds the cost of checkpointing. */
  readonly intervalMs: number;
  /** Targets per fan-out slice; a checkpoint can follow any slice. Bounds the work an invocation that dies loses. */
  readonly sliceTargets: number;
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

/** Checkpointing done by one invocation. */
export interface CheckpointTally {
  /** Whether the invocation started from a checkpoint. */
  readonly resumed: boolean;
  readonly written: number;
  /** Compressed bytes written. */
  readonly bytes: number;
}

interface RunState {
  readonly org: OrgSnapshot;
  readonly progress: FetchProgress;
  readonly startedAt: number;
  readonly invocations: number;
  redriveRounds: number;
  /** Counts of earlier invocations plus this one's Security Hub calls so far. */
  stats: ProgressStats;
  sequence: number;
}

const ZERO_STATS: ProgressStats = {
  organizationsApiCalls: 0,
  organizationsThrottledRequests: 0,
  securityHubApiCalls: 0,
  securityHubThrottledRequests: 0,
  redriveAttempts: 0,
  splitGroups: 0,
};

function fromCheckpoint(c: Checkpoint, sequence: number): RunState {
  return {
    org: c.org,
    progress: {
      associations: new Map(c.associations.map((a) => [a.targetId, a])),
      unprocessed: new Map(c.unprocessed.map((u) => [u.targetId, u])),
      pending: [...c.pending],
      redrive: new Map(c.redrive.map((u) => [u.targetId, u])),
    },
    startedAt: c.startedAt,
    invocations: c.invocations + 1,
    redriveRounds: c.redriveRounds,
    stats: c.stats,
    sequence,
  };
}

/** The checkpoint of `state`, with this invocation's Organizations calls added. */
function toCheckpoint(state: RunState, begun: BegunAudit): Checkpoint {
  const calls = begun.organizationsCalls();
  const { progress } = state;
  return {
    version: CHECKPOINT_VERSION,
    runId: begun.run.runId,
    phase: 'fetch',
    startedAt: state.startedAt,
    invocations: state.invocations,
    org: { rootIds: [...state.org.rootIds], targets: [...state.org.targets], rejected: [...state.org.rejected] },
    associations: [...progress.associations.values()],
    unprocessed: [...progress.unprocessed.values()],
    pending: [...progress.pending],
    redrive: [...progress.redrive.values()],
    redriveRounds: state.redriveRounds,
    stats: {
      ...state.stats,
      organizationsApiCalls: state.stats.organizationsApiCalls + calls.requests,
      organizationsThrottledRequests: state.stats.organizationsThrottledRequests + calls.throttledRequests,
      redriveAttempts: state.redriveRounds,
    },
  };
}

/** The run's checkpoint, or `null` when there is none or it cannot be trusted (then the run starts over). */
async function readCheckpoint(deps: AuditDeps, store: CheckpointStore | null, runId: string) {
  if (store === null) return null;
  try {
    return await store.read();
  } catch (error) {
    if (!(error instanceof CheckpointIntegrityError)) throw error;
    // Fail safe: a fresh walk enumerates every target again, so nothing is lost but time.
    deps.logger?.warn('The run checkpoint cannot be trusted; the run starts over', { runId, reason: error.message });
    return null;
  }
}

/** Writes a run's checkpoints and counts them. */
interface CheckpointWriter {
  /** False for a manual run: it has no checkpoint store, so it can neither save nor continue. */
  readonly enabled: boolean;
  /** Saves `state` as the run's next checkpoint (a no-op when not enabled). */
  save(state: RunState): Promise<void>;
  /** The checkpointing done so far by this invocation. */
  tally(): CheckpointTally;
}

/** The run's {@link CheckpointWriter}; `resumed` says whether this invocation started from a checkpoint. */
function checkpointWriter(
  deps: AuditDeps,
  store: CheckpointStore | null,
  begun: BegunAudit,
  resumed: boolean,
): CheckpointWriter {
  let written = 0;
  let bytesWritten = 0;
  return {
    enabled: store !== null,
    async save(state) {
      if (store === null) return;
      state.sequence += 1;
      const bytes = await store.write(toCheckpoint(state, begun), state.sequence);
      written += 1;
      bytesWritten += bytes;
      deps.logger?.info('Checkpoint written', { runId: begun.run.runId, bytes, sequence: state.sequence });
    },
    tally: () => ({ resumed, written, bytes: bytesWritten }),
  };
}

/**
 * The state this invocation starts from: the stored checkpoint's, or a fresh walk's, which
 * is saved at once so a later invocation never repeats the walk.
 */
async function startState(
  deps: AuditDeps,
  request: AuditRequest,
  begun: BegunAudit,
  stored: StoredCheckpoint | null,
  writer: CheckpointWriter,
): Promise<RunState> {
  if (stored !== null) {
    const state = fromCheckpoint(stored.checkpoint, stored.sequence);
    // The walk is not repeated, so its check of the documents (re-read every invocation) is
    // done here, with walkStep's rule: a partial walk (entries rejected) skips it.
    if (state.org.rejected.length === 0) checkDocumentsAgainstOrg(request, begun.documents, state.org);
    deps.logger?.info('Resuming the run from its checkpoint', {
      runId: begun.run.runId,
      invocation: state.invocations,
    });
    return state;
  }
  const org = await walkStep(begun);
  const state: RunState = {
    org,
    progress: freshProgress(org.targets.map((t) => t.id)),
    startedAt: begun.startedAt,
    invocations: 1,
    redriveRounds: 0,
    stats: ZERO_STATS,
    sequence: 0,
  };
  await writer.save(state);
  return state;
}

/** `action`, but only once at least `intervalMs` has passed since the last time (or since now). */
function atMostEvery(deps: AuditDeps, intervalMs: number, action: () => Promise<void>): () => Promise<void> {
  let last = deps.clock.now();
  return async () => {
    if (deps.clock.now() - last < intervalMs) return;
    await action();
    last = deps.clock.now();
  };
}

/** What finishAudit needs from the run: the fetch results and the counts carried over from earlier invocations. */
function finishInput(state: RunState, deadlineReached: boolean): Parameters<typeof finishAudit>[1] {
  return {
    org: state.org,
    fetched: {
      associations: state.progress.associations,
      unprocessed: state.progress.unprocessed,
      stats: {
        apiCalls: state.stats.securityHubApiCalls,
        throttledRequests: state.stats.securityHubThrottledRequests,
        redriveAttempts: state.redriveRounds,
        splitGroups: state.stats.splitGroups,
        deadlineReached,
      },
    },
    carried: {
      startedAt: state.startedAt,
      organizationsApiCalls: state.stats.organizationsApiCalls,
      organizationsThrottledRequests: state.stats.organizationsThrottledRequests,
    },
  };
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
  const begun = await beginAudit(deps, request);
  const { runId } = begun.run;
  const store = begun.run.trigger === 'SCHEDULED' ? new CheckpointStore(deps.store, request.reportPrefix, runId) : null;
  const stored = await readCheckpoint(deps, store, runId);
  const writer = checkpointWriter(deps, store, begun, stored !== null);
  const state = await startState(deps, request, begun, stored, writer);

  const saveIfDue = atMostEvery(deps, policy.intervalMs, () => writer.save(state));
  const finished = await fanOut(deps, request.tuning, request.deadline, state, policy.sliceTargets, saveIfDue);
  if (!finished && policy.mayContinue && writer.enabled) {
    await writer.save(state);
    return { status: 'CONTINUE', runId, checkpoint: writer.tally() };
  }
  if (!finished) {
    deps.logger?.warn('Deadline reached while fetching; the run is written as it stands', { runId });
    settleProgress(state.progress);
  }
  const outcome = await finishAudit(begun, finishInput(state, !finished));
  return { status: 'DONE', runId, outcome, checkpoint: writer.tally() };
}

/** Asks Security Hub for some targets once; false when some were not sent because the deadline came. */
type AskSlice = (ids: readonly string[]) => Promise<boolean>;

/** What the passes of one fan-out share. */
interface FanOutContext {
  readonly deps: AuditDeps;
  readonly options: FetchOptions;
  readonly deadline: number;
  readonly state: RunState;
  readonly sliceTargets: number;
  readonly ask: AskSlice;
  readonly afterSlice: () => Promise<void>;
}

/** Adds one fetch's Security Hub counts to the run's. */
function addFetchStats(state: RunState, stats: FetchStats): void {
  state.stats = {
    ...state.stats,
    securityHubApiCalls: state.stats.securityHubApiCalls + stats.apiCalls,
    securityHubThrottledRequests: state.stats.securityHubThrottledRequests + stats.throttledRequests,
    splitGroups: state.stats.splitGroups + stats.splitGroups,
  };
}

/** The {@link AskSlice} of a run: each call fetches once (no re-drives: the caller's rounds do those) and folds the answers into the progress. */
function sliceAsker(deps: AuditDeps, options: FetchOptions, deadline: number, state: RunState): AskSlice {
  const byId = new Map<string, FetchTarget>(state.org.targets.map((t) => [t.id, t]));
  const { progress } = state;
  const total = state.org.targets.length;
  let burst = options.burst;
  return async (ids) => {
    const result = await fetchAssociations(
      ids.map((id) => byId.get(id)!),
      {
        client: deps.securityHub,
        clock: deps.clock,
        sleep: deps.sleep,
        random: deps.random,
        deadline,
        requestCounter: deps.securityHubCounter,
      },
      { ...options, burst, maxRedriveAttempts: 0 },
    );
    // Later slices start with one token: the service's bucket was spent by the earlier ones.
    burst = 1;
    addFetchStats(state, result.stats);
    const notSent = foldFetchResult(progress, ids, result);
    const settled = total - progress.pending.length - notSent.length - progress.redrive.size;
    deps.onProgress?.({ phase: 'fetch', done: settled, total });
    if (notSent.length === 0) return true;
    // Back to where they came from: never-asked targets to the front of the queue.
    progress.pending.unshift(...notSent.filter((id) => !progress.redrive.has(id)));
    return false;
  };
}

/** The first pass over the targets never asked. Each slice leaves the queue before it is asked, so progress counts it as in flight. */
async function firstPass(ctx: FanOutContext): Promise<boolean> {
  const { pending } = ctx.state.progress;
  while (pending.length > 0) {
    if (!(await ctx.ask(pending.splice(0, ctx.sliceTargets)))) return false;
    await ctx.afterSlice();
  }
  return true;
}

/** Waits the full-jitter backoff before a re-drive round; false when the round would start at or after the deadline. */
async function backOffBeforeRound(ctx: FanOutContext): Promise<boolean> {
  const { deps, deadline } = ctx;
  const delay = fullJitterDelay(ctx.state.redriveRounds, ctx.options, deps.random);
  if (deps.clock.now() + delay >= deadline) return false;
  await deps.sleep(delay);
  return deps.clock.now() < deadline;
}

/** Re-drive rounds over the targets due one, slice by slice, until none is due or the rounds are used up. */
async function redriveRounds(ctx: FanOutContext): Promise<boolean> {
  const { state, sliceTargets } = ctx;
  const { redrive } = state.progress;
  while (redrive.size > 0 && state.redriveRounds < ctx.options.maxRedriveAttempts) {
    if (!(await backOffBeforeRound(ctx))) return false;
    state.redriveRounds += 1;
    const ids = [...redrive.keys()];
    for (let i = 0; i < ids.length; i += sliceTargets) {
      if (!(await ctx.ask(ids.slice(i, i + sliceTargets)))) return false;
      await ctx.afterSlice();
    }
  }
  return true;
}

/**
 * The fan-out in slices: a first pass over the targets never asked, then re-drive rounds
 * with full-jitter backoff over those due one, `afterSlice` after every slice. Returns
 * `false` when the deadline came with work left.
 */
async function fanOut(
  deps: AuditDeps,
  tuning: AuditTuning,
  deadline: number,
  state: RunState,
  sliceTargets: number,
  afterSlice: () => Promise<void>,
): Promise<boolean> {
  const options = fetchOptionsOf(tuning);
  const ask = sliceAsker(deps, options, deadline, state);
  const ctx: FanOutContext = { deps, options, deadline, state, sliceTargets, ask, afterSlice };
  if (!(await firstPass(ctx)) || !(await redriveRounds(ctx))) return false;
  // Re-drives used up: the leftovers keep their last error, as in fetchAssociations.
  const { progress } = state;
  for (const [id, last] of progress.redrive) progress.unprocessed.set(id, last);
  progress.redrive.clear();
  return true;
}
