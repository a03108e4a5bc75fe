import { systemClock, systemSleep } from '../../../../lambdas/audit/util/system-clock';

describe('systemClock / systemSleep', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('sleeps on a real timer (driven by fake timers here, so the test never waits)', async () => {
    jest.useFakeTimers();
    try {
      let done = false;
      const sleeping = systemSleep(5000).then(() => {
        done = true;
      });
      await jest.advanceTimersByTimeAsync(4999);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await sleeping;
      expect(done).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('treats negative and non-finite waits as 0', async () => {
    jest.useFakeTimers();
    try {
      const sleeps = [systemSleep(-10), systemSleep(Number.NaN), systemSleep(Infinity)];
      await jest.advanceTimersByTimeAsync(0);
      await expect(Promise.all(sleeps)).resolves.toEqual([undefined, undefined, undefined]);
    } finally {
      jest.useRealTimers();
    }
  });
});
