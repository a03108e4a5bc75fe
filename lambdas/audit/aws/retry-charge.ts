/**
 * The SDK retries throttled and failed requests by itself, outside any client-side token
 * bucket. A caller paced at the quota then sends one request over it per retry, and those
 * are throttled in turn. Charging every attempt beyond the first of each call to the
 * bucket keeps the caller, retries included, at its rate.
 */
import type { RequestCounter } from './request-counter';

/** A bucket that can be charged for tokens taken outside it (TokenBucket.charge). */
export interface ChargeableBucket {
  charge(tokens: number): void;
}

/** Charges a bucket for the attempts a client made beyond one per call. */
export class RetryCharge {
  private calls = 0;
  private charged = 0;

  constructor(
    private readonly bucket: ChargeableBucket,
    /** The client's attempts since the caller started (see countFromNow). */
    private readonly attempts: () => RequestCounter,
  ) {}

  /** A call is being sent: its first attempt is the caller's own, paid for by its take. */
  called(): void {
    this.calls += 1;
  }

  /**
   * Charges the retries seen since the last time, before the next take. Attempts of calls
   * just begun may not be counted yet; the difference is then charged a little later.
   */
  settle(): void {
    const retries = this.attempts().requests - this.calls;
    if (retries <= this.charged) return;
    this.bucket.charge(retries - this.charged);
    this.charged = retries;
  }
}
