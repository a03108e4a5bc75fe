import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { EventsRuleProperties } from '../template-json';
import { onlyResource, templateFor } from '../test-app';

describe('AuditSchedule', () => {
  let template: Template;
  let fn: string;
  let queue: string;

  beforeAll(() => {
    template = templateFor();
    fn = onlyResource(template, 'AWS::Lambda::Function').logicalId;
    queue = onlyResource(template, 'AWS::SQS::Queue').logicalId;
  });

  it('runs nightly at 02:00 UTC by default, passing the scheduled event as-is', () => {
    const rule = onlyResource<EventsRuleProperties>(template, 'AWS::Events::Rule').resource.Properties;
    expect(rule.ScheduleExpression).toBe('cron(0 2 * * ? *)');
    expect(rule.State).toBe('ENABLED');
    expect(rule.Targets).toHaveLength(1);
    const target = rule.Targets[0];
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [fn, 'Arn'] });
    // No Input / InputPath / InputTransformer: the handler reads event.time.
    expect(Object.keys(target).sort()).toEqual(['Arn', 'DeadLetterConfig', 'Id', 'RetryPolicy']);
  });

  it('retries delivery and dead-letters what still fails', () => {
    const target = onlyResource<EventsRuleProperties>(template, 'AWS::Events::Rule').resource.Properties.Targets[0];
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 });
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queue, 'Arn'] } });
  });

  it('retries failed runs in Lambda and sends the final failure to the same queue', () => {
    expect(onlyResource(template, 'AWS::Lambda::EventInvokeConfig').resource.Properties).toEqual({
      FunctionName: { Ref: fn },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
  });

  it('encrypts the dead-letter queue, keeps messages 14 days, and denies non-TLS access', () => {
    expect(onlyResource(template, 'AWS::SQS::Queue').resource.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets only this rule send dead letters', () => {
    const rule = onlyResource(template, 'AWS::Events::Rule').logicalId;
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [rule, 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('lets only this rule invoke the function', () => {
    const rule = onlyResource(template, 'AWS::Events::Rule').logicalId;
    expect(onlyResource(template, 'AWS::Lambda::Permission').resource.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [rule, 'Arn'] },
    });
  });

  it('takes the schedule, state and retries from the context', () => {
    const custom = templateFor({
      scheduleCron: '30 4 ? * MON-FRI *',
      scheduleEnabled: 'false',
      scheduleRetryAttempts: '0',
      scheduleMaxEventAgeHours: 1,
      functionRetryAttempts: 0,
    });
    const rule = onlyResource<EventsRuleProperties>(custom, 'AWS::Events::Rule').resource.Properties;
    expect(rule.ScheduleExpression).toBe('cron(30 4 ? * MON-FRI *)');
    expect(rule.State).toBe('DISABLED');
    expect(rule.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 });
    expect(onlyResource(custom, 'AWS::Lambda::EventInvokeConfig').resource.Properties.MaximumRetryAttempts).toBe(0);
  });
});
