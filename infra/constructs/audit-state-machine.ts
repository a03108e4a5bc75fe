import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
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
 * Lambda service errors and throttling, retried with backoff whatever the run is doing:
 * the errors the Step Functions developer guide says to retry for a Lambda task, plus throttling.
 * @internal Exported for its tests.
 */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** A retrier as far as the worst case reads it: waits of `intervalSeconds`, times `backoffRate` per retry. */
interface RetryPolicy {
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
}

/** Lambda service errors: 2 s, doubling, six retries, full jitter (each wait at most the computed one). */
const SERVICE_RETRY = { intervalSeconds: 2, maxAttempts: 6, backoffRate: 2 } as const satisfies RetryPolicy;
/** A failed round: 30 s, then 60 s; the attempts are `roundRetryAttempts`. */
const ROUND_RETRY = { intervalSeconds: 30, backoffRate: 2 } as const;
/** Counting and paging: 5, 10, 20 s. */
const NOTIFY_RETRY = { intervalSeconds: 5, maxAttempts: 3, backoffRate: 2 } as const satisfies RetryPolicy;
/** Longest one attempt to count or page may take before Step Functions gives up on it (`States.Timeout`). */
const NOTIFY_TIMEOUT = Duration.seconds(30);
/**
 * How much longer than the function's own timeout one invocation may take before Step
 * Functions gives up on it (`States.Timeout`): Lambda ends the function at its timeout, so
 * this bounds an attempt even if an answer never comes back.
 */
const INVOKE_TIMEOUT_MARGIN = Duration.minutes(1);
/** Added to the worst case for the Pass and Choice transitions and Step Functions' own latency. */
const TRANSITION_ALLOWANCE = Duration.minutes(5);
/** Lambda's longest function timeout: the bound assumed for a function whose timeout is not known. */
const LAMBDA_MAX_TIMEOUT = Duration.minutes(15);

/**
 * The longest a retrier makes a state wait in all: the sum of its intervals (jitter only shortens them).
 * @internal Exported for its tests.
 */
export function longestRetryWaitSeconds(policy: RetryPolicy): number {
  let total = 0;
  for (let retry = 0; retry < policy.maxAttempts; retry += 1) {
    total += policy.intervalSeconds * policy.backoffRate ** retry;
  }
  return total;
}

/** What the worst case of an execution depends on. */
interface WorstCaseInputs {
  readonly maxRounds: number;
  readonly roundRetryAttempts: number;
  readonly functionTimeout: Duration;
}

/**
 * The longest an execution can run with every retrier used to the end: in each of the
 * `maxRounds` rounds, the first invocation and every retry the two retriers of
 * `AuditRound` allow (their counters are separate, so they add up), each lasting as long
 * as its task timeout, plus every wait between them; then counting and paging, each with
 * all its retries; plus {@link TRANSITION_ALLOWANCE}. Rounded up to a whole minute.
 * @internal Exported for its tests.
 */
export function worstCaseExecution(inputs: WorstCaseInputs): Duration {
  const attemptSeconds = inputs.functionTimeout.plus(INVOKE_TIMEOUT_MARGIN).toSeconds();
  const roundRetry = { ...ROUND_RETRY, maxAttempts: inputs.roundRetryAttempts };
  const attempts = 1 + SERVICE_RETRY.maxAttempts + roundRetry.maxAttempts;
  const round =
    attempts * attemptSeconds + longestRetryWaitSeconds(SERVICE_RETRY) + longestRetryWaitSeconds(roundRetry);
  const notify = (1 + NOTIFY_RETRY.maxAttempts) * NOTIFY_TIMEOUT.toSeconds() + longestRetryWaitSeconds(NOTIFY_RETRY);
  const seconds = inputs.maxRounds * round + 2 * notify + TRANSITION_ALLOWANCE.toSeconds();
  return Duration.minutes(Math.ceil(seconds / 60));
}

/** Properties of {@link AuditStateMachine}. */
export interface AuditStateMachineProps extends AuditMetricsSource {
  /** The audit function; one invocation per round. */
  readonly function: lambda.IFunction;
  /**
   * The function's timeout: bounds each invocation (plus {@link INVOKE_TIMEOUT_MARGIN}) and so the execution timeout.
   * @default the function's own timeout when it is a `lambda.Function` that sets one, else 15 minutes (Lambda's maximum)
   */
  readonly functionTimeout?: Duration;
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
   * Retention of the execution log.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The Step Functions standard workflow that runs an audit: it invokes the function with
 * the schedule time and the round number, invokes it again while the run reports
 * CONTINUE (a bounded number of rounds), and ends when the report is written (DONE).
 *
 * Every other way out pages exactly once: a run the function refused (`FAILED`) ends in
 * `RunRefused` when the function paged it itself (`paged: true`); every other failure
 * (retries used up, a task timeout, rounds exhausted, a result without a known status, an
 * input without a time, a refusal the function could not page) is counted
 * (`IncompleteRun`, unless the function counted it) and paged by the state machine before
 * it ends in `RunFailed`. The page says which execution failed and why in fixed words:
 * nothing from the input or from an error reaches it.
 *
 * Input: `{"time": "<ISO 8601>"}`, the EventBridge event time; every round and every
 * retry passes the same time on, so the run id, the checkpoint and the report keys hold.
 * The function validates it: a bad time is a refused run.
 *
 * No field is read before a Choice has seen that it is there: in Amazon States Language a
 * path that matches nothing is a `States.Runtime` error, which no Retry or Catch handles,
 * so the execution would fail without counting or paging.
 */
export class AuditStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly maxRounds: number;
  /** The execution timeout: the worst case the retriers allow ({@link worstCaseExecution}). */
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: AuditStateMachineProps) {
    super(scope, id);
    this.maxRounds = props.maxRounds ?? DEFAULTS.stateMachineMaxRounds;
    const roundRetryAttempts = props.roundRetryAttempts ?? DEFAULTS.functionRetryAttempts;
    const functionTimeout =
      props.functionTimeout ??
      (props.function instanceof lambda.Function ? props.function.timeout : undefined) ??
      LAMBDA_MAX_TIMEOUT;
    this.timeout = worstCaseExecution({ maxRounds: this.maxRounds, roundRetryAttempts, functionTimeout });

    const { count, page } = this.failurePath(props);

    const start = new sfn.Pass(this, 'Start', {
      comment: 'Takes the schedule time from the input and starts at round 1',
      parameters: { 'time.$': '$.time', round: 1, maxRounds: this.maxRounds },
    });
    const invoke = new tasks.LambdaInvoke(this, 'AuditRound', {
      comment: 'One invocation of the audit: resumes the run from its checkpoint, if any',
      lambdaFunction: props.function,
      payload: sfn.TaskInput.fromObject({
        'time.$': '$.time',
        'round.$': '$.round',
        'maxRounds.$': '$.maxRounds',
        // The run's checkpoints belong to this execution alone.
        'execution.$': '$$.Execution.Id',
      }),
      // The whole payload: a field some results lack (runId on a refusal) must not be required here.
      resultSelector: { 'Payload.$': '$.Payload' },
      resultPath: '$.result',
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(functionTimeout.plus(INVOKE_TIMEOUT_MARGIN)),
    });
    invoke.addRetry({
      errors: [...LAMBDA_SERVICE_ERRORS],
      interval: Duration.seconds(SERVICE_RETRY.intervalSeconds),
      maxAttempts: SERVICE_RETRY.maxAttempts,
      backoffRate: SERVICE_RETRY.backoffRate,
      jitterStrategy: sfn.JitterType.FULL,
    });
    invoke.addRetry({
      // States.TaskFailed matches every task error but States.Timeout, which is named too.
      errors: [sfn.Errors.TASKS_FAILED, sfn.Errors.TIMEOUT],
      interval: Duration.seconds(ROUND_RETRY.intervalSeconds),
      maxAttempts: roundRetryAttempts,
      backoffRate: ROUND_RETRY.backoffRate,
    });
    const roundFailed = this.failureReason(
      'RoundFailed',
      'The error caught from AuditRound stays at $.error for the execution history; the page names the round only',
      sfn.JsonPath.format(
        'round {} failed on every attempt, or the function could not be invoked',
        sfn.JsonPath.stringAt('$.round'),
      ),
    ).next(count);
    invoke.addCatch(roundFailed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    const nextRound = new sfn.Pass(this, 'NextRound', {
      parameters: {
        'time.$': '$.time',
        'round.$': 'States.MathAdd($.round, 1)',
        'maxRounds.$': '$.maxRounds',
      },
    });
    const status = '$.result.Payload.status';
    const paged = '$.result.Payload.paged';
    const unexpected = this.failureReason(
      'UnexpectedResult',
      'The function returned no status the state machine knows',
      sfn.JsonPath.format('round {} returned no status the state machine knows', sfn.JsonPath.stringAt('$.round')),
    ).next(count);
    const exhausted = this.failureReason(
      'RoundsExhausted',
      'The run still had work left after its last round',
      sfn.JsonPath.format(
        'the run still had work left after round {} of {}',
        sfn.JsonPath.stringAt('$.round'),
        sfn.JsonPath.stringAt('$.maxRounds'),
      ),
    ).next(count);
    // The function counted IncompleteRun itself; only the page is missing.
    const refusalNotPaged = this.failureReason(
      'RefusalNotPaged',
      'The function refused the run but could not send its own alert',
      'the function refused the run (bad input or a missing permission) and could not send its own alert; its log says why',
    ).next(page);
    const refused = new sfn.Choice(this, 'RefusalPaged', {
      comment: 'Did the function page the refusal itself? Then the state machine does not page again',
    })
      .when(sfn.Condition.not(sfn.Condition.isPresent(paged)), refusalNotPaged)
      .when(sfn.Condition.not(sfn.Condition.isBoolean(paged)), refusalNotPaged)
      .when(
        sfn.Condition.booleanEquals(paged, true),
        new sfn.Fail(this, 'RunRefused', {
          error: 'AuditRefused',
          cause: 'The audit could not run (bad input or missing permission); the function paged the reason',
        }),
      )
      .otherwise(refusalNotPaged);

    // Rules are tried in order, so each comparison comes after the guards that make it safe.
    // The guards are Not(IsPresent: true) rather than IsPresent: false, which means the same
    // on AWS but which the local interpreter the tests run (aws-local-stepfunctions 3) never matches.
    const decide = new sfn.Choice(this, 'WorkLeft')
      .when(sfn.Condition.not(sfn.Condition.isPresent(status)), unexpected)
      .when(sfn.Condition.not(sfn.Condition.isString(status)), unexpected)
      .when(
        sfn.Condition.and(
          sfn.Condition.stringEquals(status, 'CONTINUE'),
          sfn.Condition.numberLessThanJsonPath('$.round', '$.maxRounds'),
        ),
        nextRound.next(invoke),
      )
      .when(sfn.Condition.stringEquals(status, 'DONE'), new sfn.Succeed(this, 'ReportWritten'))
      // The function refused the run for a reason no retry fixes, and counted it.
      .when(sfn.Condition.stringEquals(status, 'FAILED'), refused)
      .when(sfn.Condition.stringEquals(status, 'CONTINUE'), exhausted)
      .otherwise(unexpected);

    const noTime = new sfn.Pass(this, 'NoScheduleTime', {
      comment: 'The input has no time: the run cannot be named, so it does not start',
      parameters: {
        failure: { reason: 'the execution input has no "time" (the schedule time the run is named after)' },
      },
    }).next(count);
    const hasTime = new sfn.Choice(this, 'HasScheduleTime', {
      comment: 'Whether the input has a time; the function validates it',
    })
      .when(sfn.Condition.not(sfn.Condition.isPresent('$.time')), noTime)
      .otherwise(start.next(invoke).next(decide));

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(hasTime),
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

  /**
   * A Pass state that puts why the run failed at `$.failure.reason`: fixed words and the
   * state machine's own numbers, the one shape the page reads.
   */
  private failureReason(id: string, comment: string, reason: string): sfn.Pass {
    return new sfn.Pass(this, id, {
      comment,
      parameters: { reason },
      resultPath: '$.failure',
    });
  }

  /** Counts the run as incomplete, pages, and fails the execution. */
  private failurePath(props: AuditStateMachineProps): { count: sfn.IChainable; page: sfn.IChainable } {
    const fail = new sfn.Fail(this, 'RunFailed', {
      error: 'AuditRunFailed',
      cause: 'The audit run failed; the execution history and the function log say why',
    });
    const page = new tasks.SnsPublish(this, 'Page', {
      topic: props.alertTopic.topic,
      subject: 'Security Hub configuration audit run failed',
      // Only values Step Functions validated (the execution's name, id and start time) and
      // the reason, which the state machine wrote: nothing from the input or an error's text.
      message: sfn.TaskInput.fromText(
        sfn.JsonPath.format(
          'The Security Hub configuration audit execution {} (started {}) failed: {}. The execution history and the function log say why: {}',
          sfn.JsonPath.stringAt('$$.Execution.Name'),
          sfn.JsonPath.stringAt('$$.Execution.StartTime'),
          sfn.JsonPath.stringAt('$.failure.reason'),
          sfn.JsonPath.stringAt('$$.Execution.Id'),
        ),
      ),
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(NOTIFY_TIMEOUT),
    });
    page.addRetry({
      errors: [sfn.Errors.ALL],
      interval: Duration.seconds(NOTIFY_RETRY.intervalSeconds),
      maxAttempts: NOTIFY_RETRY.maxAttempts,
      backoffRate: NOTIFY_RETRY.backoffRate,
    });
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
        TimeoutSeconds: NOTIFY_TIMEOUT.toSeconds(),
      },
    });
    count.addRetry({
      errors: [sfn.Errors.ALL],
      interval: Duration.seconds(NOTIFY_RETRY.intervalSeconds),
      maxAttempts: NOTIFY_RETRY.maxAttempts,
      backoffRate: NOTIFY_RETRY.backoffRate,
    });
    // Paging matters more than the metric: a failure to count still pages.
    count.addCatch(page, { resultPath: '$.countError' });
    count.next(page);
    page.next(fail);
    return { count, page };
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
