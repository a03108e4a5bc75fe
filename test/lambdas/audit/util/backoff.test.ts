import { backoffCeiling, fullJitterDelay } from '../../../../lambdas/audit/util/backoff';

const options = { baseDelayMs: 1000, maxDelayMs: 20000 };

describe('backoffCeiling', () => {
  it('doubles per attempt and stops at the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffCeiling(a, options))).toEqual([
      1000, 2000, 4000, 8000, 16000, 20000, 20000,
    ]);
  });

  it('stays bounded for huge attempts', () => {
    expect(backoffCeiling(5000, options)).toBe(20000);
  });

  it('rejects negative or fractional attempts and negative delays', () => {
    expect(() => backoffCeiling(-1, options)).toThrow(RangeError);
    expect(() => backoffCeiling(1.5, options)).toThrow(RangeError);
    expect(() => backoffCeiling(0, { baseDelayMs: -1, maxDelayMs: 10 })).toThrow(RangeError);
  });
});

describe('fullJitterDelay', () => {
  it('is random() times the ceiling, floored to whole ms', () => {
    expect(fullJitterDelay(0, options, () => 0.5)).toBe(500);
    expect(fullJitterDelay(1, options, () => 0.5)).toBe(1000);
    expect(fullJitterDelay(2, options, () => 0.3333)).toBe(1333);
    expect(fullJitterDelay(9, options, () => 0.999)).toBe(19980);
  });

  it('can be zero (full jitter starts at 0)', () => {
    expect(fullJitterDelay(3, options, () => 0)).toBe(0);
  });

  it('clamps a misbehaving random source', () => {
    expect(fullJitterDelay(0, options, () => 1.7)).toBe(1000);
    expect(fullJitterDelay(0, options, () => -3)).toBe(0);
    expect(fullJitterDelay(0, options, () => Number.NaN)).toBe(0);
  });

  it('defaults to Math.random within [0, ceiling)', () => {
    for (let i = 0; i < 50; i += 1) {
      const delay = fullJitterDelay(2, options);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(4000);
    }
  });
});
