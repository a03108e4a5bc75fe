import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { DEFAULTS } from '../config/defaults';

/**
 * Names of the EMF metrics the function emits (lambdas/audit/metrics/audit-metrics.ts).
 * They are the contract between the Lambda and the alarms and dashboard.
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
  'AuditDurationSeconds',
] as const;

export type AuditMetricName = (typeof AUDIT_METRIC_NAMES)[number];

/**
 * Powertools Metrics adds the dimension `service` (lower case) with
 * POWERTOOLS_SERVICE_NAME to every metric, and the function adds no other
 * dimension, so this is the one dimension set to query.
 */
export const SERVICE_DIMENSION = 'service';

/** Where to find the function's metrics. */
export interface AuditMetricsSource {
  /**
   * POWERTOOLS_METRICS_NAMESPACE.
   * @default 'SecurityHubConfigAudit'
   */
  readonly namespace?: string;
  /**
   * POWERTOOLS_SERVICE_NAME.
   * @default 'securityhub-config-audit'
   */
  readonly serviceName?: string;
}

/** One of the audit's custom metrics, one-hour periods unless overridden. */
export function auditMetric(
  source: AuditMetricsSource,
  name: AuditMetricName,
  options: Pick<cloudwatch.MetricOptions, 'statistic' | 'period' | 'label'> = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: source.namespace ?? DEFAULTS.metricsNamespace,
    metricName: name,
    dimensionsMap: { [SERVICE_DIMENSION]: source.serviceName ?? DEFAULTS.serviceName },
    statistic: options.statistic ?? cloudwatch.Stats.MAXIMUM,
    period: options.period ?? Duration.hours(1),
    label: options.label,
  });
}
