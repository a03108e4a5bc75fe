import { Match, type Template } from 'aws-cdk-lib/assertions';
import { resourcesOf, resourceWithId, type KmsKeyProperties, type PolicyProperties } from '../template-json';
import { logicalIdStartingWith, onlyResource, templateFor } from '../test-app';

describe('AlertTopic', () => {
  let template: Template;
  let topic: string;
  let key: string;

  beforeAll(() => {
    template = templateFor();
    topic = logicalIdStartingWith(template, 'AWS::SNS::Topic', 'AlertTopic');
    key = logicalIdStartingWith(template, 'AWS::KMS::Key', 'AlertTopicKey');
  });

  it('encrypts the topic with its own rotating customer managed key', () => {
    expect(
      onlyResource<{ KmsMasterKeyId: unknown }>(template, 'AWS::SNS::Topic').resource.Properties.KmsMasterKeyId,
    ).toEqual({
      'Fn::GetAtt': [key, 'Arn'],
    });
    expect(resourceWithId<KmsKeyProperties>(template, 'AWS::KMS::Key', key).Properties.EnableKeyRotation).toBe(true);
  });

  const thisAccountsAlarms = {
    ArnLike: {
      'aws:SourceArn': {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':cloudwatch:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':alarm:*',
          ],
        ],
      },
    },
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
  };

  it("lets only this account's CloudWatch alarms use the key, which alias/aws/sns could not allow", () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: '*',
            Condition: thisAccountsAlarms,
          },
        ]),
      },
    });
  });

  it("denies every action without TLS and admits only this account's alarms", () => {
    const policy = onlyResource<PolicyProperties>(template, 'AWS::SNS::TopicPolicy').resource.Properties;
    expect(policy.Topics).toEqual([{ Ref: topic }]);
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Sid: 'DenyRequestsWithoutTls',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['sns:*', 'sns:Publish'],
        Resource: { Ref: topic },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'AllowThisAccountsAlarms',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic },
        Condition: thisAccountsAlarms,
      },
    ]);
  });

  it('subscribes no one by default', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('subscribes each configured e-mail address', () => {
    const custom = templateFor({ alertEmails: 'sec@example.com,ops@example.org' });
    const customTopic = logicalIdStartingWith(custom, 'AWS::SNS::Topic', 'AlertTopic');
    const subscriptions = Object.values(resourcesOf(custom, 'AWS::SNS::Subscription')).map((s) => s.Properties);
    expect(subscriptions).toEqual([
      { Protocol: 'email', Endpoint: 'sec@example.com', TopicArn: { Ref: customTopic } },
      { Protocol: 'email', Endpoint: 'ops@example.org', TopicArn: { Ref: customTopic } },
    ]);
  });
});
