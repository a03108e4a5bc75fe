import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { createTestApp, STACK_VARIANTS as VARIANTS } from './test-app';
import { AuditContextError } from '../../infra/config/errors';

/** Every acknowledgment (id → reason) recorded in the construct tree. */
function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('app', () => {
  it.each(Object.entries(VARIANTS))('has no unacknowledged cdk-nag AwsSolutions finding (%s)', (_name, context) => {
    const { app, stack } = createTestApp(context);
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
    // Synthesis runs the same checks as a validation plugin, and fails on any finding.
    expect(() => app.synth()).not.toThrow();
    // Nothing else (CDK itself, deprecated APIs) warns or errs either.
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    const { app, stack } = createTestApp();
    // Re-enable a finding by adding an unencrypted, unlogged bucket next to the real ones.
    new Bucket(stack, 'Unreviewed');
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']),
    );
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });

  it('acknowledges only the reviewed findings, each with a written reason', () => {
    const { app } = createTestApp(VARIANTS['new report key, documents, e-mails']);
    const acks = acknowledgments(app);
    expect(acks.map((a) => `${a.path} ${a.id.replace(/^Annotation::/i, '')}`).sort()).toEqual(
      [
        'SecurityHubConfigAudit/AuditFunction/Policy AwsSolutions-IAM5[Resource::*]',
        'SecurityHubConfigAudit/AuditFunction/Policy AwsSolutions-IAM5[Resource::<ReportStoreReportBucket9EBA1B30.Arn>/audit/associations/*]',
        'SecurityHubConfigAudit/AuditFunction/Policy AwsSolutions-IAM5[Resource::<ReportStoreReportBucket9EBA1B30.Arn>/audit/html/*]',
        'SecurityHubConfigAudit/AuditFunction/Policy AwsSolutions-IAM5[Resource::<ReportStoreReportBucket9EBA1B30.Arn>/audit/checkpoints/*]',
        'SecurityHubConfigAudit/Orchestration/StateMachine/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
        'SecurityHubConfigAudit/Orchestration/StateMachine/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<AuditFunction10F8BAC3.Arn>:*]',
        'SecurityHubConfigAudit/AuditFunction/Policy AwsSolutions-IAM5[Resource::<ReportStoreReportBucket9EBA1B30.Arn>/audit/latest/*]',
        'SecurityHubConfigAudit/AuditFunction/Policy AwsSolutions-IAM5[Resource::<ReportStoreReportBucket9EBA1B30.Arn>/audit/runs/*]',
        'SecurityHubConfigAudit/AuditFunction/Policy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:ou/o-*/ou-*]',
        'SecurityHubConfigAudit/AuditFunction/Policy AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:root/o-*/r-*]',
        ...['associations', 'checkpoints', 'html', 'latest', 'runs', 'recheck'].map(
          (dir) =>
            `SecurityHubConfigAudit/AuditorPolicy/Policy AwsSolutions-IAM5[Resource::<ReportStoreReportBucket9EBA1B30.Arn>/audit/${dir}/*]`,
        ),
        'SecurityHubConfigAudit/ReportStore/AccessLogsBucket AwsSolutions-S1',
        'SecurityHubConfigAudit/Schedule/DeadLetterQueue AwsSolutions-SQS3',
      ].sort(),
    );
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });

  it('turns invalid context into an AuditContextError naming the keys', () => {
    expect(() =>
      createTestApp({ scheduleCron: 'cron(0 2 * * *)', logRetentionDays: -1, alertEmails: 'nope', bogus: 1 }),
    ).toThrow(AuditContextError);
    try {
      createTestApp({ scheduleCron: 'cron(0 2 * * *)', logRetentionDays: -1, alertEmails: 'nope', bogus: 1 });
    } catch (error) {
      expect((error as AuditContextError).issues.map((i) => i.split(':')[0])).toEqual([
        'bogus',
        'scheduleCron',
        'logRetentionDays',
        'alertEmails[0]',
      ]);
    }
  });

  it('names the stack from the context', () => {
    expect(createTestApp({ stackName: 'ShAudit-Prod' }).stack.stackName).toBe('ShAudit-Prod');
  });
});
