import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DEFAULTS } from '../config/defaults';
import type { AlertTopic } from './alert-topic';
import { SERVICE_DIMENSION } from '../../lambdas/audit/metrics/audit-metrics';
import type { AuditMetricsSource } from './audit-metrics';
import { acknowledgeWildcardResources } from './nag-acknowledgments';

/**
 * Lambda service errors and throttling, retried with backoff whatever the run is doing.
 * @internal Exported for its tests.
 */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** Properties of {@link AuditStateMachine}. */
export interface AuditStateMachineProps extends AuditMetricsSource {
  /** The audit function; one invocation per round. */
  readonly function: lambda.IFunction;
  /** Pages when a run fails for good (the topic and its KMS key). */
  readonly alertTopic: AlertTopic;
  /**
   * Rounds a run may take; the last one writes the report whatever is left.
   * @default 8 (two hours of 15-minute invocations: about 8 times the largest organization the quotas allow)
   */
  readonly maxRounds?: number;
  /**
   * Retries of a round that failed (an error of the run, a timeout, running out of
   * memory); the retry resumes from the run's last checkpoint.
   * @default 2
   */
  readonly roundRetryAttempts?: number;
  /**
   * Longest an execution may run.
   * @default Duration.hours(6)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the execution log.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The Step Functions standard workflow that runs an audit: it invokes the function with
 * the schedule time and the round number, invokes it again while the run reports
 * CONTINUE (a bounded number of rounds), and ends when the report is written (DONE).
 * A run that fails for good is counted (`IncompleteRun`) and paged (the alert topic)
 * before the execution fails.
 *
 * Input: `{"time": "<ISO 8601>"}`, the EventBridge event time; every round and every
 * retry passes the same time on, so the run id, the checkpoint and the report keys hold.
 */
export class AuditStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly maxRounds: number;
  /** The execution timeout. */
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: AuditStateMachineProps) {
    super(scope, id);
    this.maxRounds = props.maxRounds ?? DEFAULTS.stateMachineMaxRounds;
    this.timeout = props.timeout ?? Duration.hours(DEFAULTS.stateMachineTimeoutHours);

    const start = new sfn.Pass(this, 'Start', {
      comment: 'Takes the schedule time from the input and starts at round 1',
      parameters: { 'time.$': '$.time', round: 1, maxRounds: this.maxRounds },
    });
    const invoke = new tasks.LambdaInvoke(this, 'AuditRound', {
      comment: 'One invocation of the audit: resumes the run from its checkpoint, if any',
      lambdaFunction: props.function,
      payload: sfn.TaskInput.fromObject({ 'time.$': '$.time', 'round.$': '$.round', 'maxRounds.$': '$.maxRounds' }),
      resultSelector: { 'status.$': '$.Payload.status', 'runId.$': '$.Payload.runId' },
      resultPath: '$.result',
      retryOnServiceExceptions: false,
    });
    invoke.addRetry({
      errors: [...LAMBDA_SERVICE_ERRORS],
      interval: Duration.seconds(2),
      maxAttempts: 6,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    invoke.addRetry({
      errors: [sfn.Errors.TASKS_FAILED],
      interval: Duration.seconds(30),
      maxAttempts: props.roundRetryAttempts ?? DEFAULTS.functionRetryAttempts,
      backoffRate: 2,
    });
    const nextRound = new sfn.Pass(this, 'NextRound', {
      parameters: {
        'time.$': '$.time',
        'round.$': 'States.MathAdd($.round, 1)',
        'maxRounds.$': '$.maxRounds',
      },
    });
    const failure = this.failurePath(props);
    invoke.addCatch(failure, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    const decide = new sfn.Choice(this, 'WorkLeft')
      .when(
        sfn.Condition.and(
          sfn.Condition.stringEquals('$.result.status', 'CONTINUE'),
          sfn.Condition.numberLessThanJsonPath('$.round', '$.maxRounds'),
        ),
        nextRound.next(invoke),
      )
      .when(sfn.Condition.stringEquals('$.result.status', 'DONE'), new sfn.Succeed(this, 'ReportWritten'))
      // The function refused the run for a reason no retry fixes and has already counted and paged it.
      .when(
        sfn.Condition.stringEquals('$.result.status', 'FAILED'),
        new sfn.Fail(this, 'RunRefused', {
          error: 'AuditRefused',
          cause: 'The audit could not run (bad input or missing permission); the function paged the reason',
        }),
      )
      .otherwise(
        new sfn.Pass(this, 'RoundsExhausted', {
          parameters: {
            error: { Error: 'RoundsExhausted', Cause: 'The run still had work left after its last round' },
          },
          resultPath: '$.error',
        }).next(failure),
      );

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(start.next(invoke).next(decide)),
      timeout: this.timeout,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.alertTopic.topic.topicArn] }),
    );
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.alertTopic.key.keyArn],
      }),
    );
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        // PutMetricData has no resource-level permissions; the condition confines it to the audit's namespace.
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': props.namespace ?? DEFAULTS.metricsNamespace } },
      }),
    );
    this.acknowledgeNag(props);
  }

  /** Counts the run as incomplete, pages, and fails the execution. */
  private failurePath(props: AuditStateMachineProps): sfn.IChainable {
    const fail = new sfn.Fail(this, 'RunFailed', {
      error: 'AuditRunFailed',
      cause: 'The audit run failed; the execution history and the function log say why',
    });
    const page = new tasks.SnsPublish(this, 'Page', {
      topic: props.alertTopic.topic,
      subject: 'Security Hub configuration audit run failed',
      // The error name only: the cause may carry text from outside, which an e-mail must not show raw.
      message: sfn.TaskInput.fromText(
        sfn.JsonPath.format(
          'The audit run for schedule time {} failed in round {} with {}. Execution: {}',
          sfn.JsonPath.stringAt('$.time'),
          sfn.JsonPath.stringAt('$.round'),
          sfn.JsonPath.stringAt('$.error.Error'),
          sfn.JsonPath.stringAt('$$.Execution.Id'),
        ),
      ),
      resultPath: sfn.JsonPath.DISCARD,
    });
    page.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });
    page.addCatch(fail, { resultPath: '$.pageError' });
    // The SDK integration, not the function: a run that failed because the function could
    // not run still counts. Same namespace, name and dimension as the function's own metric.
    const count = new sfn.CustomState(this, 'CountIncompleteRun', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Stack.of(this).partition}:states:::aws-sdk:cloudwatch:putMetricData`,
        Parameters: {
          Namespace: props.namespace ?? DEFAULTS.metricsNamespace,
          MetricData: [
            {
              MetricName: 'IncompleteRun',
              Value: 1,
              Unit: 'Count',
              Dimensions: [{ Name: SERVICE_DIMENSION, Value: props.serviceName ?? DEFAULTS.serviceName }],
            },
          ],
        },
        ResultPath: null,
      },
    });
    count.addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });
    // Paging matters more than the metric: a failure to count still pages.
    count.addCatch(page, { resultPath: '$.countError' });
    return count.next(page).next(fail);
  }

  private acknowledgeNag(props: AuditStateMachineProps): void {
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (policy === undefined) return;
    acknowledgeWildcardResources(policy, [
      {
        resources: [`${props.function.functionArn}:*`],
        reason:
          'Granted by LambdaInvoke for the versions and aliases of the one audit function; no other function is reachable.',
      },
      {
        resources: ['*'],
        reason:
          'X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs log delivery ' +
          '(CreateLogDelivery and friends) have no resource-level permissions; cloudwatch:PutMetricData is ' +
          'confined to the audit namespace by a condition.',
      },
    ]);
  }
}
