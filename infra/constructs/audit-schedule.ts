import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULTS } from '../config/defaults';

/** Properties of {@link AuditSchedule}. */
export interface AuditScheduleProps {
  /** The audit function. */
  readonly function: lambda.IFunction;
  /**
   * EventBridge cron expression, UTC.
   * @default 'cron(0 2 * * ? *)' (02:00 UTC nightly)
   */
  readonly cronExpression?: string;
  /**
   * Whether the rule is enabled.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * EventBridge retries when handing the event to Lambda fails (throttled Invoke API,
   * missing permission). Failures of the run itself are {@link functionRetryAttempts}.
   * @default 3
   */
  readonly deliveryRetryAttempts?: number;
  /**
   * How long EventBridge keeps retrying delivery.
   * @default Duration.hours(2)
   */
  readonly deliveryMaxEventAge?: Duration;
  /**
   * Lambda retries of a run that failed or timed out (0-2). Safe: a retry carries the
   * same event and therefore the same `event.time`, run id and report keys.
   * @default 2
   */
  readonly functionRetryAttempts?: number;
  /**
   * Retention of dead-lettered events.
   * @default Duration.days(14) (the SQS maximum)
   */
  readonly deadLetterRetention?: Duration;
}

/**
 * The nightly EventBridge rule and the dead-letter queue of everything that could
 * not run: events EventBridge could not deliver, and runs that still failed after
 * Lambda's retries (as Lambda on-failure destination records, with the error).
 */
export class AuditSchedule extends Construct {
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: AuditScheduleProps) {
    super(scope, id);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      // SSE-SQS rather than a KMS key: EventBridge and Lambda can write to it without key policies.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention ?? Duration.days(DEFAULTS.dlqRetentionDays),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself the dead-letter queue of the schedule target and of the function's failed async " +
        'invocations; nothing consumes it automatically, so a further DLQ would never receive anything.',
    });

    // Lambda runs the function asynchronously for EventBridge; these settings govern
    // failed runs. Six hours is Lambda's maximum event age: a retry throttled by the
    // reserved concurrency of 1 waits in the queue until the running audit ends.
    props.function.configureAsyncInvoke({
      retryAttempts: props.functionRetryAttempts ?? DEFAULTS.functionRetryAttempts,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Nightly Security Hub configuration audit',
      schedule: events.Schedule.expression(props.cronExpression ?? DEFAULTS.scheduleCron),
      enabled: props.enabled ?? DEFAULTS.scheduleEnabled,
    });
    // No `event` override: the function receives the scheduled event as-is and takes
    // the run id from event.time, which retries keep.
    this.rule.addTarget(
      new targets.LambdaFunction(props.function, {
        retryAttempts: props.deliveryRetryAttempts ?? DEFAULTS.scheduleRetryAttempts,
        maxEventAge: props.deliveryMaxEventAge ?? Duration.hours(DEFAULTS.scheduleMaxEventAgeHours),
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
  }
}
