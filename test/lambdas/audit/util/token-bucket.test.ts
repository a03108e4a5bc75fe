import { TokenBucket } from '../../../../lambdas/audit/util/token-bucket';
import { fakeTime } from '../../../support/fake-time';

describe('TokenBucket', () => {
  it('lets a full burst through at once, then paces at the refill rate', async () => {
    const time = fakeTime(0);
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 3, ...time });

    for (let i = 0; i < 3; i += 1) await bucket.take();
    expect(time.sleeps).toEqual([]);
    expect(time.now).toBe(0);

    for (let i = 0; i < 4; i += 1) await bucket.take();
    expect(time.sleeps).toEqual([500, 500, 500, 500]);
    expect(time.now).toBe(2000);
  });

  it('starts with `initialTokens` when given (clamped to 0..burst), then refills at the rate', async () => {
    const time = fakeTime(0);
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 3, initialTokens: 1, ...time });
    expect(bucket.available()).toBe(1);
    for (let i = 0; i < 3; i += 1) await bucket.take();
    expect(time.sleeps).toEqual([500, 500]);

    expect(new TokenBucket({ ratePerSecond: 2, burst: 3, initialTokens: 0, ...fakeTime(0) }).available()).toBe(0);
    expect(new TokenBucket({ ratePerSecond: 2, burst: 3, initialTokens: 9, ...fakeTime(0) }).available()).toBe(3);
    expect(new TokenBucket({ ratePerSecond: 2, burst: 3, initialTokens: -4, ...fakeTime(0) }).available()).toBe(0);
    expect(new TokenBucket({ ratePerSecond: 2, burst: 3, initialTokens: NaN, ...fakeTime(0) }).available()).toBe(3);
  });

  it('charges tokens taken outside it: the takes that follow wait for them', async () => {
    const time = fakeTime(0);
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 1, ...time });
    await bucket.take();
    bucket.charge(2);
    bucket.charge(-1);
    bucket.charge(NaN);
    await bucket.take();
    expect(time.sleeps).toEqual([1500]);
  });

  it('spaces concurrent callers one interval apart without a queue', async () => {
    const time = fakeTime(0);
    // This fake sleep does not advance the clock: all five callers arrive at t=0.
    const sleeps: number[] = [];
    const bucket = new TokenBucket({
      ratePerSecond: 10,
      burst: 2,
      clock: time.clock,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });
    await Promise.all([bucket.take(), bucket.take(), bucket.take(), bucket.take(), bucket.take()]);
    expect(sleeps).toEqual([100, 200, 300]);
  });

  it('refills while idle but never beyond the burst', async () => {
    const time = fakeTime(1_000_000);
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 3, ...time });
    for (let i = 0; i < 3; i += 1) await bucket.take();
    expect(bucket.available()).toBe(0);

    time.advance(1000); // two tokens back
    expect(bucket.available()).toBe(2);
    await bucket.take();
    await bucket.take();
    expect(time.sleeps).toEqual([]);
    await bucket.take();
    expect(time.sleeps).toEqual([500]);

    time.advance(3_600_000); // an hour idle: still only a burst of 3
    expect(bucket.available()).toBe(3);
    for (let i = 0; i < 4; i += 1) await bucket.take();
    expect(time.sleeps).toEqual([500, 500]);
  });

  it('keeps exact whole-millisecond waits over many takes (no drift)', async () => {
    const time = fakeTime(0);
    const bucket = new TokenBucket({ ratePerSecond: 8, burst: 10, ...time });
    for (let i = 0; i < 1010; i += 1) await bucket.take();
    expect(time.sleeps).toHaveLength(1000);
    expect(new Set(time.sleeps)).toEqual(new Set([125]));
    expect(time.now).toBe(125_000);
  });

  it('does not drain when the clock steps backwards', async () => {
    const time = fakeTime(10_000);
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 2, ...time });
    time.advance(-5000);
    await bucket.take();
    await bucket.take();
    expect(time.sleeps).toEqual([]);
  });

  it('halves its rate on backOff, empties the burst, and never goes below 1/16 of the configured rate', async () => {
    const time = fakeTime(0);
    const bucket = new TokenBucket({ ratePerSecond: 8, burst: 4, ...time });
    bucket.backOff();
    expect(bucket.currentRate).toBe(4);
    await bucket.take();
    // The burst is gone: the first take after a throttle waits a full interval at the new rate.
    expect(time.sleeps).toEqual([250]);
    for (let i = 0; i < 10; i += 1) bucket.backOff();
    expect(bucket.currentRate).toBe(0.5);
  });

  it('never makes the next caller wait longer when the rate goes back up', async () => {
    const time = fakeTime(0);
    const bucket = new TokenBucket({ ratePerSecond: 8, burst: 10, ...time });
    for (let i = 0; i < 4; i += 1) bucket.backOff();
    bucket.recover();
    await bucket.take();
    // One interval at the rate in force (0.5 + 0.5 = 1/s), not the tolerance lost in between.
    expect(time.sleeps).toEqual([1000]);
  });

  it('climbs back by 1/16 of the configured rate per recover, up to it and no further', () => {
    const time = fakeTime(0);
    const bucket = new TokenBucket({ ratePerSecond: 8, burst: 1, ...time });
    bucket.backOff();
    for (let i = 0; i < 7; i += 1) bucket.recover();
    expect(bucket.currentRate).toBe(7.5);
    bucket.recover();
    bucket.recover();
    expect(bucket.currentRate).toBe(8);
  });

  it('rejects nonsense settings', () => {
    const time = fakeTime(0);
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1, ...time })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: Infinity, burst: 1, ...time })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0, ...time })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 1.5, ...time })).toThrow(RangeError);
  });
});
