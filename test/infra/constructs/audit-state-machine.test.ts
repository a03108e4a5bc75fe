import validateAsl from 'asl-validator';
import type { Template } from 'aws-cdk-lib/assertions';
import { Duration } from 'aws-cdk-lib';
import {
  LAMBDA_SERVICE_ERRORS,
  longestRetryWaitSeconds,
  worstCaseExecution,
} from '../../../infra/constructs/audit-state-machine';
import { STACK_SETTINGS } from '../../../infra/config/stack-settings';
import { stateMachineDefinition, type AslDefinition, type AslErrorHandler } from '../state-machine-definition';
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

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** The waits of one retrier, as Amazon States Language defines them (defaults: 1 s, 3 attempts, rate 2). */
function retrierWaits(retrier: AslErrorHandler): number {
  const interval = (retrier.IntervalSeconds as number | undefined) ?? 1;
  const rate = (retrier.BackoffRate as number | undefined) ?? 2;
  const maxDelay = (retrier.MaxDelaySeconds as number | undefined) ?? Infinity;
  return sum(Array.from({ length: retrier.MaxAttempts ?? 3 }, (_, i) => Math.min(interval * rate ** i, maxDelay)));
}

/** The longest a task can take with every retrier used up: each attempt as long as its timeout, plus the waits. */
function longestTask(definition: AslDefinition, name: string): number {
  const state = definition.States[name];
  const timeout = state.TimeoutSeconds as number;
  const retriers = state.Retry ?? [];
  // Each retrier counts its own attempts, so they add up.
  const attempts = 1 + sum(retriers.map((r) => r.MaxAttempts ?? 3));
  return attempts * timeout + sum(retriers.map(retrierWaits));
}

/**
 * The worst case read from the definition alone, not from the construct's arithmetic:
 * every round with every retry of AuditRound, then counting and paging with theirs.
 */
function worstCaseSeconds(definition: AslDefinition): number {
  const rounds = definition.States.Start.Parameters?.maxRounds as number;
  return (
    rounds * longestTask(definition, 'AuditRound') +
    longestTask(definition, 'CountIncompleteRun') +
    longestTask(definition, 'Page')
  );
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
  });

  it('gives every task a timeout, so no attempt can last longer', () => {
    const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(['AuditRound', 'CountIncompleteRun', 'Page']);
    // The function's 15 minutes and one more: Lambda ends the function first.
    expect(definition.States.AuditRound.TimeoutSeconds).toBe(16 * 60);
    expect(definition.States.CountIncompleteRun.TimeoutSeconds).toBe(30);
    expect(definition.States.Page.TimeoutSeconds).toBe(30);
  });

  it.each([
    ['the defaults', {}],
    ['no round retries and a 5-minute function', { functionRetryAttempts: 0, functionTimeoutMinutes: 5 }],
    ['one round retry and a 2-minute function', { functionRetryAttempts: 1, functionTimeoutMinutes: 2 }],
  ])('times out only after the worst case its retriers allow (%s)', (_name, context) => {
    const custom = stateMachineDefinition(templateFor(context));
    const worst = worstCaseSeconds(custom);
    expect(custom.TimeoutSeconds).toBeGreaterThanOrEqual(worst);
    // Not much more: the allowance for transitions, rounded up to a minute.
    expect(custom.TimeoutSeconds).toBeLessThanOrEqual(worst + 6 * 60);
  });

  it('computes the worst case from rounds, retries and the function timeout', () => {
    expect(longestRetryWaitSeconds({ intervalSeconds: 2, maxAttempts: 6, backoffRate: 2 })).toBe(126);
    expect(longestRetryWaitSeconds({ intervalSeconds: 30, maxAttempts: 0, backoffRate: 2 })).toBe(0);
    // Per round 9 attempts of 16 min, 126 s + 90 s of waits; 8 rounds; 2 x (4 x 30 s + 35 s); 5 min: 19 h 51 min.
    const defaults = worstCaseExecution({ maxRounds: 8, roundRetryAttempts: 2, functionTimeout: Duration.minutes(15) });
    expect(defaults.toSeconds()).toBe(19 * 3600 + 51 * 60);
    expect(definition.TimeoutSeconds).toBe(defaults.toSeconds());
    // The documented default (README, context-key table) is this figure.
    expect(STACK_SETTINGS.durationAlarmPercent.doc).toContain('19 h 51 min by default');
    // The former fixed 6 hours did not cover even the rounds without retries plus one failed round's retries.
    expect(defaults.toSeconds()).toBeGreaterThan(6 * 3600);
    expect(
      worstCaseExecution({ maxRounds: 1, roundRetryAttempts: 0, functionTimeout: Duration.minutes(1) }).toSeconds(),
    ).toBe(Math.ceil((7 * 120 + 126 + 310 + 300) / 60) * 60);
  });

  it('starts at round 1 with the schedule time when the input has one, and passes time, round and maxRounds on', () => {
    expect(definition.StartAt).toBe('HasScheduleTime');
    expect(definition.States.HasScheduleTime).toEqual({
      Type: 'Choice',
      Comment: expect.any(String) as unknown,
      Choices: [{ Not: { Variable: '$.time', IsPresent: true }, Next: 'NoScheduleTime' }],
      Default: 'Start',
    });
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
        Payload: {
          'time.$': '$.time',
          'round.$': '$.round',
          'maxRounds.$': '$.maxRounds',
          'execution.$': '$$.Execution.Id',
        },
      },
      // The whole payload: no field is required that some result lacks (a refusal has no runId).
      ResultSelector: { 'Payload.$': '$.Payload' },
      ResultPath: '$.result',
      Next: 'WorkLeft',
    });
    expect(definition.States.NextRound).toMatchObject({
      Type: 'Pass',
      Parameters: { 'time.$': '$.time', 'round.$': 'States.MathAdd($.round, 1)', 'maxRounds.$': '$.maxRounds' },
      Next: 'AuditRound',
    });
  });

  it('retries Lambda service errors, throttling and client timeouts with backoff, and failed rounds from the checkpoint', () => {
    expect(LAMBDA_SERVICE_ERRORS).toContain('Lambda.ClientExecutionTimeoutException');
    expect(definition.States.AuditRound.Retry).toEqual([
      {
        ErrorEquals: [...LAMBDA_SERVICE_ERRORS],
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
        JitterStrategy: 'FULL',
      },
      { ErrorEquals: ['States.TaskFailed', 'States.Timeout'], IntervalSeconds: 30, MaxAttempts: 2, BackoffRate: 2 },
    ]);
  });

  it('reads the result only after checking it is there: continue, succeed, refuse, or fail', () => {
    const status = '$.result.Payload.status';
    expect(definition.States.WorkLeft).toEqual({
      Type: 'Choice',
      Choices: [
        { Not: { Variable: status, IsPresent: true }, Next: 'UnexpectedResult' },
        { Not: { Variable: status, IsString: true }, Next: 'UnexpectedResult' },
        {
          And: [
            { Variable: status, StringEquals: 'CONTINUE' },
            { Variable: '$.round', NumericLessThanPath: '$.maxRounds' },
          ],
          Next: 'NextRound',
        },
        { Variable: status, StringEquals: 'DONE', Next: 'ReportWritten' },
        { Variable: status, StringEquals: 'FAILED', Next: 'RefusalPaged' },
        { Variable: status, StringEquals: 'CONTINUE', Next: 'RoundsExhausted' },
      ],
      Default: 'UnexpectedResult',
    });
    const paged = '$.result.Payload.paged';
    expect(definition.States.RefusalPaged).toMatchObject({
      Type: 'Choice',
      Choices: [
        { Not: { Variable: paged, IsPresent: true }, Next: 'RefusalNotPaged' },
        { Not: { Variable: paged, IsBoolean: true }, Next: 'RefusalNotPaged' },
        { Variable: paged, BooleanEquals: true, Next: 'RunRefused' },
      ],
      Default: 'RefusalNotPaged',
    });
    expect(definition.States.ReportWritten).toEqual({ Type: 'Succeed' });
    expect(definition.States.RunRefused).toMatchObject({ Type: 'Fail', Error: 'AuditRefused' });
  });

  it('puts why a run failed at $.failure.reason in fixed words on every path to the page', () => {
    const reasons = Object.fromEntries(
      ['RoundFailed', 'RoundsExhausted', 'UnexpectedResult', 'RefusalNotPaged'].map((name) => {
        const state = definition.States[name];
        expect(state).toMatchObject({ Type: 'Pass', ResultPath: '$.failure' });
        return [name, state.Parameters];
      }),
    );
    expect(reasons).toEqual({
      RoundFailed: {
        'reason.$': "States.Format('round {} failed on every attempt, or the function could not be invoked', $.round)",
      },
      RoundsExhausted: {
        'reason.$': "States.Format('the run still had work left after round {} of {}', $.round, $.maxRounds)",
      },
      UnexpectedResult: { 'reason.$': "States.Format('round {} returned no status the state machine knows', $.round)" },
      RefusalNotPaged: { reason: expect.stringMatching(/^the function refused the run/) as unknown },
    });
    expect(definition.States.NoScheduleTime).toMatchObject({
      Type: 'Pass',
      Parameters: { failure: { reason: expect.stringMatching(/^the execution input has no "time"/) as unknown } },
      Next: 'CountIncompleteRun',
    });
    // The function counted a refusal itself: that path pages without counting again.
    expect(definition.States.RefusalNotPaged.Next).toBe('Page');
    for (const name of ['RoundFailed', 'RoundsExhausted', 'UnexpectedResult']) {
      expect(definition.States[name].Next).toBe('CountIncompleteRun');
    }
  });

  it('on failure counts IncompleteRun with the function metric identity, pages, then fails', () => {
    expect(definition.States.AuditRound.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RoundFailed' },
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
        Subject: 'Security Hub configuration audit run failed',
        'Message.$': expect.stringMatching(
          /^States\.Format\('.*', \$\$\.Execution\.Name, \$\$\.Execution\.StartTime, \$\.failure\.reason, \$\$\.Execution\.Id\)$/,
        ) as unknown,
      },
      Next: 'RunFailed',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.pageError', Next: 'RunFailed' }],
    });
    // Nothing from the input or an error: values Step Functions validated and the state machine's own reason.
    const message = definition.States.Page.Parameters?.['Message.$'] as string;
    expect(message).not.toMatch(/\$\.time|\$\.error|Cause/);
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

  it('takes its retries and task timeout from the function settings and its metric identity from the context', () => {
    const custom = stateMachineDefinition(
      templateFor({
        functionRetryAttempts: 0,
        functionTimeoutMinutes: 5,
        metricsNamespace: 'Org/Audit',
        serviceName: 'audit-svc',
      }),
    );
    expect(custom.States.AuditRound.Retry?.[1]?.MaxAttempts).toBe(0);
    expect(custom.States.AuditRound.TimeoutSeconds).toBe(6 * 60);
    expect(custom.States.CountIncompleteRun.Parameters).toMatchObject({
      Namespace: 'Org/Audit',
      MetricData: [{ Dimensions: [{ Name: 'service', Value: 'audit-svc' }] }],
    });
  });
});
