/**
 * Memory figures: the audit process's peak, and whether memory grows linearly with the
 * organization across scenarios.
 */

/** Bytes to MiB with one decimal. */
export const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Samples heap use between event-loop turns; RSS comes from the kernel's high-water mark. */
export function startHeapSampler(intervalMs = 50): { stop(): { heapUsedMb: number; peakRssMb: number } } {
  let heapUsed = 0;
  const sample = (): void => {
    heapUsed = Math.max(heapUsed, process.memoryUsage().heapUsed);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      // getrusage's maxRSS (KiB): the true peak of this process, which sampling could miss.
      return { heapUsedMb: mb(heapUsed), peakRssMb: mb(process.resourceUsage().maxRSS * 1024) };
    },
  };
}

/** One scenario's memory point. */
export interface MemoryPoint {
  readonly scenario: string;
  readonly targets: number;
  readonly peakRssMb: number;
}

/** The growth verdict printed in the summary line. */
export interface MemoryGrowth {
  readonly points: readonly (MemoryPoint & { readonly mb_per_1k_targets_since_previous: number | null })[];
  /** Least-squares line rss = intercept + slope * targets / 1000. */
  readonly fit: {
    readonly intercept_mb: number;
    readonly slope_mb_per_1k_targets: number;
    readonly r_squared: number | null;
  } | null;
  /** null with fewer than three points (one step cannot be compared with another). */
  readonly linear: boolean | null;
  readonly explanation: string;
}

/**
 * How memory grows from the smallest to the largest scenario. A fixed part (Node.js, the
 * SDK, the code) plus a part proportional to the targets is linear: then the MB added
 * per 1,000 extra targets stays about the same from one step to the next. Growth counts
 * as linear (or better) when no later step costs more than 1.25x the first step's MB per
 * 1,000 targets. With three or more points the R² of a straight-line fit is printed too.
 */
export function memoryGrowth(points: readonly MemoryPoint[]): MemoryGrowth {
  const sorted = [...points].sort((a, b) => a.targets - b.targets);
  const steps = sorted.map((p, i) => {
    const previous = sorted[i - 1];
    const perK = previous ? (p.peakRssMb - previous.peakRssMb) / ((p.targets - previous.targets) / 1000) : null;
    return { ...p, mb_per_1k_targets_since_previous: perK === null ? null : Math.round(perK * 100) / 100 };
  });
  const slopes = steps.flatMap((s) =>
    s.mb_per_1k_targets_since_previous === null ? [] : [s.mb_per_1k_targets_since_previous],
  );
  const first = slopes[0];
  // Two points make a line whatever the growth: a verdict needs a second step to compare.
  const linear =
    first === undefined || slopes.length < 2 ? null : slopes.every((s) => s <= Math.max(first, 0) * 1.25 + 0.1);
  return {
    points: steps,
    fit: sorted.length >= 2 ? linearFit(sorted) : null,
    linear,
    explanation:
      'peak RSS of each scenario, each in a fresh process; mb_per_1k_targets_since_previous is the extra MB per ' +
      '1,000 extra targets between consecutive scenarios. Linear (or better) when no later step costs more than ' +
      '1.25x the first step (+0.1 MB of noise); null with fewer than 3 scenarios (run --all for 1k, 10k and 50k). ' +
      'r_squared of the least-squares line needs 3 points too.',
  };
}

function linearFit(points: readonly MemoryPoint[]): NonNullable<MemoryGrowth['fit']> {
  const xs = points.map((p) => p.targets / 1000);
  const ys = points.map((p) => p.peakRssMb);
  const n = xs.length;
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i += 1) {
    sxy += (xs[i] - meanX) * (ys[i] - meanY);
    sxx += (xs[i] - meanX) ** 2;
    syy += (ys[i] - meanY) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = meanY - slope * meanX;
  const rSquared = n < 3 || syy === 0 ? null : (sxy * sxy) / (sxx * syy);
  const r2 = (v: number): number => Math.round(v * 100) / 100;
  return {
    intercept_mb: r2(intercept),
    slope_mb_per_1k_targets: r2(slope),
    r_squared: rSquared === null ? null : Math.round(rSquared * 10000) / 10000,
  };
}
