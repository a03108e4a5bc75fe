import { FastForwardClock } from './fast-forward-clock';

/**
 * Fake time for unit tests, over {@link FastForwardClock}: `sleep` records the wait and
 * moves the clock instead of waiting; `now` reads the clock.
 */
export function fakeTime(start = Date.parse('2026-11-26T02:00:00.000Z')) {
  const clock = new FastForwardClock(start);
  return {
    clock,
    sleep: clock.sleep,
    sleeps: clock.sleeps,
    advance: (ms: number) => clock.advance(ms),
    get now() {
      return clock.now();
    },
  };
}
