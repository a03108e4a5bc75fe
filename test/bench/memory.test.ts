import { memoryGrowth } from './memory';

describe('memoryGrowth', () => {
  it('calls a fixed part plus a per-target part linear, with a perfect fit', () => {
    // 100 MB fixed + 2 MB per 1,000 targets.
    const growth = memoryGrowth([
      { scenario: '10k', targets: 12_000, peakRssMb: 124 },
      { scenario: '1k', targets: 1_200, peakRssMb: 102.4 },
      { scenario: '50k', targets: 60_000, peakRssMb: 220 },
    ]);
    expect(growth.points.map((p) => p.mb_per_1k_targets_since_previous)).toEqual([null, 2, 2]);
    expect(growth.fit).toEqual({ intercept_mb: 100, slope_mb_per_1k_targets: 2, r_squared: 1 });
    expect(growth.linear).toBe(true);
  });

  it('flags growth that gets steeper per target as not linear', () => {
    const growth = memoryGrowth([
      { scenario: '1k', targets: 1_000, peakRssMb: 100 },
      { scenario: '10k', targets: 10_000, peakRssMb: 118 }, // 2 MB per 1,000
      { scenario: '50k', targets: 50_000, peakRssMb: 318 }, // 5 MB per 1,000
    ]);
    expect(growth.linear).toBe(false);
  });

  it('gives no verdict from two points', () => {
    const growth = memoryGrowth([
      { scenario: '1k', targets: 1_000, peakRssMb: 100 },
      { scenario: '10k', targets: 10_000, peakRssMb: 118 },
    ]);
    expect(growth.linear).toBeNull();
    expect(growth.fit?.r_squared).toBeNull();
  });
});
