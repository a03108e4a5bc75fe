import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Properties of {@link RecheckAlarms}. */
export interface RecheckAlarmsProps {
  /** The re-check function (Errors). */
  readonly function: lambda.IFunction;
  /** The re-check's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Receives alarm and OK notifications (the alert topic). */
  readonly topic: sns.ITopic;
  /**
   * Period of both alarms: re-checks run within minutes of a change, so their alarms look at minutes too.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/**
 * The re-check's alarms, each notifying the topic on ALARM and on OK. Unlike the nightly
 * alarms, missing data is not breaching: no change, no re-check, no data point.
 */
export class RecheckAlarms extends Construct {
  readonly deadLetters: cloudwatch.Alarm;
  readonly functionErrors: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RecheckAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);

    this.deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmDescription:
        'A change could not be delivered to the re-check queue, or the re-check failed on it after every retry. ' +
        'Inspect the re-check dead-letter queue; the next nightly run covers the change either way.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // SQS stops publishing metrics for an empty, idle queue: no data means no messages.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.functionErrors = new cloudwatch.Alarm(this, 'FunctionErrors', {
      alarmDescription:
        'An invocation of the re-check function failed (an error, a timeout, out of memory); its batch returns to ' +
        'the queue and is retried. See the re-check function log.',
      metric: props.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const action = new actions.SnsAction(props.topic);
    for (const alarm of this.all) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  /** Every alarm. */
  get all(): cloudwatch.Alarm[] {
    return [this.deadLetters, this.functionErrors];
  }
}
