import type { Template } from 'aws-cdk-lib/assertions';
import { resourcesOf, resourceWithId, type AlarmProperties } from '../template-json';
import { logicalIdStartingWith, onlyResource, templateFor } from '../test-app';

const alarm = (template: Template, name: string) =>
  resourceWithId<AlarmProperties>(
    template,
    'AWS::CloudWatch::Alarm',
    logicalIdStartingWith(template, 'AWS::CloudWatch::Alarm', `Alarms${name}`),
  ).Properties;

describe('AuditAlarms', () => {
  let template: Template;
  let topic: string;

  beforeAll(() => {
    template = templateFor();
    topic = logicalIdStartingWith(template, 'AWS::SNS::Topic', 'AlertTopic');
  });

  const serviceDimension = [{ Name: 'service', Value: 'securityhub-config-audit' }];

  it('creates the nine alarms, each notifying the topic on ALARM and OK', () => {
    const alarms = Object.values(resourcesOf<AlarmProperties>(template, 'AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(9);
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topic }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topic }]);
    }
  });

  it.each([
    ['FailedAssociations', 'FailedAssociations'],
    ['IncompleteRun', 'IncompleteRun'],
  ])('%s >= 1 on the EMF metric, keeping the last verdict between nightly runs', (id, metric) => {
    expect(alarm(template, id)).toMatchObject({
      Namespace: 'SecurityHubConfigAudit',
      MetricName: metric,
      Dimensions: serviceDimension,
      Statistic: 'Maximum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'ignore',
    });
  });

  it('Lambda Errors >= 1', () => {
    const fn = onlyResource(template, 'AWS::Lambda::Function').logicalId;
    expect(alarm(template, 'FunctionErrors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'ignore',
    });
  });

  it('dead-letter queue has visible messages >= 1', () => {
    const queue = onlyResource(template, 'AWS::SQS::Queue').logicalId;
    expect(alarm(template, 'DeadLetters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('heartbeat: TargetsAudited missing for 26 hours is breaching (26 of 26 one-hour periods)', () => {
    expect(alarm(template, 'Heartbeat')).toMatchObject({
      Namespace: 'SecurityHubConfigAudit',
      MetricName: 'TargetsAudited',
      Dimensions: serviceDimension,
      Statistic: 'SampleCount',
      Period: 3600,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it.each([
    ['ExecutionsFailed', 'ExecutionsFailed'],
    ['ExecutionsTimedOut', 'ExecutionsTimedOut'],
    ['ExecutionsAborted', 'ExecutionsAborted'],
  ])('%s >= 1 on the state machine', (id, metric) => {
    const machine = onlyResource(template, 'AWS::StepFunctions::StateMachine').logicalId;
    expect(alarm(template, id)).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: metric,
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machine } }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'ignore',
    });
  });

  it('ExecutionTime above 80% of the execution timeout (the worst case of the retriers, 19 h 51 min)', () => {
    expect(alarm(template, 'ExecutionTime')).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionTime',
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 57_168_000, // 80 % of 71,460 s, in ms
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'ignore',
    });
  });

  it('no longer alarms on the duration of one invocation: a long run continues in another round', () => {
    expect(
      Object.keys(template.findResources('AWS::CloudWatch::Alarm')).some((id) => id.startsWith('AlarmsDuration')),
    ).toBe(false);
  });

  it('follows the configured percentage, heartbeat, namespace and service', () => {
    const custom = templateFor({
      durationAlarmPercent: 50,
      heartbeatHours: 50,
      metricsNamespace: 'Org/Audit',
      serviceName: 'audit-svc',
    });
    expect(alarm(custom, 'ExecutionTime').Threshold).toBe(35_730_000);
    expect(alarm(custom, 'Heartbeat')).toMatchObject({
      EvaluationPeriods: 50,
      DatapointsToAlarm: 50,
      Namespace: 'Org/Audit',
      Dimensions: [{ Name: 'service', Value: 'audit-svc' }],
    });
    // CloudWatch caps period x evaluation periods at 7 days for periods of an hour or more.
    expect(alarm(custom, 'Heartbeat').Period * alarm(custom, 'Heartbeat').EvaluationPeriods).toBeLessThanOrEqual(
      7 * 24 * 3600,
    );
  });
});
