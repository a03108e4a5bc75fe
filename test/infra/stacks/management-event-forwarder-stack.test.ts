import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { forwarderRoleName, forwarderRuleName, recheckBusName } from '../../../infra/constructs/recheck-names';
import { ManagementEventForwarderStack } from '../../../infra/stacks/management-event-forwarder-stack';
import { ConfigError } from '../../../lambdas/audit/errors';
import { synthesizedRecheckApp } from '../recheck-rule-patterns';
import type { PolicyProperties, RuleTargetJson } from '../template-json';
import { onlyResource, RECHECK_ENV, RECHECK_MANAGEMENT_ACCOUNT } from '../test-app';

const BUS = 'SecurityHubConfigAudit-changes';

describe('ManagementEventForwarderStack', () => {
  let template: Template;
  beforeAll(() => {
    template = synthesizedRecheckApp().forwarder;
  });

  it('is deployed to the management account in us-east-1', () => {
    const forwarder = synthesizedRecheckApp().app.forwarder;
    expect(forwarder?.account).toBe(RECHECK_MANAGEMENT_ACCOUNT);
    expect(forwarder?.region).toBe('us-east-1');
    expect(forwarder?.stackName).toBe('SecurityHubConfigAudit-OrgEventForwarder');
  });

  it("forwards to the audit account's changes bus in the home Region, with a named role and a DLQ", () => {
    const rule = onlyResource<{ Name: string; Targets: RuleTargetJson[]; EventBusName?: unknown }>(
      template,
      'AWS::Events::Rule',
    ).resource.Properties;
    expect(rule.Name).toBe(forwarderRuleName(BUS));
    expect(rule.EventBusName).toBeUndefined();
    const role = onlyResource<{ RoleName: string }>(template, 'AWS::IAM::Role');
    const dlq = onlyResource(template, 'AWS::SQS::Queue').logicalId;
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0]).toMatchObject({
      // The stack's Region is known (us-east-1), so the partition is too.
      Arn: `arn:aws:events:${RECHECK_ENV.region}:${RECHECK_ENV.account}:event-bus/${BUS}`,
      RoleArn: { 'Fn::GetAtt': [role.logicalId, 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
    });
    expect(role.resource.Properties.RoleName).toBe(forwarderRoleName(BUS));
    const policy = onlyResource<PolicyProperties>(template, 'AWS::IAM::Policy').resource.Properties;
    expect(policy.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: 'events:PutEvents', Effect: 'Allow', Resource: rule.Targets[0].Arn }),
    ]);
  });

  it('lets EventBridge dead-letter only what this rule failed to deliver', () => {
    const rule = onlyResource(template, 'AWS::Events::Rule').logicalId;
    const policy = onlyResource<PolicyProperties>(template, 'AWS::SQS::QueuePolicy').resource.Properties;
    const allowed = policy.PolicyDocument.Statement.filter((s) => s.Effect === 'Allow');
    expect(allowed).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } } },
      }),
    ]);
  });

  it('refuses a target it cannot name', () => {
    const make = (auditAccountId: string, homeRegion: string, busName = BUS) =>
      new ManagementEventForwarderStack(new App(), 'F', { auditAccountId, homeRegion, busName });
    expect(() => make('12345678901', 'eu-west-1')).toThrow(ConfigError);
    expect(() => make('12345678901*', 'eu-west-1')).toThrow(ConfigError);
    expect(() => make(RECHECK_ENV.account, 'eu-west-*')).toThrow(ConfigError);
    expect(() => make(RECHECK_ENV.account, 'eu-west-1', 'aws.bus')).toThrow(ConfigError);
    expect(() => make(RECHECK_ENV.account, 'eu-west-1')).not.toThrow();
  });
});

describe('re-check names', () => {
  it('derives the bus, rule and role names deterministically, within their limits', () => {
    expect(recheckBusName('SecurityHubConfigAudit')).toBe(BUS);
    const long = recheckBusName(`A${'b'.repeat(127)}`);
    for (const name of [forwarderRuleName(long), forwarderRoleName(long)]) {
      expect(name.length).toBeLessThanOrEqual(64);
      expect(name).toMatch(/^[A-Za-z0-9._-]+$/);
    }
    expect(forwarderRuleName(long)).toBe(forwarderRuleName(long));
    expect(forwarderRuleName(BUS)).toBe(`${BUS}-fwd`);
    expect(forwarderRoleName(BUS)).toBe(`${BUS}-fwd-role`);
  });
});
