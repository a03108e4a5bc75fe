/**
 * Pacing and back-off of the fan-out's calls: a token bucket that halves its rate once per
 * throttling episode and earns it back on clean calls.
 */
import type { RequestCounter } from '../aws/request-counter';
import type { TokenBucket } from '../util/token-bucket';
import { RetryCharge } from '../aws/retry-charge';

/** Handed out by {@link AdaptivePacer.begin}, given back to {@link AdaptivePacer.end}. */
export type PacerTicket = number;

/**
 * Feeds the bucket's back-off: a call is throttled when it failed with a throttling error,
 * or when the request counter saw throttled attempts (SDK retries inside the call) since
 * the last call ended. A `429` on a single unprocessed entry is not the request rate:
 * those entries have their own re-drive backoff, and slowing every call for them would
 * stretch the whole fan-out.
 */
export class AdaptivePacer {
  private readonly retries: RetryCharge;
  /** Throttled attempts the counter had seen when the last call ended. */
  private throttlesSeen = 0;
  /** Back-offs so far. A call sent before the latest one was already paid for by it. */
  private backOffs = 0;

  constructor(
    private readonly bucket: Pick<TokenBucket, 'take' | 'backOff' | 'recover' | 'charge'>,
    /** Counts of the client's attempts since the fan-out started. */
    private readonly counted: () => RequestCounter,
  ) {
    this.retries = new RetryCharge(bucket, counted);
  }

  /** Resolves when one call may be sent; the SDK's retries so far are charged first. */
  take(): Promise<void> {
    this.retries.settle();
    return this.bucket.take();
  }

  /** Marks a call as sent now. */
  begin(): PacerTicket {
    this.retries.called();
    return this.backOffs;
  }

  /** A call begun with `ticket` ended; `throttled` when it failed with a throttling error. */
  end(ticket: PacerTicket, throttled: boolean): void {
    const seen = this.counted().throttledRequests;
    if (throttled || seen > this.throttlesSeen) {
      // Calls in flight together are one throttling episode: halve the rate once for it.
      if (ticket === this.backOffs) {
        this.bucket.backOff();
        this.backOffs += 1;
      }
    } else {
      this.bucket.recover();
    }
    this.throttlesSeen = seen;
  }
}
