import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { addBadEventsMetric, addFailedRecheckMetrics } from './metrics/audit-metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadRecheckConfig, telemetryOptions, type RecheckConfig } from './config';
import { createAwsClients, type AwsClients } from './aws/clients';
import { KmsObjectMac } from './aws/kms-mac';
import { S3ReportStore } from './store/s3-report-store';
import { readDocuments } from './store/read-documents';
import { systemClock, systemSleep } from './util/system-clock';
import { errorAttributes } from './util/error-attributes';
import { displaySafe } from './util/display-text';
import { AuditError, errorKindOf, isPermanent } from './errors';
import { destinationOfFunctionArn } from './findings/run-findings';
import { consoleContextOf, s3ObjectConsoleUrl } from './report/console-links';
import { buildFailureAlert } from './notify/failure-alert';
import { publishDigest } from './notify/publish-digest';
import { alertTarget } from './notify/alert-target';
import { parseChangeMessage } from './recheck/parse-change';
import { runRecheck, type RecheckOutcome } from './recheck/run-recheck';
import type { Change, ExpectedSenders } from './types/recheck';
import type { DigestOptions } from './types/digest';

/*
 * The re-check function: an SQS batch of change events in (EventBridge rules → queue →
 * this function, reserved concurrency 1). The batch is one re-check, not one per record:
 * that is what coalesces a burst, so Powertools' per-record batch processor does not fit.
 * Bad events are counted and dropped with a log line. A re-check that fails for a reason
 * a retry can fix returns its records as failures (the queue redelivers them, then moves
 * them to the dead-letter queue, whose alarm pages once); one that cannot (configuration,
 * permission) pages once here and drops them: the nightly run still covers every target.
 */

interface Runtime {
  readonly config: RecheckConfig;
  readonly clients: AwsClients;
}

let telemetry: { readonly logger: Logger; readonly metrics: Metrics } | undefined;
let runtime: Runtime | undefined;

function init(): Runtime {
  let config: RecheckConfig;
  try {
    config = loadRecheckConfig(process.env);
  } catch (error) {
    throw error instanceof AuditError ? error : new AuditError('BAD_INPUT', (error as Error).message, { cause: error });
  }
  return { config, clients: createAwsClients({ organizationsRoleArn: config.organizationsRoleArn }) };
}

/** The batch's changes, the records that carried them, and the bad events (logged here). */
function parseBatch(records: readonly SQSRecord[], expected: ExpectedSenders, logger: Logger) {
  const changes: Change[] = [];
  const carriers: string[] = [];
  let bad = 0;
  for (const record of records) {
    const parsed = parseChangeMessage(record.body, expected);
    if (parsed.status === 'CHANGE') {
      changes.push(parsed.change);
      carriers.push(record.messageId);
    } else if (parsed.status === 'BAD') {
      bad += 1;
      logger.warn('Bad change event dropped', {
        reason: parsed.reason,
        detail: parsed.detail,
        messageId: displaySafe(record.messageId, 100),
      });
    }
  }
  return { changes, carriers, bad };
}

function digestOptions(config: RecheckConfig, context: Context): (key: string) => DigestOptions {
  const links = consoleContextOf(process.env.AWS_REGION, config.reportBucket);
  const arn = destinationOfFunctionArn(context.invokedFunctionArn);
  return (key) => ({
    maxTargets: config.digestMaxTargets,
    reportLocation: (links && s3ObjectConsoleUrl(links, key)) ?? `s3://${config.reportBucket}/${key}`,
    deployment: { stackName: config.deploymentName, accountId: arn?.accountId, region: arn?.region },
  });
}

async function recheck(
  rt: Runtime,
  changes: readonly Change[],
  bad: number,
  context: Context,
  metrics: Metrics,
  logger: Logger,
) {
  const { config, clients } = rt;
  const store = new S3ReportStore(clients.s3, config.reportBucket);
  const [baseline, exclusions] = await readDocuments(store, config.reportBucket, config);
  const destination = destinationOfFunctionArn(context.invokedFunctionArn);
  return runRecheck(
    {
      organizations: clients.organizations,
      securityHub: clients.securityHub,
      securityHubCounter: clients.securityHubCounter,
      store,
      mac: new KmsObjectMac(clients.kms, config.macKeyId),
      clock: systemClock,
      sleep: systemSleep,
      random: Math.random,
      logger,
      sns: clients.sns,
      metrics,
    },
    {
      changes,
      badEvents: bad,
      tuning: config,
      recheck: config,
      reportPrefix: config.reportPrefix,
      deadline: Date.now() + context.getRemainingTimeInMillis() - config.deadlineMarginSeconds * 1000,
      baseline,
      exclusions,
      findings: config.publishFindings ? (destination ?? undefined) : undefined,
      topicArn: config.alertTopicArn ?? null,
      digestOptions: digestOptions(config, context),
    },
  );
}

function logOutcome(logger: Logger, outcome: RecheckOutcome, changes: readonly Change[], now: number): void {
  const oldest = Math.min(...changes.map((c) => c.eventTime));
  logger.info('Re-check finished', {
    recheckId: outcome.recheckId,
    events: changes.length,
    targets: outcome.written.record.targets,
    newDrift: outcome.written.record.new_drift,
    resolved: outcome.written.record.resolved_drift,
    deferred: outcome.plan.deferred.join('; '),
    secondsSinceOldestChange: Math.round((now - oldest) / 1000),
  });
}

/** Pages once for a failure no retry can fix. */
async function pageOnce(error: unknown, context: Context, logger: Logger): Promise<void> {
  const target = alertTarget(runtime);
  if (target === undefined) {
    logger.error('Re-check cannot run and no alert topic is known; the nightly run still covers every target', {});
    return;
  }
  try {
    await publishDigest(
      target.clients.sns,
      target.topicArn,
      buildFailureAlert(error, { requestId: context.awsRequestId }),
    );
  } catch (publishError) {
    logger.error('The alert that the re-check could not run was not sent', errorAttributes(publishError));
  } finally {
    if (target.adHoc) target.clients.destroy();
  }
}

/** Entry point of the re-check function (SQS event source, partial batch responses). */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const options = telemetryOptions(process.env);
  const { logger, metrics } = (telemetry ??= {
    logger: new Logger({ serviceName: options.serviceName }),
    metrics: new Metrics(options),
  });
  logger.addContext(context);
  let carriers: string[] = [];
  try {
    runtime ??= init();
    const arn = destinationOfFunctionArn(context.invokedFunctionArn);
    const expected: ExpectedSenders = {
      auditAccountId: arn?.accountId ?? '',
      homeRegion: arn?.region ?? '',
      managementAccountId: runtime.config.managementAccountId,
    };
    const batch = parseBatch(event.Records ?? [], expected, logger);
    carriers = batch.carriers;
    if (batch.changes.length === 0) {
      addBadEventsMetric(metrics, batch.bad);
      return { batchItemFailures: [] };
    }
    const outcome = await recheck(runtime, batch.changes, batch.bad, context, metrics, logger);
    logOutcome(logger, outcome, batch.changes, Date.now());
    return { batchItemFailures: [] };
  } catch (error) {
    logger.error('Re-check failed', errorAttributes(error));
    addFailedRecheckMetrics(metrics);
    if (!isPermanent(error)) return { batchItemFailures: carriers.map((itemIdentifier) => ({ itemIdentifier })) };
    logger.error('Re-check failure is permanent: paged once, the events are dropped', {
      errorKind: errorKindOf(error),
    });
    await pageOnce(error, context, logger);
    return { batchItemFailures: [] };
  } finally {
    metrics.publishStoredMetrics();
  }
}
