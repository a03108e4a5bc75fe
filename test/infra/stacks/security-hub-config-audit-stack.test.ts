import { Template } from 'aws-cdk-lib/assertions';
import { createTestApp } from '../test-app';

/** The template with asset hashes (which change with every Lambda source edit) replaced. */
function stableTemplate(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}

describe('SecurityHubConfigAuditStack', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(createTestApp().stack);
  });

  it('composes exactly these resources', () => {
    const counts: Record<string, number> = {};
    for (const resource of Object.values(template.toJSON().Resources as Record<string, { Type: string }>)) {
      counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
    }
    expect(counts).toEqual({
      'AWS::S3::Bucket': 3,
      'AWS::S3::BucketPolicy': 3,
      // The alert topic's key and the audit's HMAC key.
      'AWS::KMS::Key': 2,
      'AWS::Glue::Database': 1,
      'AWS::Glue::Table': 2,
      'AWS::Athena::WorkGroup': 1,
      'AWS::Athena::NamedQuery': 6,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      // The function's and the state machine's.
      'AWS::Logs::LogGroup': 2,
      // The function, the state machine, and the schedule (StartExecution).
      'AWS::IAM::Role': 3,
      'AWS::IAM::Policy': 3,
      // The read-only auditor policy.
      'AWS::IAM::ManagedPolicy': 1,
      'AWS::Lambda::Function': 1,
      'AWS::StepFunctions::StateMachine': 1,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
      'AWS::Events::Rule': 1,
      'AWS::CloudWatch::Alarm': 9,
      'AWS::CloudWatch::Dashboard': 1,
    });
  });

  it('outputs what an operator needs after deploy', () => {
    expect(Object.keys(template.toJSON().Outputs as Record<string, unknown>).sort()).toEqual(
      [
        'AlertTopicArn',
        'AthenaWorkGroup',
        'AuditFunctionName',
        'AuditorPolicyArn',
        'MacKeyArn',
        'DashboardName',
        'DeadLetterQueueUrl',
        'GlueDatabase',
        'ReportBucketName',
        'ReportPrefix',
        'StateMachineArn',
      ].sort(),
    );
  });

  it('is environment-agnostic, so synth needs no credentials or lookups', () => {
    const { stack } = createTestApp();
    expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' });
    expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
    expect(stack.node.tryGetContext('aws:cdk:bundling-stacks')).toEqual([]);
    expect(template.toJSON().Resources).not.toHaveProperty('CDKMetadata');
  });

  it('matches the snapshot (asset hashes stripped)', () => {
    expect(stableTemplate(template)).toMatchSnapshot();
  });
});
