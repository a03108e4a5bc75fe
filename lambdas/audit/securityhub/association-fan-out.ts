/**
 * The Security Hub fan-out: BatchGetConfigurationPolicyAssociations for every target,
 * in groups, paced by a token bucket, with bounded concurrency, splitting groups the
 * service rejects because of one of their targets and re-driving retryable unprocessed
 * entries with backoff until the work is done, the rounds run out or the deadline comes.
 *
 * Batch size: the API reference documents no maximum number of entries for
 * `ConfigurationPolicyAssociationIdentifiers` - the parameter says only "Type: Array of
 * ConfigurationPolicyAssociation objects. Required: Yes", with no "Array Members" limit:
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchGetConfigurationPolicyAssociations.html
 * Hence a configurable group size (default 50) and, should the service still reject a
 * group as too large (InvalidInputException), splitting it in halves down to single targets.
 *
 * This module runs the rounds: the first pass is streamed (targets may be added while they
 * are still being discovered, and a group is sent as soon as a full group's worth is
 * waiting, with at most `concurrency` calls in flight); once no more targets come ({@link
 * AssociationFanOut.finish}), the last partial group goes out, and the retryable leftovers
 * of every group are re-driven in new groups after full-jitter backoff, until they
 * succeed, the rounds run out or the deadline comes. A fan-out can be saved and restored,
 * so a run spread over several invocations carries on where it stood.
 *
 * The other units: association-answers.ts maps answers, adaptive-pacer.ts paces,
 * target-ledger.ts tracks per-target results, group-sender.ts sends and splits one group.
 */
import { countFromNow } from '../aws/request-counter';
import type { FetchResult, FetchStats } from '../model';
import { fullJitterDelay } from '../util/backoff';
import { createLimiter, mapConcurrent, type Limiter } from '../util/map-concurrent';
import { TokenBucket } from '../util/token-bucket';
import { AdaptivePacer } from './adaptive-pacer';
import { validateFetchOptions, type FetchDeps, type FetchOptions, type FetchTarget } from './fetch-types';
import { GroupSender } from './group-sender';
import { TargetLedger, type LedgerProgress, type TargetEntry } from './target-ledger';
import { InvariantError } from '../errors';

/** What a resumable run saves of a fan-out: the answers so far and the re-drive rounds completed. */
export interface SavedFanOut extends LedgerProgress {
  readonly redriveRounds: number;
}

/**
 * See the module comment. One instance serves one invocation. Every added (de-duplicated)
 * target ends up in exactly one of `associations` or `unprocessed`, or in neither when the
 * service's latest answer for it mentioned it in neither list (the caller reports that as
 * MISSING); targets never sent because the deadline came first are unprocessed with
 * `DEADLINE_EXCEEDED`.
 */
export class AssociationFanOut {
  private readonly ledger = new TargetLedger();
  private readonly sender: GroupSender;
  private readonly limit: Limiter;
  private readonly counted: ReturnType<typeof countFromNow>;
  /** Targets added but not yet in a first-pass group. */
  private queue: TargetEntry[] = [];
  /** Retry ids of each first-pass group, in the order the groups were formed. */
  private readonly firstPass: Promise<readonly string[]>[] = [];
  private closed = false;
  private redriveAttempts = 0;
  /** Re-drive rounds whose every group has an outcome; a round cut short is redone on resume. */
  private roundsCompleted = 0;
  /** Ids due a re-drive round that an earlier invocation left. */
  private restoredRetry: readonly string[] = [];
  private roundsCutByDeadline = false;

  constructor(
    private readonly deps: FetchDeps,
    private readonly options: FetchOptions,
  ) {
    validateFetchOptions(options);
    const { clock, sleep } = deps;
    const bucket = new TokenBucket({
      ratePerSecond: options.requestsPerSecond,
      burst: options.burst,
      initialTokens: deps.initialTokens,
      clock,
      sleep,
    });
    this.counted = countFromNow(deps.requestCounter);
    this.limit = createLimiter(options.concurrency);
    this.sender = new GroupSender({
      client: deps.client,
      clock,
      deadline: deps.deadline,
      ledger: this.ledger,
      pacer: new AdaptivePacer(bucket, this.counted),
      groupSize: options.groupSize,
      onProgress: deps.onProgress,
    });
  }

  /** The refusal of the whole API that stops the fan-out, once one came; adding more is pointless then. */
  get failure(): Error | undefined {
    return this.sender.fatal;
  }

  /** Targets with an outcome so far, and targets known so far. */
  get progress(): { readonly done: number; readonly total: number } {
    return { done: this.ledger.settled.size, total: this.ledger.total };
  }

  /**
   * Carries on from an earlier invocation's fan-out: `targets` are every target known then
   * (in order), `saved` its answers. Targets without an answer are asked for again; those
   * due a re-drive join the first round. Call once, before anything else.
   */
  restore(targets: readonly FetchTarget[], saved: SavedFanOut): void {
    const { pending, redrive } = this.ledger.restore(targets, saved);
    this.restoredRetry = redrive;
    this.redriveAttempts = saved.redriveRounds;
    this.roundsCompleted = saved.redriveRounds;
    this.enqueue(pending);
  }

  /** The answers so far and the rounds completed: consistent whenever it is called. */
  saved(): SavedFanOut {
    return { ...this.ledger.progress(), redriveRounds: this.roundsCompleted };
  }

  /** The counts so far. */
  stats(): FetchStats {
    return this.result().stats;
  }

  /** Adds targets (ids already known are ignored) and sends every full group now waiting. */
  add(targets: readonly FetchTarget[]): void {
    if (this.closed) throw new InvariantError('targets added to a finished fan-out');
    this.enqueue(this.ledger.add(targets));
  }

  private enqueue(entries: readonly TargetEntry[]): void {
    this.queue.push(...entries);
    while (this.queue.length >= this.sender.groupSizeLimit)
      this.dispatch(this.queue.splice(0, this.sender.groupSizeLimit));
  }

  /**
   * No more targets: sends the rest, re-drives, and returns every known target's outcome.
   *
   * @throws SecurityHubFetchError when the service refused the whole API.
   */
  async finish(): Promise<FetchResult> {
    this.closed = true;
    if (this.queue.length > 0) this.dispatch(this.queue.splice(0));
    let retry = [...this.restoredRetry, ...(await Promise.all(this.firstPass)).flat()];
    for (
      let round = this.roundsCompleted + 1;
      round <= this.options.maxRedriveAttempts && retry.length > 0;
      round += 1
    ) {
      if (!(await this.waitForRound(round))) break;
      this.redriveAttempts = round;
      // New groups: the retryable leftovers of many groups are packed together again.
      retry = await this.runRound([...new Set(retry)]);
      if (!this.sender.deadlineReached) this.roundsCompleted = round;
    }
    return this.result();
  }

  /**
   * Sends nothing more (what waits is left unanswered, for a later invocation) and waits
   * for the calls in flight.
   *
   * @throws SecurityHubFetchError when the service refused the whole API.
   */
  async pause(): Promise<void> {
    this.closed = true;
    this.sender.cancelled = true;
    this.queue = [];
    await Promise.all(this.firstPass);
  }

  /** Sends nothing more and waits for the calls in flight; for a run that failed elsewhere. */
  async abandon(): Promise<void> {
    this.closed = true;
    this.sender.cancelled = true;
    this.queue = [];
    await Promise.allSettled(this.firstPass);
  }

  private dispatch(group: TargetEntry[]): void {
    const retry = this.limit(() => this.sender.send(group)).then((outcome) => outcome.retry);
    // Awaited in finish(); until then a refusal must not count as an unhandled rejection.
    retry.catch(() => undefined);
    this.firstPass.push(retry);
  }

  /** Sleeps before re-drive round `round`; false when the deadline forbids the round. */
  private async waitForRound(round: number): Promise<boolean> {
    const { clock, deadline, sleep } = this.deps;
    const delay = fullJitterDelay(round - 1, this.options, this.deps.random ?? Math.random);
    if (clock.now() + delay >= deadline) {
      this.roundsCutByDeadline = true;
      return false;
    }
    await sleep(delay);
    // The process may have stalled during the sleep; a round that sends nothing is not counted.
    if (clock.now() >= deadline) {
      this.roundsCutByDeadline = true;
      return false;
    }
    return true;
  }

  private async runRound(ids: readonly string[]): Promise<string[]> {
    const entries = this.ledger.entriesOf(ids);
    const size = this.sender.groupSizeLimit;
    const groups: TargetEntry[][] = [];
    for (let i = 0; i < entries.length; i += size) groups.push(entries.slice(i, i + size));
    const outcomes = await mapConcurrent(groups, this.options.concurrency, (group) => this.sender.send(group));
    return outcomes.flatMap((outcome) => outcome.retry);
  }

  private result(): FetchResult {
    const counts = this.counted();
    return {
      associations: this.ledger.associations,
      unprocessed: this.ledger.unprocessed,
      stats: {
        // Without a counter, only our own sends are known (SDK retries are invisible).
        apiCalls: this.deps.requestCounter ? counts.requests : this.sender.sends,
        throttledRequests: counts.throttledRequests,
        redriveAttempts: this.redriveAttempts,
        splitGroups: this.sender.splitGroups,
        deadlineReached: this.sender.deadlineReached || this.roundsCutByDeadline,
      },
    };
  }
}
