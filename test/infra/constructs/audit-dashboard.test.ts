import type { CfnDashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { AUDIT_METRIC_NAMES, RECHECK_METRIC_NAMES } from '../../../lambdas/audit/metrics/audit-metrics';
import { readNamedQueryFiles, QUERIES_DIRECTORY } from '../../../infra/constructs/report-catalog';
import { createRecheckTestApp, createTestApp } from '../test-app';

/** The dashboard body with tokens rendered, as CloudWatch would receive it (tokens as JSON). */
function dashboardBody(context: Record<string, unknown> = {}, recheck = false): string {
  const { stack } = recheck ? createRecheckTestApp(context) : createTestApp(context);
  return JSON.stringify(stack.resolve((stack.dashboard.dashboard.node.defaultChild as CfnDashboard).dashboardBody));
}

describe('AuditDashboard', () => {
  let body: string;
  beforeAll(() => {
    body = dashboardBody();
  });

  it('graphs every audit metric in the namespace with the service dimension', () => {
    for (const name of AUDIT_METRIC_NAMES) {
      expect(body).toContain(`\\"SecurityHubConfigAudit\\",\\"${name}\\",\\"service\\",\\"securityhub-config-audit\\"`);
    }
  });

  it('shows Lambda errors, throttles and duration, the dead-letter queue and the alarms', () => {
    for (const fragment of [
      '\\"AWS/Lambda\\",\\"Errors\\"',
      '\\"AWS/Lambda\\",\\"Throttles\\"',
      '\\"AWS/Lambda\\",\\"Duration\\"',
      'ApproximateNumberOfMessagesVisible',
      '\\"alarms\\"',
    ]) {
      expect(body).toContain(fragment);
    }
    for (const title of [
      'Association states',
      'Drift',
      'Run duration and completeness',
      'Throttling',
      'Function',
      'Dead-letter queue (schedule deliveries)',
      'Executions',
      'Rounds per run',
    ]) {
      expect(body).toContain(`\\"title\\":\\"${title}\\"`);
    }
  });

  it('shows the executions by outcome and the rounds per run (invocations per started execution)', () => {
    for (const metric of [
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionsAborted',
    ]) {
      expect(body).toContain(`\\"AWS/States\\",\\"${metric}\\"`);
    }
    expect(body).toContain('IF(started > 0, invocations / started, 0)');
  });

  it('points at the Athena workgroup, database and saved queries', () => {
    expect(body).toContain('securityhub-config-audit**');
    for (const { name } of readNamedQueryFiles(QUERIES_DIRECTORY)) {
      expect(body).toContain(`*${name}*`);
    }
  });

  it('has no re-check row without the re-check', () => {
    expect(body).not.toContain('Recheck');
  });

  it('with the re-check: its metrics under its own service, its function, queues and alarms', () => {
    const recheck = dashboardBody({}, true);
    for (const name of RECHECK_METRIC_NAMES) {
      expect(recheck).toContain(
        `\\"SecurityHubConfigAudit\\",\\"${name}\\",\\"service\\",\\"securityhub-config-audit-recheck\\"`,
      );
    }
    for (const title of ['Re-check alarms', 'Re-check findings', 'Re-check function and queues']) {
      expect(recheck).toContain(`\\"title\\":\\"${title}\\"`);
    }
    expect(recheck).toContain('NumberOfMessagesSent');
    expect(recheck).toMatch(/RecheckAlarmsDeadLetters/);
    expect(recheck).toMatch(/RecheckAlarmsFunctionErrors/);
  });
});
