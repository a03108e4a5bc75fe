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
  /** Requests whose connection `dropConnectionFraction` cut without an answer. */
  readonly droppedConnections: Readonly<Record<string, number>>;
  /** Requests `stall` left unanswered until it cut the connection (or the client gave up). */
  readonly stalledRequests: Readonly<Record<string, number>>;
  /** Sum of `requests`: dropped and stalled requests are included, as they were received. */
  readonly totalRequests: number;
  /** Sum of `throttles`, storms and quotas alike. */
  readonly totalThrottles: number;
  /** Sum of `droppedConnections`. */
  readonly totalDroppedConnections: number;
  /** Sum of `stalledRequests`. */
  readonly totalStalledRequests: number;
  /** Identifiers received in successful batch-get calls, duplicates included. */
  readonly batchGetTargetsRequested: number;
  /** Entries served in UnprocessedConfigurationPolicyAssociations. */
  readonly unprocessedServed: number;
  /** Empty list pages injected by `emptyPageFraction` or `alwaysNextToken`. */
  readonly emptyPagesServed: number;
  /**
   * Damaged entries served: Security Hub answers changed by `malformed`, Organizations
   * objects served by `invalidChildren` or changed by `malformedAccounts`.
   */
  readonly malformedServed: number;
}

type Counter = 'requests' | 'throttles' | 'serverErrors' | 'clientErrors' | 'droppedConnections' | 'stalledRequests';
type Total = 'batchGetTargetsRequested' | 'unprocessedServed' | 'emptyPagesServed' | 'malformedServed';

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
      droppedConnections: { ...this.perOperation.droppedConnections },
      stalledRequests: { ...this.perOperation.stalledRequests },
      totalRequests: sum(this.perOperation.requests),
      totalThrottles: sum(this.perOperation.throttles),
      totalDroppedConnections: sum(this.perOperation.droppedConnections),
      totalStalledRequests: sum(this.perOperation.stalledRequests),
      ...this.totals,
    };
  }

  /** Zeroes every counter. */
  reset(): void {
    this.perOperation = StatsRecorder.emptyCounters();
    this.totals = StatsRecorder.emptyTotals();
  }

  private static emptyCounters(): Record<Counter, Record<string, number>> {
    return {
      requests: {},
      throttles: {},
      serverErrors: {},
      clientErrors: {},
      droppedConnections: {},
      stalledRequests: {},
    };
  }

  private static emptyTotals(): Record<Total, number> {
    return { batchGetTargetsRequested: 0, unprocessedServed: 0, emptyPagesServed: 0, malformedServed: 0 };
  }
}
