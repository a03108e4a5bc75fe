import { Duration } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ASSOCIATION_COLUMNS } from '../../lambdas/audit/report/schema';
import { ConfigError } from '../../lambdas/audit/errors';
import { DEFAULTS } from '../config/defaults';
import type { AlertTopic } from './alert-topic';
import type { AuditFunctionSettings } from './audit-function';
import { RecheckAlarms } from './recheck-alarms';
import { RecheckEvents } from './recheck-events';
import { RecheckFunction, type RecheckFunctionSettings } from './recheck-function';
import { RECHECK_LAYOUT } from './recheck-names';
import type { ReportBucket } from './report-bucket';
import type { ReportCatalog } from './report-catalog';
import type { StateMacKey } from './state-mac-key';

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

/** Properties of {@link RecheckPipeline}. */
export interface RecheckPipelineProps {
  /** The report store the re-check reads and writes (under `recheck/`). */
  readonly reportBucket: ReportBucket;
  /** Receives the digest and the alarms. */
  readonly alertTopic: AlertTopic;
  /** The audit's state MAC key; the re-check function becomes a signer. */
  readonly macKey: StateMacKey;
  /**
   * The Glue catalog to add the `recheck_associations` table to.
   * @default - no table
   */
  readonly catalog?: ReportCatalog;
  /**
   * The management account whose Organizations events are forwarded (see ManagementEventForwarderStack).
   * @default - no changes bus: Security Hub changes only
   */
  readonly managementAccountId?: string;
  /**
   * Name of the changes bus.
   * @default `<stackName>-changes`
   */
  readonly busName?: string;
  /**
   * Re-check handler module.
   * @default lambdas/audit/recheck-handler.ts
   */
  readonly entry?: string;
  /**
   * Re-check function timeout.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Re-check function memory, MB.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Retention of the re-check function's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * POWERTOOLS_LOG_LEVEL.
   * @default 'INFO'
   */
  readonly logLevel?: string;
  /**
   * POWERTOOLS_SERVICE_NAME of the re-check.
   * @default 'securityhub-config-audit-recheck'
   */
  readonly serviceName?: string;
  /**
   * POWERTOOLS_METRICS_NAMESPACE (the audit's).
   * @default 'SecurityHubConfigAudit'
   */
  readonly metricsNamespace?: string;
  /**
   * The audit function's registry settings, which the re-check shares.
   * @default - registry defaults
   */
  readonly settings?: Partial<AuditFunctionSettings>;
  /**
   * The re-check's own settings.
   * @default - registry defaults
   */
  readonly recheckSettings?: Partial<RecheckFunctionSettings>;
  /**
   * Changes per invocation.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long the queue gathers a batch: a burst (an OU move of 1,000 accounts) becomes one re-check.
   * @default Duration.seconds(60)
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

    this.recheckFunction = new RecheckFunction(this, 'Function', {
      reportBucket: props.reportBucket,
      alertTopic: props.alertTopic,
      macKey: props.macKey,
      entry: props.entry,
      timeout: props.timeout,
      memorySize: props.memorySize,
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      serviceName: props.serviceName,
      metricsNamespace: props.metricsNamespace,
      settings: props.settings,
      recheckSettings: props.recheckSettings,
      managementAccountId: props.managementAccountId,
    });
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
