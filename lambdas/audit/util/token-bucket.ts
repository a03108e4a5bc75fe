/**
 * Client-side token bucket that paces our own requests below the service's quota, so
 * the SDK's retries are for the unexpected, not for our own bursts.
 *
 * Security Hub (CSPM) documents its API throttling in the service documentation (API
 * Reference welcome page, also shipped as the @aws-sdk/client-securityhub README):
 * "All other operations - RateLimit of 10 requests per second. BurstLimit of 30 requests
 * per second." BatchGetConfigurationPolicyAssociations is not listed by name, so it falls
 * under "all other operations".
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html
 * The quota is per account and Region and shared with every other caller in the delegated
 * administrator account, which is why our defaults (8/s, burst 10) stay below it, and why
 * the bucket backs off when the service throttles anyway (someone else is spending the
 * quota): it halves its rate on each throttling signal and earns it back step by step on
 * successes (additive increase, multiplicative decrease), all on the injected clock.
 */
import type { Clock, Sleep } from '../model';

/** Construction parameters for {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Steady refill rate, tokens per second. */
  readonly ratePerSecond: number;
  /** Bucket capacity: how many takes may pass back to back after an idle period. */
  readonly burst: number;
  /**
   * Tokens in the bucket at construction, 0 to `burst`; default `burst` (full). A run that
   * resumes soon after its previous invocation starts with what the service's own bucket
   * has earned back since, not with a burst the service has already seen.
   */
  readonly initialTokens?: number;
  readonly clock: Clock;
  readonly sleep: Sleep;
}

/**
 * A token bucket that starts full (or with `initialTokens`). {@link TokenBucket.take} reserves a token right away
 * and then sleeps until that token is due, so concurrent callers are spaced `1/rate`
 * seconds apart in call order without a queue.
 *
 * Implemented in its equivalent "virtual scheduling" form (GCRA): instead of a fractional
 * token count it keeps the time at which the bucket would be full again. That keeps every
 * wait a whole, exact number of milliseconds when `1000 / rate` is whole (8/s -> 125 ms),
 * with no floating-point drift across thousands of takes.
 */
export class TokenBucket {
  /** The configured rate: the ceiling that {@link TokenBucket.recover} climbs back to. */
  private readonly baseRate: number;
  /** The rate in force, between {@link TokenBucket.minRate} and the base rate. */
  private rate: number;
  /** Time between two tokens at the current rate, ms. */
  private intervalMs: number;
  /** How far ahead of "now" reservations may run before callers must wait: (burst - 1) intervals. */
  private toleranceMs: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  /** Theoretical arrival time of the next token; <= now means the bucket is full. */
  private nextDue: number;
  /** Last clock reading, to notice a clock that steps backwards. */
  private lastNow: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !Number.isFinite(options.ratePerSecond)) {
      throw new RangeError(`ratePerSecond must be a positive number, got ${options.ratePerSecond}`);
    }
    if (!Number.isInteger(options.burst) || options.burst < 1) {
      throw new RangeError(`burst must be a positive integer, got ${options.burst}`);
    }
    this.baseRate = options.ratePerSecond;
    this.rate = options.ratePerSecond;
    this.intervalMs = 1000 / this.rate;
    this.toleranceMs = (options.burst - 1) * this.intervalMs;
    this.burst = options.burst;
    this.clock = options.clock;
    this.sleep = options.sleep;
    this.lastNow = options.clock.now();
    const wanted = options.initialTokens ?? this.burst;
    const initial = Number.isFinite(wanted) ? Math.min(this.burst, Math.max(0, wanted)) : this.burst;
    // `burst - initial` tokens are owed: the bucket is full again that many intervals from now.
    this.nextDue = this.lastNow + (this.burst - initial) * this.intervalMs;
  }

  /** Resolves when the caller may send one request. Never rejects unless `sleep` does. */
  take(): Promise<void> {
    const now = this.observe();
    // After an idle period the bucket is full, not "owed" tokens beyond its capacity.
    const due = Math.max(this.nextDue, now);
    const startAt = due - this.toleranceMs;
    this.nextDue = due + this.intervalMs;
    const waitMs = Math.ceil(startAt - now);
    return waitMs > 0 ? this.sleep(waitMs) : Promise.resolve();
  }

  /**
   * Takes `tokens` more without waiting, for requests sent outside the bucket (an SDK
   * retry): the takes that follow wait for them, so every attempt counts against the rate.
   */
  charge(tokens: number): void {
    if (!(tokens > 0) || !Number.isFinite(tokens)) return;
    this.nextDue = Math.max(this.nextDue, this.observe()) + tokens * this.intervalMs;
  }

  /**
   * The lowest rate {@link TokenBucket.backOff} goes down to: 1/16 of the configured rate,
   * but not below 0.5/s (nor above the configured rate), so that a wait for one token stays
   * a matter of seconds, well inside the run's deadline margin.
   */
  get minRate(): number {
    return Math.min(this.baseRate, Math.max(this.baseRate / 16, 0.5));
  }

  /** The rate in force now, requests per second. */
  get currentRate(): number {
    return this.rate;
  }

  /**
   * The service throttled: halve the rate (not below {@link TokenBucket.minRate}) and
   * empty the bucket, so the next take waits a full interval at the new rate.
   */
  backOff(): void {
    const now = this.observe();
    this.setRate(Math.max(this.minRate, this.rate / 2), now);
    this.nextDue = Math.max(this.nextDue, now + this.toleranceMs + this.intervalMs);
  }

  /** A call went through unthrottled: climb back by 1/16 of the configured rate. */
  recover(): void {
    if (this.rate < this.baseRate)
      this.setRate(Math.min(this.baseRate, this.rate + this.baseRate / 16), this.observe());
  }

  /**
   * Changes the rate keeping the bucket's level in tokens (including reservations already
   * waiting): only the pace of what comes next changes, so raising the rate never makes
   * the next caller wait longer.
   */
  private setRate(rate: number, now: number): void {
    const tokens = (now + this.toleranceMs + this.intervalMs - Math.max(this.nextDue, now)) / this.intervalMs;
    this.rate = rate;
    this.intervalMs = 1000 / rate;
    this.toleranceMs = (this.burst - 1) * this.intervalMs;
    this.nextDue = now + this.toleranceMs + this.intervalMs - tokens * this.intervalMs;
  }

  /** Tokens available now (negative while reservations are waiting); for tests and logs. */
  available(): number {
    const now = this.observe();
    const due = Math.max(this.nextDue, now);
    return Math.min(this.burst, (now + this.toleranceMs + this.intervalMs - due) / this.intervalMs);
  }

  /**
   * Reads the clock. If it stepped backwards (e.g. an NTP correction) the schedule moves
   * back with it, so the step neither drains the bucket nor grants extra tokens.
   */
  private observe(): number {
    const now = this.clock.now();
    if (now < this.lastNow) this.nextDue -= this.lastNow - now;
    this.lastNow = now;
    return now;
  }
}
