import { Duration } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { ASSOCIATION_COLUMNS } from '../../lambdas/audit/report/schema';
import { ConfigError } from '../../lambdas/audit/errors';
import { DEFAULTS } from '../config/defaults';
import { RecheckAlarms } from './recheck-alarms';
import { RecheckEvents } from './recheck-events';
import { RecheckFunction, type RecheckFunctionProps } from './recheck-function';
import { RECHECK_LAYOUT } from './recheck-names';
import type { ReportCatalog } from './report-catalog';

/**
 * Lambda's SQS guidance: the queue's visibility timeout at least six times the function
 * timeout, which leaves Lambda time to retry a batch the function was throttled on
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html). The batching
 * window is added on top, since messages are already invisible while a batch gathers.
 */
const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Lambda's limits for an SQS standard queue: batch size 1-10,000, batching window 0-300 s. */
const MAX_BATCH_SIZE = 10_000;
const MAX_BATCHING_WINDOW_SECONDS = 300;

/**
 * Properties of {@link RecheckPipeline}: the re-check function's (its report bucket, topic,
 * MAC key, management account, runtime and settings, each with its default there), and the
 * queue's and bus's below.
 */
export interface RecheckPipelineProps extends RecheckFunctionProps {
  /**
   * The Glue catalog to add the `recheck_associations` table to.
   * @default - no table
   */
  readonly catalog?: ReportCatalog;
  /**
   * Name of the changes bus.
   * @default `<stackName>-changes`
   */
  readonly busName?: string;
  /**
   * Changes per invocation.
   * @default 1000
   */
  readonly batchSize?: number;
  /**
   * How long the queue gathers a batch: a burst (an OU move of 1,000 accounts) becomes one re-check.
   * @default Duration.seconds(30)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Receives of a change before it is dead-lettered (at least 5).
   * @default 10
   */
  readonly maxReceiveCount?: number;
  /**
   * Retention of the dead-letter queue.
   * @default Duration.days(14)
   */
  readonly deadLetterRetention?: Duration;
}

/**
 * The event-driven re-check (issue 19): change events from Security Hub (default bus) and
 * from the management account's Organizations (changes bus), a queue that gathers them
 * into batches, the re-check function (reserved concurrency 1) with partial batch
 * responses, a dead-letter queue with an alarm, and the `recheck_associations` table.
 */
export class RecheckPipeline extends Construct {
  readonly events: RecheckEvents;
  readonly recheckFunction: RecheckFunction;
  readonly alarms: RecheckAlarms;
  /** Present when a catalog was given. */
  readonly associationsTable?: glue.CfnTable;

  constructor(scope: Construct, id: string, props: RecheckPipelineProps) {
    super(scope, id);
    const batchSize = props.batchSize ?? DEFAULTS.recheckBatchSize;
    const window = props.maxBatchingWindow ?? Duration.seconds(DEFAULTS.recheckBatchingWindowSeconds);
    checkBatching(batchSize, window);

    this.recheckFunction = new RecheckFunction(this, 'Function', props);
    const timeoutSeconds = this.recheckFunction.timeout.toSeconds();

    this.events = new RecheckEvents(this, 'Events', {
      visibilityTimeout: Duration.seconds(VISIBILITY_TIMEOUT_FACTOR * timeoutSeconds + window.toSeconds()),
      managementAccountId: props.managementAccountId,
      busName: props.busName,
      maxReceiveCount: props.maxReceiveCount,
      deadLetterRetention: props.deadLetterRetention,
    });

    this.recheckFunction.function.addEventSource(
      new sources.SqsEventSource(this.events.queue, {
        batchSize,
        maxBatchingWindow: window,
        // The handler names the messages it could not process; the others leave the queue.
        reportBatchItemFailures: true,
      }),
    );

    this.alarms = new RecheckAlarms(this, 'Alarms', {
      function: this.recheckFunction.function,
      deadLetterQueue: this.events.deadLetterQueue,
      topic: props.alertTopic.topic,
    });

    this.associationsTable = props.catalog?.addJsonTable('RecheckAssociationsTable', {
      dir: RECHECK_LAYOUT.associationsDir,
      name: 'recheck_associations',
      columns: ASSOCIATION_COLUMNS,
      gzip: true,
      description: 'One row per target a re-check read, per re-check (the nightly associations row format)',
    });
  }
}

/** Lambda's limits on an SQS standard queue's batching (batch size above 10 needs a window of 1 s or more). */
function checkBatching(batchSize: number, window: Duration): void {
  const seconds = window.toSeconds();
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new ConfigError(`RecheckPipeline batchSize: expected an integer from 1 to ${MAX_BATCH_SIZE}`);
  }
  if (seconds > MAX_BATCHING_WINDOW_SECONDS || (batchSize > 10 && seconds < 1)) {
    throw new ConfigError(
      `RecheckPipeline maxBatchingWindow: expected at most ${MAX_BATCHING_WINDOW_SECONDS} s, and at least 1 s above 10 messages a batch`,
    );
  }
}
