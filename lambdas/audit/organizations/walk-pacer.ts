/**
 * When the organization walk may request its next page: a client-side token bucket
 * (Organizations publishes no request rate for its List* operations, throttles with
 * TooManyRequestsException, and shares its quota with every other caller in the
 * organization), then the run's deadline, at which the walk fails or pauses.
 */
import type { Clock, Sleep } from '../model';
import { systemClock } from '../util/system-clock';
import { TokenBucket } from '../util/token-bucket';
import { countFromNow, type RequestCounter } from '../aws/request-counter';
import { RetryCharge } from '../aws/retry-charge';
import { WalkDeadlineError, WalkPaused } from '../errors';

/** Token bucket settings for the walk's requests, with the clock and sleep it runs on. */
export interface WalkPacing {
  readonly requestsPerSecond: number;
  readonly burst: number;
  /** Tokens the bucket starts with; default `burst` (see TokenBucketOptions.initialTokens). */
  readonly initialTokens?: number;
  /** The Organizations client's attempt counter: the SDK's retries are charged to the bucket (see RetryCharge). */
  readonly requests?: RequestCounter;
  readonly clock: Clock;
  readonly sleep: Sleep;
}

/** The walk options the pacer reads; each is documented on `WalkOptions` (walk-organization.ts). */
export interface PaceSettings {
  readonly pacing?: WalkPacing;
  readonly deadline?: number;
  readonly onDeadline?: 'fail' | 'pause';
  readonly pauseGraceMs?: number;
}

/**
 * The pacing step before every page: a token, then the deadline check. `underWay`: the
 * page continues a listing that has listed pages already.
 */
export type Pace = (underWay: boolean) => Promise<void>;

/** The pacing of one listing's pages: its first page starts the listing, the others continue it. */
export function listingPacer(pace: Pace): () => Promise<void> {
  let pages = 0;
  return async () => {
    await pace(pages > 0);
    pages += 1;
  };
}

/**
 * The {@link Pace} of one walk, shared by all its listings: unpaced without `pacing`; past
 * the deadline it throws {@link WalkDeadlineError}, or in `'pause'` mode {@link WalkPaused}
 * (for a listing under way, only once `pauseGraceMs` has passed too).
 */
export function pacer(options: PaceSettings): Pace {
  const bucket =
    options.pacing && new TokenBucket({ ...options.pacing, ratePerSecond: options.pacing.requestsPerSecond });
  const clock = options.pacing?.clock ?? systemClock;
  const { deadline } = options;
  const graceEnd = (deadline ?? Infinity) + Math.max(0, options.pauseGraceMs ?? 0);
  const pausing = options.onDeadline === 'pause';
  let pages = 0;
  const retries = bucket && new RetryCharge(bucket, countFromNow(options.pacing?.requests));
  // Once paused, no listing starts.
  let paused = false;
  const pastDeadline = () => deadline !== undefined && clock.now() > deadline;
  const stop = (): never => {
    if (!pausing) throw new WalkDeadlineError(pages);
    paused = true;
    throw new WalkPaused();
  };
  return async (underWay) => {
    // Checked before the token as well: a token reserved only to be dropped would delay
    // the pages of the listings still under way by one interval each.
    if (!underWay && (paused || pastDeadline())) stop();
    retries?.settle();
    await bucket?.take();
    if (pastDeadline()) {
      paused = pausing;
      // The token is spent: a page within the grace still uses it, whether or not it starts a listing.
      if (!pausing || clock.now() > graceEnd) stop();
    }
    pages += 1;
    retries?.called();
  };
}
