import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULTS } from '../config/defaults';
import { deadLetterQueue } from './dead-letter-queue';

/** Properties of {@link AuditSchedule}. */
export interface AuditScheduleProps {
  /** The state machine that runs the audit (see AuditStateMachine). */
  readonly stateMachine: sfn.IStateMachine;
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
   * EventBridge retries when starting the execution fails (throttled StartExecution,
   * missing permission). Failures of the run itself are retried by the state machine.
   * @default 3
   */
  readonly deliveryRetryAttempts?: number;
  /**
   * How long EventBridge keeps retrying delivery.
   * @default Duration.hours(2)
   */
  readonly deliveryMaxEventAge?: Duration;
  /**
   * Retention of dead-lettered events.
   * @default Duration.days(14) (the SQS maximum)
   */
  readonly deadLetterRetention?: Duration;
}

/**
 * The nightly EventBridge rule, which starts the audit's state machine with the event
 * time as input, and the dead-letter queue of the events it could not deliver. Failed
 * runs are the state machine's concern (retries, IncompleteRun, the page, the
 * ExecutionsFailed alarm): it invokes the function synchronously, so Lambda's
 * asynchronous retries and on-failure destination no longer apply.
 */
export class AuditSchedule extends Construct {
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: AuditScheduleProps) {
    super(scope, id);

    this.deadLetterQueue = deadLetterQueue(this, 'the schedule target', props.deadLetterRetention);

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Nightly Security Hub configuration audit',
      schedule: events.Schedule.expression(props.cronExpression ?? DEFAULTS.scheduleCron),
      enabled: props.enabled ?? DEFAULTS.scheduleEnabled,
    });
    // Only the event time goes in: it names the run, and every round and retry passes it on.
    this.rule.addTarget(
      new targets.SfnStateMachine(props.stateMachine, {
        input: events.RuleTargetInput.fromObject({ time: events.EventField.time }),
        retryAttempts: props.deliveryRetryAttempts ?? DEFAULTS.scheduleRetryAttempts,
        maxEventAge: props.deliveryMaxEventAge ?? Duration.hours(DEFAULTS.scheduleMaxEventAgeHours),
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
  }
}
