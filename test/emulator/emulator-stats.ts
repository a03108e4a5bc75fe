/**
 * Request counters the emulator keeps, so tests can assert how many calls the client made
 * and how many throttles it absorbed without instrumenting the client itself.
 */

/** A snapshot of the counters. Operation names are the AWS API names, e.g. `ListAccountsForParent`. */
export interface EmulatorStats {
  /** Every request received, per operation, throttled and failed ones included. */
  readonly requests: Readonly<Record<string, number>>;
  /** Requests answered with the throttling error (TooManyRequestsException / LimitExceededException). */
  readonly throttles: Readonly<Record<string, number>>;
  /** Requests answered with an injected 500/503. */
  readonly serverErrors: Readonly<Record<string, number>>;
  /** Requests answered with another 4xx (invalid input, unknown operation, oversized batch ...). */
  readonly clientErrors: Readonly<Record<string, number>>;
  readonly totalRequests: number;
  readonly totalThrottles: number;
  /** Identifiers received in successful batch-get calls, duplicates included. */
  readonly batchGetTargetsRequested: number;
  /** Entries served in UnprocessedConfigurationPolicyAssociations. */
  readonly unprocessedServed: number;
  /** Empty list pages injected by `emptyPageFraction`. */
  readonly emptyPagesServed: number;
}

type Counter = 'requests' | 'throttles' | 'serverErrors' | 'clientErrors';
type Total = 'batchGetTargetsRequested' | 'unprocessedServed' | 'emptyPagesServed';

/** Mutable counters behind {@link EmulatorStats}. */
export class StatsRecorder {
  private perOperation: Record<Counter, Record<string, number>> = StatsRecorder.emptyCounters();
  private totals: Record<Total, number> = StatsRecorder.emptyTotals();

  /** Counts one request of `operation` under `counter`. */
  count(counter: Counter, operation: string): void {
    const map = this.perOperation[counter];
    map[operation] = (map[operation] ?? 0) + 1;
  }

  /** Adds to a total. */
  add(total: Total, amount: number): void {
    this.totals[total] += amount;
  }

  /** A copy, safe to keep while the emulator goes on counting. */
  snapshot(): EmulatorStats {
    const sum = (m: Record<string, number>): number => Object.values(m).reduce((a, b) => a + b, 0);
    return {
      requests: { ...this.perOperation.requests },
      throttles: { ...this.perOperation.throttles },
      serverErrors: { ...this.perOperation.serverErrors },
      clientErrors: { ...this.perOperation.clientErrors },
      totalRequests: sum(this.perOperation.requests),
      totalThrottles: sum(this.perOperation.throttles),
      ...this.totals,
    };
  }

  /** Zeroes every counter. */
  reset(): void {
    this.perOperation = StatsRecorder.emptyCounters();
    this.totals = StatsRecorder.emptyTotals();
  }

  private static emptyCounters(): Record<Counter, Record<string, number>> {
    return { requests: {}, throttles: {}, serverErrors: {}, clientErrors: {} };
  }

  private static emptyTotals(): Record<Total, number> {
    return { batchGetTargetsRequested: 0, unprocessedServed: 0, emptyPagesServed: 0 };
  }
}
