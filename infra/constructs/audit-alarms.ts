import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULTS } from '../config/defaults';
import { auditMetric, type AuditMetricsSource } from './audit-metrics';

/** Properties of {@link AuditAlarms}. */
export interface AuditAlarmsProps extends AuditMetricsSource {
  /** The audit function (Errors). */
  readonly function: lambda.IFunction;
  /** The state machine that runs the audit (failed, timed-out, aborted executions; execution time). */
  readonly stateMachine: sfn.IStateMachine;
  /** The state machine's execution timeout (the worst case its retriers allow), for the ExecutionTime threshold. */
  readonly executionTimeout: Duration;
  /** The schedule's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Receives alarm and OK notifications. */
  readonly topic: sns.ITopic;
  /**
   * Alarm when no successful run has reported TargetsAudited for this many hours.
   * @default 26 (a nightly schedule plus two hours of slack)
   */
  readonly heartbeatHours?: number;
  /**
   * Alarm when an execution's duration exceeds this percentage of the execution timeout.
   * @default 80
   */
  readonly durationThresholdPercent?: number;
}

/**
 * The alarms, each notifying the topic on ALARM and on OK.
 *
 * The audit emits its metrics once a night. Alarms on those metrics therefore use
 * `TreatMissingData.IGNORE`: in the 23 hours without a data point the alarm keeps the
 * verdict of the last run, instead of flipping to OK (and mailing "OK") an hour after
 * every bad run. The next run's data point decides again.
 */
export class AuditAlarms extends Construct {
  readonly failedAssociations: cloudwatch.Alarm;
  readonly incompleteRun: cloudwatch.Alarm;
  readonly functionErrors: cloudwatch.Alarm;
  readonly deadLetters: cloudwatch.Alarm;
  readonly heartbeat: cloudwatch.Alarm;
  readonly executionsFailed: cloudwatch.Alarm;
  readonly executionsTimedOut: cloudwatch.Alarm;
  readonly executionsAborted: cloudwatch.Alarm;
  readonly executionTime: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AuditAlarmsProps) {
    super(scope, id);
    const hour = Duration.hours(1);

    this.failedAssociations = new cloudwatch.Alarm(this, 'FailedAssociations', {
      alarmDescription:
        'The last audit found configuration policy associations in FAILED state. Run the "failed-by-ou-path" Athena query.',
      metric: auditMetric(props, 'FailedAssociations'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });

    this.incompleteRun = new cloudwatch.Alarm(this, 'IncompleteRun', {
      alarmDescription:
        'The last audit did not get a definite answer for every target, or failed, or an attempt of it threw (even if a retry then finished it). See the function log and the execution history.',
      metric: auditMetric(props, 'IncompleteRun'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });

    this.functionErrors = new cloudwatch.Alarm(this, 'FunctionErrors', {
      alarmDescription:
        'An invocation of the audit function failed (an error, a timeout, out of memory). The state machine retries it from the run checkpoint; see the function log. A run the function refused (bad document, configuration or permission) returns normally and does not count here.',
      metric: props.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period: hour }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });

    this.deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmDescription:
        'EventBridge could not start the scheduled audit execution after all retries. Inspect the dead-letter queue.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // SQS stops publishing metrics for an empty, idle queue: no data means no messages.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Heartbeat. A missing metric must count as breaching, over a window longer than a
    // day. A single period cannot do it (periods are aligned buckets, not a sliding
    // window), so: 1-hour periods, N of N must breach, missing = breaching. Any one run
    // in the last N hours leaves a non-breaching hour, so the alarm fires only after N
    // hours without a successful run. CloudWatch allows period x evaluations up to 7 days
    // for periods of an hour or more (up to 1 day below an hour), hence the 168 h cap.
    const hours = props.heartbeatHours ?? DEFAULTS.heartbeatHours;
    this.heartbeat = new cloudwatch.Alarm(this, 'Heartbeat', {
      alarmDescription: `No successful audit has reported TargetsAudited for ${hours} hours. Check the schedule, the dead-letter queue, the state machine's executions and the function log.`,
      metric: auditMetric(props, 'TargetsAudited', { statistic: cloudwatch.Stats.SAMPLE_COUNT }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: hours,
      datapointsToAlarm: hours,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    const executions = (id: string, description: string, metric: cloudwatch.IMetric): cloudwatch.Alarm =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      });
    const sum = { statistic: cloudwatch.Stats.SUM, period: hour };
    this.executionsFailed = executions(
      'ExecutionsFailed',
      'An audit execution failed: the function refused the run (RunRefused) or the state machine gave up on it (RunFailed); either was paged once. See the execution history.',
      props.stateMachine.metricFailed(sum),
    );
    this.executionsTimedOut = executions(
      'ExecutionsTimedOut',
      'An audit execution hit the state machine timeout, which its retries cannot reach: it was neither counted nor paged. See the execution history.',
      props.stateMachine.metricTimedOut(sum),
    );
    this.executionsAborted = executions(
      'ExecutionsAborted',
      'An audit execution was stopped (aborted) before the report was written; it was neither counted nor paged.',
      props.stateMachine.metricAborted(sum),
    );
    const percent = props.durationThresholdPercent ?? DEFAULTS.durationAlarmPercent;
    this.executionTime = new cloudwatch.Alarm(this, 'ExecutionTime', {
      alarmDescription: `An audit execution took more than ${percent}% of the execution timeout, the worst case its rounds and retries allow: rounds are failing and being retried, or the organization is outgrowing the rounds allowed. See the execution history.`,
      metric: props.stateMachine.metricTime({ statistic: cloudwatch.Stats.MAXIMUM, period: hour }),
      threshold: Math.floor((props.executionTimeout.toMilliseconds() * percent) / 100),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });

    const action = new actions.SnsAction(props.topic);
    for (const alarm of this.all) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  /** Every alarm, for the dashboard's status widget. */
  get all(): cloudwatch.Alarm[] {
    return [
      this.failedAssociations,
      this.incompleteRun,
      this.functionErrors,
      this.deadLetters,
      this.heartbeat,
      this.executionsFailed,
      this.executionsTimedOut,
      this.executionsAborted,
      this.executionTime,
    ];
  }
}
