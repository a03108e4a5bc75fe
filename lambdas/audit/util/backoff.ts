/**
 * Exponential backoff with "full jitter": the delay is drawn uniformly from
 * `[0, min(maxDelayMs, baseDelayMs * 2^attempt))`. Full jitter spreads competing
 * clients out better than equal or decorrelated jitter for the same total work
 * (see the AWS Architecture Blog post "Exponential Backoff And Jitter").
 */

/** Tuning of {@link fullJitterDelay}. */
export interface BackoffOptions {
  /** Ceiling for attempt 0, in ms. */
  readonly baseDelayMs: number;
  /** Upper bound for the ceiling, in ms. */
  readonly maxDelayMs: number;
}

/**
 * The un-jittered ceiling for an attempt: `min(maxDelayMs, baseDelayMs * 2^attempt)`.
 *
 * @param attempt - 0 for the first retry, 1 for the second, ...
 */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`attempt must be a non-negative integer, got ${attempt}`);
  }
  if (!(options.baseDelayMs >= 0) || !(options.maxDelayMs >= 0)) {
    throw new RangeError('baseDelayMs and maxDelayMs must be non-negative');
  }
  // 2 ** attempt grows past Number.MAX_SAFE_INTEGER quickly; min() keeps the result bounded
  // (Infinity * base is Infinity, and min(max, Infinity) is max).
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
}

/**
 * Full-jitter delay in whole milliseconds: `floor(random() * backoffCeiling(attempt))`.
 *
 * @param attempt - 0 for the first retry, 1 for the second, ...
 * @param random - injected so tests get exact delays; must return a value in [0, 1).
 */
export function fullJitterDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const r = random();
  // Clamp a misbehaving random source rather than sleeping a negative or oversized time.
  const clamped = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.floor(clamped * backoffCeiling(attempt, options));
}
