/**
 * The production {@link Clock} and {@link Sleep}. Everything else receives these as
 * arguments, so tests can pass a fake clock and a sleep that returns at once.
 */
import type { Clock, Sleep } from '../model';

/** Wall-clock time from `Date.now()`. */
export const systemClock: Clock = {
  now: () => Date.now(),
};

/**
 * Waits `ms` milliseconds on a real timer. Negative or non-finite values wait 0 ms, so a
 * computed delay that came out slightly negative never throws.
 */
export const systemSleep: Sleep = (ms) =>
  new Promise<void>((resolve) => {
    // The timer is deliberately not unref()'d: in Lambda an idle event loop ends the invocation.
    setTimeout(resolve, Number.isFinite(ms) && ms > 0 ? ms : 0);
  });
