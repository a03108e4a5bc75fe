/**
 * The fan-out's public types, shared by its units (mapping, pacing, ledger, sender, rounds)
 * so none of them has to import another only for a type.
 */
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { RequestCounter } from '../aws/request-counter';
import type { Clock, OrgTarget, Sleep } from '../model';

/** A target as the fan-out needs it. */
export type FetchTarget = Pick<OrgTarget, 'id' | 'type'>;

/** Collaborators of the fan-out, injected so tests control time and randomness. */
export interface FetchDeps {
  readonly client: SecurityHubClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Jitter source for re-drive backoff, [0, 1); default Math.random. */
  readonly random?: () => number;
  /** Epoch ms: at or after it no request is sent and no re-drive round (or its sleep) starts. */
  readonly deadline: number;
  /** The Security Hub client's per-attempt counter; makes `apiCalls` include SDK retries. */
  readonly requestCounter?: RequestCounter;
  /**
   * Called after each group: targets with an outcome so far (any of the three), of `total`
   * targets known so far (while targets are still being added, `total` grows).
   */
  readonly onProgress?: (done: number, total: number) => void;
  /** Tokens the pacing bucket starts with; default the burst (see TokenBucketOptions.initialTokens). */
  readonly initialTokens?: number;
}

/** Tuning of the fan-out. */
export interface FetchOptions {
  /** Targets per BatchGet call. */
  readonly groupSize: number;
  /** BatchGet calls in flight at once. */
  readonly concurrency: number;
  /** Token bucket refill rate. */
  readonly requestsPerSecond: number;
  /** Token bucket capacity. */
  readonly burst: number;
  /** Re-drive rounds after the first pass. */
  readonly maxRedriveAttempts: number;
  /** Full-jitter backoff base before re-drive round 1 (doubles per round). */
  readonly baseDelayMs: number;
  /** Cap of the backoff ceiling. */
  readonly maxDelayMs: number;
}

/** Throws RangeError for options no fan-out can run with. */
export function validateFetchOptions(options: FetchOptions): void {
  const positiveInts: (keyof FetchOptions)[] = ['groupSize', 'concurrency', 'burst'];
  for (const key of positiveInts) {
    if (!Number.isInteger(options[key]) || options[key] < 1) {
      throw new RangeError(`${key} must be a positive integer, got ${options[key]}`);
    }
  }
  if (!Number.isInteger(options.maxRedriveAttempts) || options.maxRedriveAttempts < 0) {
    throw new RangeError(`maxRedriveAttempts must be a non-negative integer, got ${options.maxRedriveAttempts}`);
  }
  if (!(options.requestsPerSecond > 0)) {
    throw new RangeError(`requestsPerSecond must be positive, got ${options.requestsPerSecond}`);
  }
  if (!(options.baseDelayMs >= 0) || !(options.maxDelayMs >= 0)) {
    throw new RangeError('baseDelayMs and maxDelayMs must be non-negative');
  }
}
