import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  type AuditMetricName,
  type RecheckMetricName,
  SERVICE_DIMENSION,
} from '../../lambdas/audit/metrics/audit-metrics';
import { DEFAULTS } from '../config/defaults';

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

/**
 * One of the audit's custom metrics, one-hour periods unless overridden. The re-check's
 * metrics are in the same namespace under its own service (`<serviceName>-recheck`).
 */
export function auditMetric(
  source: AuditMetricsSource,
  name: AuditMetricName | RecheckMetricName,
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
