import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { RunSummary } from '../report/summary';
import type { RecheckRecord } from '../recheck/recheck-record';

/**
 * Names of the metrics the function emits: the contract with the alarms and the dashboard
 * in `infra/`, which import them from here.
 * @internal Exported for its tests.
 */
export const AUDIT_METRIC_NAMES = [
  'FailedAssociations',
  'PendingAssociations',
  'StalePendingAssociations',
  'UnprocessedTargets',
  'MissingTargets',
  'DriftedTargets',
  'NewDrift',
  'ResolvedDrift',
  'TargetsAudited',
  'IncompleteRun',
  'ThrottledRequests',
  'UntrustedHistory',
  'CheckpointRefused',
  'AuditDurationSeconds',
] as const;

/** One of {@link AUDIT_METRIC_NAMES}. */
export type AuditMetricName = (typeof AUDIT_METRIC_NAMES)[number];

/**
 * The one dimension of every metric: Powertools Metrics adds `service` (lower case) with
 * POWERTOOLS_SERVICE_NAME, and the function adds no other, since every extra dimension
 * multiplies the CloudWatch custom-metric bill.
 */
export const SERVICE_DIMENSION = 'service';

/** Adds one metric; the name is checked against the contract at compile time. */
function add(
  metrics: Metrics,
  name: AuditMetricName,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit],
  value: number,
): void {
  metrics.addMetric(name, unit, value);
}

/** Adds one run's metrics (see {@link AUDIT_METRIC_NAMES} and {@link SERVICE_DIMENSION}). */
export function addAuditMetrics(metrics: Metrics, summary: RunSummary): void {
  const counts: readonly (readonly [AuditMetricName, number])[] = [
    ['FailedAssociations', summary.status_failed],
    ['PendingAssociations', summary.status_pending],
    ['StalePendingAssociations', summary.drift_pending_stale],
    ['UnprocessedTargets', summary.drift_unprocessed],
    ['MissingTargets', summary.drift_missing],
    ['DriftedTargets', summary.drifted],
    ['NewDrift', summary.new_drift],
    ['ResolvedDrift', summary.resolved_drift],
    ['TargetsAudited', summary.targets_reported],
    ['IncompleteRun', summary.run_status === 'COMPLETE' ? 0 : 1],
    ['ThrottledRequests', summary.throttled_requests],
    ['UntrustedHistory', summary.previous_run_status === 'UNTRUSTED' ? 1 : 0],
    // A checkpoint that was not authentic or not usable: the run started over from the live organization.
    ['CheckpointRefused', summary.checkpoint_refused === null ? 0 : 1],
  ];
  for (const [name, value] of counts) {
    add(metrics, name, MetricUnit.Count, value);
  }
  add(metrics, 'AuditDurationSeconds', MetricUnit.Seconds, summary.duration_seconds);
}

/**
 * A run that threw never reaches a summary; it still counts as incomplete so the
 * IncompleteRun alarm fires, while TargetsAudited stays absent for the heartbeat alarm.
 */
export function addFailedRunMetrics(metrics: Metrics): void {
  add(metrics, 'IncompleteRun', MetricUnit.Count, 1);
}

/**
 * Names of the re-check's metrics, failures first like {@link AUDIT_METRIC_NAMES}: what
 * pages comes before what informs. Same namespace and single dimension as the nightly ones.
 * @internal Exported for its tests (the dashboard names them one by one).
 */
export const RECHECK_METRIC_NAMES = [
  'RecheckFailed',
  'RecheckFailedAssociations',
  'RecheckNewDrift',
  'RecheckStateUntrusted',
  'RecheckBadEvents',
  'RecheckStillPending',
  'RecheckDeferred',
  'RecheckResolved',
  'RecheckTargets',
] as const;

/** One of {@link RECHECK_METRIC_NAMES}. */
export type RecheckMetricName = (typeof RECHECK_METRIC_NAMES)[number];

/** Adds one re-check's metrics, from its record (see {@link RECHECK_METRIC_NAMES}). */
export function addRecheckMetrics(metrics: Metrics, record: RecheckRecord): void {
  const counts: readonly (readonly [RecheckMetricName, number])[] = [
    // A re-check that wrote its record did not fail: the handler counts the ones that did.
    ['RecheckFailed', 0],
    ['RecheckFailedAssociations', record.status_failed],
    ['RecheckNewDrift', record.new_drift],
    // The overlay could not be verified: this re-check compared with the full run alone.
    ['RecheckStateUntrusted', record.state_status === 'UNTRUSTED' ? 1 : 0],
    ['RecheckBadEvents', record.bad_events],
    ['RecheckStillPending', record.still_pending],
    ['RecheckDeferred', record.deferred],
    ['RecheckResolved', record.resolved_drift],
    ['RecheckTargets', record.targets],
  ];
  for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
}

/** A re-check that could not finish (the handler's failure path). */
export function addFailedRecheckMetrics(metrics: Metrics): void {
  metrics.addMetric('RecheckFailed', MetricUnit.Count, 1);
}

/** A batch that held only bad events: counted, no re-check ran. */
export function addBadEventsMetric(metrics: Metrics, count: number): void {
  metrics.addMetric('RecheckBadEvents', MetricUnit.Count, count);
}
