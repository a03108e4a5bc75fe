import type { Metrics } from '@aws-lambda-powertools/metrics';
import { Stack } from 'aws-cdk-lib';
import { auditMetric } from '../../../infra/constructs/audit-metrics';
import {
  addAuditMetrics,
  addFailedRunMetrics,
  AUDIT_METRIC_NAMES,
  SERVICE_DIMENSION,
} from '../../../lambdas/audit/metrics/audit-metrics';
import type { RunSummary } from '../../../lambdas/audit/report/summary';

/** Metric names the Lambda emits, captured through a stand-in for Powertools Metrics. */
function emitted(emit: (metrics: Metrics) => void): string[] {
  const names: string[] = [];
  emit({ addMetric: (name: string) => names.push(name) } as unknown as Metrics);
  return names;
}

describe('audit metrics contract', () => {
  it('alarms and dashboard know exactly the metrics the Lambda emits', () => {
    const summary = new Proxy({}, { get: () => 0 }) as unknown as RunSummary;
    expect(emitted((m) => addAuditMetrics(m, summary)).sort()).toEqual([...AUDIT_METRIC_NAMES].sort());
    expect(AUDIT_METRIC_NAMES).toEqual(expect.arrayContaining(emitted(addFailedRunMetrics)));
  });

  it('queries the Powertools default dimension `service` only', () => {
    const metric = auditMetric({ serviceName: 'svc', namespace: 'Ns' }, 'TargetsAudited');
    expect(SERVICE_DIMENSION).toBe('service');
    expect(metric.dimensions).toEqual({ service: 'svc' });
    expect(metric.namespace).toBe('Ns');
    expect(new Stack().resolve(metric.period.toSeconds())).toBe(3600);
  });
});
