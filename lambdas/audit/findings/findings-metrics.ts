import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { PublishFindingsResult } from './publish-findings';

/**
 * The findings' metrics, next to the run's (same namespace and single dimension):
 * `FindingsPublished` and `FindingsPublishFailed`, the one to alarm on. Only added when
 * findings were published at all, so a deployment with them turned off adds no metrics.
 */
export function addFindingsMetrics(metrics: Metrics, result: PublishFindingsResult): void {
  metrics.addMetric('FindingsPublished', MetricUnit.Count, result.published);
  metrics.addMetric('FindingsPublishFailed', MetricUnit.Count, result.failed);
}
