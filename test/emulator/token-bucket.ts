/**
 * Server-side request quota, as AWS applies per account and API: a token bucket that
 * refills continuously. Independent of the audit's own client-side bucket on purpose, so
 * the two never share code and a bug in one cannot hide in the other.
 */

/** A quota: sustained requests per second and the bucket size. */
export interface QuotaOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** A token bucket driven by an injectable millisecond clock. */
export class ServerTokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param quota Refill rate and capacity. The bucket starts full, as AWS quotas do.
   * @param clock Milliseconds; real time by default (the emulator serves real HTTP).
   */
  constructor(
    private readonly quota: QuotaOptions,
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (!(quota.ratePerSecond >= 0) || !(quota.burst >= 1)) {
      throw new RangeError(`quota needs ratePerSecond >= 0 and burst >= 1, got ${JSON.stringify(quota)}`);
    }
    this.tokens = quota.burst;
    this.last = clock();
  }

  /** Takes one token if there is one; `false` means the request is to be throttled. */
  tryTake(): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.quota.burst, this.tokens + ((now - this.last) / 1000) * this.quota.ratePerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
