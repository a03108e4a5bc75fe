import type { Clock, Sleep } from '../../lambdas/audit/model';

/**
 * A virtual clock for the audit core: `sleep(ms)` resolves at once and moves the clock
 * forward by `ms`, so re-drive backoff and client-side pacing cost no real time while the
 * audit still sees time pass as it asked for. The clock moves only by sleeps and
 * {@link FastForwardClock.advance}, so a run's virtual timeline is deterministic.
 *
 * Each caller computes its delay from `now()` just before sleeping (the token bucket and
 * the re-drive loop both do), so back-to-back sleeps land on the intended wake-up times.
 * Real HTTP (the emulator, s3rver, the SDK's own retry delays) still takes real time.
 */
export class FastForwardClock implements Clock {
  private current: number;
  /** Every delay the audit asked to sleep, in call order. */
  readonly sleeps: number[] = [];
  /**
   * Called before each sleep resolves, with the delay and the clock; lets a test make time
   * jump (e.g. past the deadline) at a chosen point of the run.
   */
  onSleep?: (ms: number, clock: FastForwardClock) => void;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves the clock forward by `ms` (a jump, as after a long pause of the process). */
  advance(ms: number): void {
    this.current += Math.max(0, ms);
  }

  readonly sleep: Sleep = async (ms) => {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.sleeps.push(delay);
    this.current += delay;
    this.onSleep?.(delay, this);
    // Yield like a real timer would, so other tasks get to run in between.
    await Promise.resolve();
  };
}
