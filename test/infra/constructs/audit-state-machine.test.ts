import validateAsl from 'asl-validator';
import type { Template } from 'aws-cdk-lib/assertions';
import { LAMBDA_SERVICE_ERRORS } from '../../../infra/constructs/audit-state-machine';
import { stateMachineDefinition, type AslDefinition } from '../state-machine-definition';
import { logicalIdStartingWith, onlyResource, templateFor } from '../test-app';

interface Statement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
  readonly Principal?: unknown;
}

/** The properties of the resource `id` of the template. */
function propertiesOf(template: Template, id: string): Readonly<Record<string, unknown>> {
  const resources = template.toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>;
  return resources[id].Properties;
}

function statementsOf(document: unknown): readonly Statement[] {
  return (document as { Statement: Statement[] }).Statement;
}

describe('AuditStateMachine', () => {
  let template: Template;
  let definition: AslDefinition;
  let machine: Readonly<Record<string, unknown>>;

  beforeAll(() => {
    template = templateFor();
    definition = stateMachineDefinition(template);
    machine = propertiesOf(template, onlyResource(template, 'AWS::StepFunctions::StateMachine').logicalId);
  });

  it('is valid Amazon States Language', () => {
    // A copy: the validator writes QueryLanguage into every state it checks.
    const result = validateAsl(structuredClone(definition));
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is a standard workflow with X-Ray tracing and ALL-level logging to its own log group', () => {
    expect(machine.StateMachineType).toBe('STANDARD');
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    const logGroup = logicalIdStartingWith(template, 'AWS::Logs::LogGroup', 'Orchestration');
    expect(machine.LoggingConfiguration).toEqual({
      Level: 'ALL',
      IncludeExecutionData: true,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroup, 'Arn'] } } }],
    });
    expect(definition.TimeoutSeconds).toBe(6 * 3600);
  });

  it('starts at round 1 with the schedule time, and passes time, round and maxRounds to every invocation', () => {
    expect(definition.StartAt).toBe('Start');
    expect(definition.States.Start).toMatchObject({
      Type: 'Pass',
      Parameters: { 'time.$': '$.time', round: 1, maxRounds: 8 },
      Next: 'AuditRound',
    });
    expect(definition.States.AuditRound).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: expect.stringMatching(/^arn:aws:lambda:.*:function:AuditFunction/) as unknown,
        Payload: { 'time.$': '$.time', 'round.$': '$.round', 'maxRounds.$': '$.maxRounds' },
      },
      ResultSelector: { 'status.$': '$.Payload.status', 'runId.$': '$.Payload.runId' },
      ResultPath: '$.result',
      Next: 'WorkLeft',
    });
    expect(definition.States.NextRound).toMatchObject({
      Type: 'Pass',
      Parameters: { 'time.$': '$.time', 'round.$': 'States.MathAdd($.round, 1)', 'maxRounds.$': '$.maxRounds' },
      Next: 'AuditRound',
    });
  });

  it('retries Lambda service errors and throttling with backoff, and failed rounds from the checkpoint', () => {
    expect(definition.States.AuditRound.Retry).toEqual([
      {
        ErrorEquals: [...LAMBDA_SERVICE_ERRORS],
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
        JitterStrategy: 'FULL',
      },
      { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 30, MaxAttempts: 2, BackoffRate: 2 },
    ]);
  });

  it('continues while the run says CONTINUE within the rounds, succeeds on DONE, and fails otherwise', () => {
    expect(definition.States.WorkLeft).toEqual({
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.result.status', StringEquals: 'CONTINUE' },
            { Variable: '$.round', NumericLessThanPath: '$.maxRounds' },
          ],
          Next: 'NextRound',
        },
        { Variable: '$.result.status', StringEquals: 'DONE', Next: 'ReportWritten' },
        { Variable: '$.result.status', StringEquals: 'FAILED', Next: 'RunRefused' },
      ],
      Default: 'RoundsExhausted',
    });
    expect(definition.States.ReportWritten).toEqual({ Type: 'Succeed' });
    expect(definition.States.RoundsExhausted).toMatchObject({
      Type: 'Pass',
      ResultPath: '$.error',
      Next: 'CountIncompleteRun',
    });
  });

  it('on failure counts IncompleteRun with the function metric identity, pages, then fails', () => {
    expect(definition.States.AuditRound.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'CountIncompleteRun' },
    ]);
    expect(definition.States.CountIncompleteRun).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:cloudwatch:putMetricData',
      Parameters: {
        Namespace: 'SecurityHubConfigAudit',
        MetricData: [
          {
            MetricName: 'IncompleteRun',
            Value: 1,
            Unit: 'Count',
            Dimensions: [{ Name: 'service', Value: 'securityhub-config-audit' }],
          },
        ],
      },
      ResultPath: null,
      Next: 'Page',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.countError', Next: 'Page' }],
    });
    expect(definition.States.Page).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Parameters: {
        TopicArn: expect.stringMatching(/AlertTopic/) as unknown,
        'Message.$': expect.stringMatching(
          /^States\.Format\('.*', \$\.time, \$\.round, \$\.error\.Error, \$\$\.Execution\.Id\)$/,
        ) as unknown,
      },
      Next: 'RunFailed',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.pageError', Next: 'RunFailed' }],
    });
    // Never the error's Cause: it may carry text from outside into an e-mail.
    expect(definition.States.Page.Parameters?.['Message.$']).not.toContain('Cause');
    expect(definition.States.RunFailed).toMatchObject({ Type: 'Fail', Error: 'AuditRunFailed' });
  });

  it('grants only invoking the audit function, publishing to the alert topic, and counting in its namespace', () => {
    const fn = onlyResource(template, 'AWS::Lambda::Function').logicalId;
    const topic = logicalIdStartingWith(template, 'AWS::SNS::Topic', 'AlertTopic');
    const key = logicalIdStartingWith(template, 'AWS::KMS::Key', 'AlertTopicKey');
    const policy = logicalIdStartingWith(template, 'AWS::IAM::Policy', 'OrchestrationStateMachineRoleDefaultPolicy');
    const statements = statementsOf(propertiesOf(template, policy).PolicyDocument);
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [{ 'Fn::GetAtt': [fn, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [fn, 'Arn'] }, ':*']] }],
        },
        { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topic } },
        { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [key, 'Arn'] } },
        {
          Effect: 'Allow',
          Action: 'cloudwatch:PutMetricData',
          Resource: '*',
          Condition: { StringEquals: { 'cloudwatch:namespace': 'SecurityHubConfigAudit' } },
        },
      ]),
    );
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    for (const action of actions) {
      expect(action).toMatch(
        /^(lambda:InvokeFunction|sns:Publish|kms:(Decrypt|GenerateDataKey)|cloudwatch:PutMetricData|xray:|logs:)/,
      );
    }
  });

  it('is assumed by Step Functions only, for state machines of this account (confused deputy)', () => {
    const role = logicalIdStartingWith(template, 'AWS::IAM::Role', 'OrchestrationStateMachineRole');
    const statements = statementsOf(propertiesOf(template, role).AssumeRolePolicyDocument);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'states.amazonaws.com' },
      Condition: {
        ArnLike: { 'aws:SourceArn': expect.anything() as unknown },
        StringEquals: { 'aws:SourceAccount': expect.anything() as unknown },
      },
    });
  });

  it('takes its retries from functionRetryAttempts and its metric identity from the context', () => {
    const custom = stateMachineDefinition(
      templateFor({ functionRetryAttempts: 0, metricsNamespace: 'Org/Audit', serviceName: 'audit-svc' }),
    );
    expect(custom.States.AuditRound.Retry?.[1]?.MaxAttempts).toBe(0);
    expect(custom.States.CountIncompleteRun.Parameters).toMatchObject({
      Namespace: 'Org/Audit',
      MetricData: [{ Dimensions: [{ Name: 'service', Value: 'audit-svc' }] }],
    });
  });
});
