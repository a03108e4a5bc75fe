import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RECHECK_LAYOUT } from '../../../infra/constructs/recheck-names';
import { forwarderRuleName } from '../../../infra/constructs/recheck-names';
import { SecurityHubConfigAuditStack } from '../../../infra/stacks/security-hub-config-audit-stack';
import { organizationsChangePattern, securityHubChangePattern } from '../../../lambdas/audit/recheck/change-events';
import { RECHECK_SETTINGS } from '../../../lambdas/audit/settings';
import { synthesizedRecheckApp, synthesizedRecheckPatterns } from '../recheck-rule-patterns';
import {
  resourcesOf,
  resourceWithId,
  type AlarmProperties,
  type GlueTableProperties,
  type KmsKeyProperties,
  type LambdaFunctionProperties,
  type PolicyProperties,
  type PolicyStatementJson,
  type RuleTargetJson,
} from '../template-json';
import {
  CDK_JSON_CONTEXT,
  createRecheckTestApp,
  logicalIdStartingWith,
  onlyResource,
  RECHECK_ENV,
  RECHECK_MANAGEMENT_ACCOUNT,
} from '../test-app';
import { sdkOperationsReachable } from '../sdk-operations';

/** A template value with `Ref: AWS::Partition` as `aws` and joins flattened, for comparisons. */
function flat(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flat);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.Ref === 'AWS::Partition') return 'aws';
    if (Array.isArray(o['Fn::Join'])) {
      const [delimiter, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => String(flat(part))).join(delimiter);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, flat(v)]));
  }
  return value;
}

const getAtt = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const actionsOf = (s: PolicyStatementJson): string[] => [s.Action].flat();

interface QueueProperties {
  readonly VisibilityTimeout?: number;
  readonly MessageRetentionPeriod?: number;
  readonly SqsManagedSseEnabled?: boolean;
  readonly RedrivePolicy?: { readonly deadLetterTargetArn: unknown; readonly maxReceiveCount: number };
}

describe('RecheckPipeline', () => {
  let audit: Template;
  let queueId: string;
  let dlqId: string;
  let shRuleId: string;
  let orgRuleId: string;
  let functionId: string;
  beforeAll(() => {
    audit = synthesizedRecheckApp().audit;
    queueId = logicalIdStartingWith(audit, 'AWS::SQS::Queue', 'RecheckEventsQueue');
    dlqId = logicalIdStartingWith(audit, 'AWS::SQS::Queue', 'RecheckEventsDeadLetterQueue');
    shRuleId = logicalIdStartingWith(audit, 'AWS::Events::Rule', 'RecheckEventsSecurityHubRule');
    orgRuleId = logicalIdStartingWith(audit, 'AWS::Events::Rule', 'RecheckEventsOrganizationsRule');
    functionId = logicalIdStartingWith(audit, 'AWS::Lambda::Function', 'RecheckFunction');
  });

  it('gives the rules exactly the event catalog patterns', () => {
    const patterns = synthesizedRecheckPatterns();
    expect(patterns.securityHub).toEqual(JSON.parse(JSON.stringify(securityHubChangePattern(RECHECK_ENV.account))));
    expect(patterns.organizations).toEqual(
      JSON.parse(JSON.stringify(organizationsChangePattern(RECHECK_MANAGEMENT_ACCOUNT))),
    );
    expect(patterns.forwarder).toEqual(JSON.parse(JSON.stringify(organizationsChangePattern())));
  });

  it('puts the Security Hub rule on the default bus and the Organizations rule on the changes bus', () => {
    const bus = onlyResource(audit, 'AWS::Events::EventBus');
    expect(bus.resource.Properties).toMatchObject({ Name: 'SecurityHubConfigAudit-changes' });
    const rule = (id: string) => resourceWithId<{ EventBusName?: unknown }>(audit, 'AWS::Events::Rule', id);
    expect(rule(shRuleId).Properties.EventBusName).toBeUndefined();
    expect(rule(orgRuleId).Properties.EventBusName).toEqual({ Ref: bus.logicalId });
  });

  it('admits exactly the management account forwarding rule, for Organizations events, on the changes bus', () => {
    const policy = onlyResource<{ Statement: PolicyStatementJson; EventBusName: unknown }>(
      audit,
      'AWS::Events::EventBusPolicy',
    ).resource.Properties;
    const bus = onlyResource(audit, 'AWS::Events::EventBus').logicalId;
    expect(policy.EventBusName).toEqual({ Ref: bus });
    expect(flat(policy.Statement)).toEqual({
      // CDK prefixes the statement id of a bus policy with `cdk-`.
      Sid: 'cdk-ManagementAccountForwardsOrganizationsEvents',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${RECHECK_MANAGEMENT_ACCOUNT}:root` },
      Action: 'events:PutEvents',
      Resource: getAtt(bus),
      Condition: {
        StringEquals: { 'events:source': 'aws.organizations' },
        ArnEquals: {
          'aws:SourceArn': `arn:aws:events:us-east-1:${RECHECK_MANAGEMENT_ACCOUNT}:rule/${forwarderRuleName('SecurityHubConfigAudit-changes')}`,
        },
      },
    });
  });

  it('queues the changes: SSE, visibility six function timeouts plus the window, redrive to a 14-day DLQ', () => {
    const queue = resourceWithId<QueueProperties>(audit, 'AWS::SQS::Queue', queueId).Properties;
    const dlq = resourceWithId<QueueProperties>(audit, 'AWS::SQS::Queue', dlqId).Properties;
    const fn = resourceWithId<LambdaFunctionProperties>(audit, 'AWS::Lambda::Function', functionId).Properties;
    expect(fn.Timeout).toBe(300);
    expect(queue.VisibilityTimeout).toBe(6 * 300 + 30);
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(queue.RedrivePolicy?.deadLetterTargetArn).toEqual(getAtt(dlqId));
    expect(queue.RedrivePolicy?.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(dlq).toMatchObject({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true });
  });

  it('lets EventBridge send only from the two rules, over TLS, to the queue and the DLQ', () => {
    for (const queue of [queueId, dlqId]) {
      const [policy] = Object.values(resourcesOf<PolicyProperties>(audit, 'AWS::SQS::QueuePolicy')).filter(
        (p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: queue }]),
      );
      const statements = policy.Properties.PolicyDocument.Statement;
      expect(statements.find((s) => s.Effect === 'Deny')?.Condition).toEqual({
        Bool: { 'aws:SecureTransport': 'false' },
      });
      const allowed = statements.filter((s) => s.Effect === 'Allow');
      expect(allowed.map((s) => s.Principal)).toEqual([
        { Service: 'events.amazonaws.com' },
        { Service: 'events.amazonaws.com' },
      ]);
      expect(allowed.map((s) => s.Condition)).toEqual([
        { ArnEquals: { 'aws:SourceArn': getAtt(shRuleId) } },
        { ArnEquals: { 'aws:SourceArn': getAtt(orgRuleId) } },
      ]);
    }
  });

  it('targets the queue from both rules, with the DLQ for delivery failures', () => {
    for (const rule of [shRuleId, orgRuleId]) {
      const targets = resourceWithId<{ Targets: RuleTargetJson[] }>(audit, 'AWS::Events::Rule', rule).Properties
        .Targets;
      expect(targets).toHaveLength(1);
      expect(targets[0].Arn).toEqual(getAtt(queueId));
      expect(targets[0].DeadLetterConfig).toEqual({ Arn: getAtt(dlqId) });
    }
  });

  it('feeds the function batches of 1,000 within 30 s, with partial batch responses, one at a time', () => {
    const mapping = onlyResource(audit, 'AWS::Lambda::EventSourceMapping').resource.Properties;
    expect(mapping).toMatchObject({
      EventSourceArn: getAtt(queueId),
      FunctionName: { Ref: functionId },
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 30,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const fn = resourceWithId<LambdaFunctionProperties>(audit, 'AWS::Lambda::Function', functionId).Properties;
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
  });

  it("gets the audit function's environment, the re-check settings and the management account", () => {
    const auditId = logicalIdStartingWith(audit, 'AWS::Lambda::Function', 'AuditFunction');
    const envOf = (id: string) =>
      resourceWithId<LambdaFunctionProperties>(audit, 'AWS::Lambda::Function', id).Properties.Environment.Variables;
    const auditEnv = envOf(auditId);
    const recheckEnv = envOf(functionId);
    const { POWERTOOLS_SERVICE_NAME: auditService, ...shared } = auditEnv;
    expect(recheckEnv).toMatchObject(shared);
    expect(recheckEnv.POWERTOOLS_SERVICE_NAME).toBe(`${String(auditService)}-recheck`);
    expect(recheckEnv.MANAGEMENT_ACCOUNT_ID).toBe(RECHECK_MANAGEMENT_ACCOUNT);
    for (const setting of Object.values(RECHECK_SETTINGS)) {
      expect(recheckEnv[setting.env]).toBe(String(setting.default));
    }
  });

  it('may read the nightly report, write only under recheck/, and read the organization', () => {
    const policyId = logicalIdStartingWith(audit, 'AWS::IAM::Policy', 'RecheckFunctionPolicy');
    const statements = resourceWithId<PolicyProperties>(audit, 'AWS::IAM::Policy', policyId).Properties.PolicyDocument
      .Statement;
    const actions = statements.flatMap(actionsOf);
    // Exactly the operations the re-check's code calls, nothing more.
    const entry = path.join(__dirname, '..', '..', '..', 'lambdas', 'audit', 'recheck-handler.ts');
    expect(actions.filter((a) => /^(organizations|securityhub):/.test(a)).sort()).toEqual(
      sdkOperationsReachable(entry),
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'securityhub:BatchGetConfigurationPolicyAssociations',
        'securityhub:ListConfigurationPolicies',
        'securityhub:BatchImportFindings',
        'securityhub:GetFindings',
        'organizations:ListParents',
        'organizations:ListAccountsForParent',
        'organizations:ListOrganizationalUnitsForParent',
        'organizations:ListRoots',
        'organizations:DescribeAccount',
        'organizations:DescribeOrganizationalUnit',
        'sns:Publish',
      ]),
    );
    const writes = statements.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(writes).toHaveLength(1);
    expect(JSON.stringify(writes[0].Resource)).toContain(`/${RECHECK_LAYOUT.dir}/*`);
    expect(JSON.stringify(writes[0].Resource)).not.toMatch(/latest|associations|runs/);
    expect(actions.filter((a) => a.startsWith('kms:') && a.includes('Mac'))).toEqual([]);
  });

  it('may sign with the state MAC key, by its key policy', () => {
    const keyId = logicalIdStartingWith(audit, 'AWS::KMS::Key', 'AuditFunctionMacKey');
    const statements = resourceWithId<KmsKeyProperties>(audit, 'AWS::KMS::Key', keyId).Properties.KeyPolicy.Statement;
    const role = logicalIdStartingWith(audit, 'AWS::IAM::Role', 'RecheckFunctionRole');
    const signer = statements.find((s) => s.Sid === 'RecheckFunctionSignsAndVerifies');
    expect(signer).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: getAtt(role) },
      Action: ['kms:GenerateMac', 'kms:VerifyMac'],
    });
  });

  it('alarms on dead letters and function errors, to the alert topic', () => {
    const topic = logicalIdStartingWith(audit, 'AWS::SNS::Topic', 'AlertTopic');
    const alarm = (prefix: string) =>
      resourceWithId<AlarmProperties>(
        audit,
        'AWS::CloudWatch::Alarm',
        logicalIdStartingWith(audit, 'AWS::CloudWatch::Alarm', prefix),
      ).Properties;
    const deadLetters = alarm('RecheckAlarmsDeadLetters');
    expect(deadLetters).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    const errors = alarm('RecheckAlarmsFunctionErrors');
    expect(errors).toMatchObject({
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
    });
    for (const a of [deadLetters, errors]) {
      expect(a.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a.OKActions).toEqual([{ Ref: topic }]);
    }
  });

  it('catalogs the re-check records as recheck_associations, like the nightly associations', () => {
    const tables = Object.values(resourcesOf<GlueTableProperties>(audit, 'AWS::Glue::Table')).map((t) => t.Properties);
    const nightly = tables.find((t) => t.TableInput.Name === 'associations');
    const recheck = tables.find((t) => t.TableInput.Name === 'recheck_associations');
    expect(recheck?.TableInput.StorageDescriptor.Columns).toEqual(nightly?.TableInput.StorageDescriptor.Columns);
    expect(recheck?.TableInput.PartitionKeys).toEqual(nightly?.TableInput.PartitionKeys);
    const params = (t: GlueTableProperties | undefined) => flat(t?.TableInput.Parameters) as Record<string, string>;
    const { 'storage.location.template': recheckLocation, ...recheckParams } = params(recheck);
    const { 'storage.location.template': nightlyLocation, ...nightlyParams } = params(nightly);
    expect(recheckParams).toEqual(nightlyParams);
    expect(nightlyLocation).toMatch(/\/associations\/dt=\$\{dt\}\/$/);
    expect(recheckLocation).toBe(nightlyLocation.replace('/associations/', '/recheck/associations/'));
  });

  it('is usable from an environment-agnostic stack of your own app (settings as props)', () => {
    const stack = new SecurityHubConfigAuditStack(
      new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } }),
      'Own',
      {
        settings: { recheck: true, managementAccountId: RECHECK_MANAGEMENT_ACCOUNT },
      },
    );
    expect(stack.recheck?.events.bus).toBeDefined();
    const template = Template.fromStack(stack);
    const rule = resourceWithId<{ EventPattern: { account: unknown } }>(
      template,
      'AWS::Events::Rule',
      logicalIdStartingWith(template, 'AWS::Events::Rule', 'RecheckEventsSecurityHubRule'),
    );
    expect(rule.Properties.EventPattern.account).toEqual([{ Ref: 'AWS::AccountId' }]);
  });

  it('passes cdk-nag in both stacks with written reasons, and synthesizes without warnings', () => {
    const { app, stack, forwarder } = createRecheckTestApp();
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(() => app.synth()).not.toThrow();
    for (const s of [stack, forwarder]) {
      if (s === undefined) throw new Error('no forwarder stack');
      expect(Annotations.fromStack(s).findError('*', Match.anyValue())).toEqual([]);
      expect(Annotations.fromStack(s).findWarning('*', Match.anyValue())).toEqual([]);
    }
    const recheckAcks = app.node
      .findAll()
      .filter((c) => c.node.path.includes('/Recheck') || c.node.path.includes('OrgEventForwarder'))
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) => Object.values(m.data as Record<string, string>)),
      );
    expect(recheckAcks.length).toBeGreaterThan(0);
    for (const reason of recheckAcks) {
      expect(reason.length).toBeGreaterThan(60);
    }
  });
});
