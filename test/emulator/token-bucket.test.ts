import { ServerTokenBucket } from './token-bucket';

describe('ServerTokenBucket', () => {
  it('allows the burst, then refills at the rate', () => {
    let now = 0;
    const bucket = new ServerTokenBucket({ ratePerSecond: 2, burst: 3 }, () => now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    now = 499;
    expect(bucket.tryTake()).toBe(false);
    now = 500;
    expect(bucket.tryTake()).toBe(true);
    now = 60_000;
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
  });

  it('rejects a quota without room for one request', () => {
    expect(() => new ServerTokenBucket({ ratePerSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});
