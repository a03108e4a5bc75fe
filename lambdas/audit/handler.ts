import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { loadConfig, telemetryOptions, type AuditConfig } from './config';
import { createAwsClients, type AwsClients } from './aws/clients';
import { liveDeps } from './core/live-deps';
import { parseAuditEvent, type AuditEvent, type AuditResult } from './audit-event';
import { runResumableAudit, type ResumableOutcome } from './checkpoint/resumable-audit';
import { AuditError, errorKindOf, isPermanent } from './errors';
import { readDocuments } from './store/read-documents';
import { errorAttributes } from './util/error-attributes';
import { alertTarget } from './notify/alert-target';
import { addAuditMetrics, addFailedRunMetrics } from './metrics/audit-metrics';
import { addFindingsMetrics } from './findings/findings-metrics';
import { destinationOfFunctionArn } from './findings/run-findings';
import { buildDriftDigest } from './notify/drift-digest';
import { buildFailureAlert } from './notify/failure-alert';
import { consoleContextOf, s3ObjectConsoleUrl } from './report/console-links';
import type { DigestOptions } from './types/digest';
import { publishDigest } from './notify/publish-digest';
import type { ReportStore } from './store/report-store';
import { S3ReportStore } from './store/s3-report-store';
import { KmsObjectMac } from './aws/kms-mac';
import type { ObjectMac } from './store/object-mac';
import { displaySafe } from './util/display-text';
import type { AuditOutcome } from './types/audit';

interface Runtime {
  readonly config: AuditConfig;
  readonly clients: AwsClients;
  readonly store: ReportStore;
  readonly mac: ObjectMac;
}

interface Telemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

let telemetry: Telemetry | undefined;
let runtime: Runtime | undefined;

/**
 * Built on the first invocation, not at import, so a bad environment fails that
 * invocation with a message naming the variable (and counts as a failed run).
 */
function init(): Runtime {
  let config: AuditConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    // A function of the environment alone: whatever went wrong, the next attempt gets the same.
    throw error instanceof AuditError ? error : new AuditError('BAD_INPUT', (error as Error).message, { cause: error });
  }
  const clients = createAwsClients({ organizationsRoleArn: config.organizationsRoleArn });
  return {
    config,
    clients,
    store: new S3ReportStore(clients.s3, config.reportBucket),
    mac: new KmsObjectMac(clients.kms, config.macKeyId),
  };
}

async function audit({ config, clients, store, mac }: Runtime, event: AuditEvent, context: Context, logger: Logger) {
  const [baseline, exclusions] = await readDocuments(store, config.reportBucket, config);
  return runResumableAudit(
    { ...liveDeps(clients), store, mac, logger },
    {
      tuning: config,
      reportPrefix: config.reportPrefix,
      scheduledTime: event?.time,
      // A later round carries on a run its first round accepted; only a start is held to the event-age bound.
      rerun: event.rerun === true || (event.round ?? 1) > 1,
      execution: event.execution,
      deadline: Date.now() + context.getRemainingTimeInMillis() - config.deadlineMarginSeconds * 1000,
      baseline,
      exclusions,
      // The function's own account and Region: the delegated administrator's product.
      findings: config.publishFindings
        ? (destinationOfFunctionArn(context.invokedFunctionArn) ?? undefined)
        : undefined,
      // Lambda sets AWS_REGION; the partition follows from it.
      console: consoleContextOf(process.env.AWS_REGION, config.reportBucket),
    },
    {
      // Only a round of the state machine that is not its last may hand work on.
      mayContinue: event.round !== undefined && event.round < event.maxRounds,
      intervalMs: config.checkpointIntervalSeconds * 1000,
    },
  );
}

/** The summary for the log: strings display-safe (some come from S3), the departed list as a count. */
function summaryForLog(summary: AuditOutcome['summary']): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries({ ...summary, departed_targets: summary.departed_targets.length }).map(([k, v]) => [
      k,
      typeof v === 'string' ? displaySafe(v) : v,
    ]),
  );
}

/**
 * Where the digest points (https console links when the Region has a console, else the
 * objects' s3:// keys) and which deployment sent it.
 */
function digestOptions(
  config: AuditConfig,
  report: { readonly associationsKey: string; readonly htmlKey: string },
  context: Context,
): DigestOptions {
  const links = consoleContextOf(process.env.AWS_REGION, config.reportBucket);
  const location = (key: string) => (links && s3ObjectConsoleUrl(links, key)) ?? `s3://${config.reportBucket}/${key}`;
  const arn = destinationOfFunctionArn(context.invokedFunctionArn);
  return {
    maxTargets: config.digestMaxTargets,
    reportLocation: location(report.associationsKey),
    htmlReportLocation: location(report.htmlKey),
    deployment: { stackName: config.deploymentName, accountId: arn?.accountId, region: arn?.region },
  };
}

/**
 * A run that could not produce a report. Transient failures are thrown, so Lambda's
 * asynchronous retries try again. Permanent ones (bad input, missing permission) would
 * fail the same way on every retry, each one a full walk of the organization: they are
 * logged and paged (IncompleteRun is already counted) and the invocation returns normally,
 * saying whether the page went out: if it did not, the state machine pages instead.
 */
async function handleFailure(error: unknown, context: Context, logger: Logger): Promise<AuditResult> {
  logger.error('Audit failed', errorAttributes(error));
  if (!isPermanent(error)) throw error;
  const kind = errorKindOf(error);
  const target = alertTarget(runtime);
  let paged = false;
  if (target === undefined) {
    logger.error(
      'Audit could not run and no alert topic is known: counted (IncompleteRun), paged by the caller if at all',
      {
        errorKind: kind,
      },
    );
  } else {
    try {
      await publishDigest(
        target.clients.sns,
        target.topicArn,
        buildFailureAlert(error, { requestId: context.awsRequestId }),
      );
      paged = true;
    } catch (publishError) {
      logger.error('The alert that the audit could not run was not sent', errorAttributes(publishError));
    } finally {
      if (target.adHoc) target.clients.destroy();
    }
  }
  return { status: 'FAILED', runStatus: 'FAILED', errorKind: kind, paged };
}

/**
 * Nightly entry point: audits the organization and writes the report, metrics and digest.
 * A permanent failure (bad document, configuration or event; missing permission) returns
 * `runStatus: 'FAILED'` after paging (`paged` says whether the page went out); a transient
 * one throws so Lambda retries.
 */
export async function handler(event: unknown, context: Context): Promise<AuditResult> {
  const options = telemetryOptions(process.env);
  const { logger, metrics } = (telemetry ??= {
    logger: new Logger({ serviceName: options.serviceName }),
    metrics: new Metrics(options),
  });
  logger.addContext(context);
  let result: ResumableOutcome | undefined;
  let failure: { readonly error: unknown } | undefined;
  try {
    const checkedEvent = parseAuditEvent(event);
    runtime ??= init();
    result = await audit(runtime, checkedEvent, context, logger);
    if (result.status === 'DONE') {
      addAuditMetrics(metrics, result.outcome.summary);
      if (result.outcome.findings) addFindingsMetrics(metrics, result.outcome.findings);
    }
  } catch (error) {
    addFailedRunMetrics(metrics);
    failure = { error };
  } finally {
    // Flushed before any message is sent, so a failed notification cannot change the run's metrics.
    metrics.publishStoredMetrics();
  }
  if (failure !== undefined || result === undefined) return handleFailure(failure?.error, context, logger);
  if (result.status === 'CONTINUE') {
    logger.info('Audit continues in another round', { runId: result.runId, ...result.checkpoint });
    return { status: 'CONTINUE', runId: result.runId };
  }
  const { outcome } = result;
  const { summary } = outcome;
  logger.info('Audit finished', { summary: summaryForLog(summary) });

  const { config, clients } = runtime!;
  const digest =
    config.alertTopicArn !== undefined &&
    buildDriftDigest(summary, outcome.rows, digestOptions(config, outcome.report, context));
  if (config.alertTopicArn !== undefined && digest) {
    try {
      await publishDigest(clients.sns, config.alertTopicArn, digest);
    } catch (error) {
      // Fails the invocation (Lambda Errors alarm); the retry rewrites the same report
      // and sends the digest again. The run's metrics are already published as they were.
      logger.error('Audit finished but the drift digest could not be sent', errorAttributes(error));
      throw error;
    }
  }
  return { status: 'DONE', runId: summary.run_id, runStatus: summary.run_status };
}
