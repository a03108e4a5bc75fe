import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { RunSummary } from '../report/summary';

/**
 * Adds one run's metrics. Names are the contract with the alarms and dashboard in
 * `infra/`; the only dimension is Powertools' default `service`, since every extra
 * dimension multiplies the CloudWatch custom-metric bill.
 */
export function addAuditMetrics(metrics: Metrics, summary: RunSummary): void {
  const counts: readonly (readonly [string, number])[] = [
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
  ];
  for (const [name, value] of counts) {
    metrics.addMetric(name, MetricUnit.Count, value);
  }
  metrics.addMetric('AuditDurationSeconds', MetricUnit.Seconds, summary.duration_seconds);
}

/**
 * A run that threw never reaches a summary; it still counts as incomplete so the
 * IncompleteRun alarm fires, while TargetsAudited stays absent for the heartbeat alarm.
 */
export function addFailedRunMetrics(metrics: Metrics): void {
  metrics.addMetric('IncompleteRun', MetricUnit.Count, 1);
}
