import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { EventsRuleProperties } from '../template-json';
import { onlyResource, templateFor } from '../test-app';

describe('AuditSchedule', () => {
  let template: Template;
  let machine: string;
  let queue: string;

  beforeAll(() => {
    template = templateFor();
    machine = onlyResource(template, 'AWS::StepFunctions::StateMachine').logicalId;
    queue = onlyResource(template, 'AWS::SQS::Queue').logicalId;
  });

  it('runs nightly at 02:00 UTC by default, starting the state machine with the event time', () => {
    const rule = onlyResource<EventsRuleProperties>(template, 'AWS::Events::Rule').resource.Properties;
    expect(rule.ScheduleExpression).toBe('cron(0 2 * * ? *)');
    expect(rule.State).toBe('ENABLED');
    expect(rule.Targets).toHaveLength(1);
    const target = rule.Targets[0];
    expect(target.Arn).toEqual({ Ref: machine });
    // Only the event time: it names the run, and every round passes it on.
    expect(target.InputTransformer).toEqual({
      InputPathsMap: { time: '$.time' },
      InputTemplate: '{"time":<time>}',
    });
    expect(Object.keys(target).sort()).toEqual([
      'Arn',
      'DeadLetterConfig',
      'Id',
      'InputTransformer',
      'RetryPolicy',
      'RoleArn',
    ]);
  });

  it('retries delivery and dead-letters what still fails', () => {
    const target = onlyResource<EventsRuleProperties>(template, 'AWS::Events::Rule').resource.Properties.Targets[0];
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 });
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queue, 'Arn'] } });
  });

  it('leaves failed runs to the state machine: no Lambda asynchronous retries or destinations', () => {
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
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

  it('lets the rule start only this state machine, and nothing invoke the function but the state machine', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    const roleArn = onlyResource<EventsRuleProperties>(template, 'AWS::Events::Rule').resource.Properties.Targets[0]
      .RoleArn as {
      'Fn::GetAtt': [string, string];
    };
    const role = roleArn['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: role }],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: machine } }] },
    });
  });

  it('takes the schedule, state and retries from the context', () => {
    const custom = templateFor({
      scheduleCron: '30 4 ? * MON-FRI *',
      scheduleEnabled: 'false',
      scheduleRetryAttempts: '0',
      scheduleMaxEventAgeHours: 1,
    });
    const rule = onlyResource<EventsRuleProperties>(custom, 'AWS::Events::Rule').resource.Properties;
    expect(rule.ScheduleExpression).toBe('cron(30 4 ? * MON-FRI *)');
    expect(rule.State).toBe('DISABLED');
    expect(rule.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 });
  });
});
