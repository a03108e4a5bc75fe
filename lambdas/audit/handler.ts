import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { DEFAULT_METRICS_NAMESPACE, loadConfig, type AuditConfig } from './config';
import { createAwsClients, type AwsClients } from './aws/clients';
import { liveDeps } from './core/live-deps';
import { type SourceDocument } from './core/run-audit';
import { runResumableAudit, type ResumableOutcome } from './checkpoint/resumable-audit';
import { parseAuditEvent, type AuditEvent, type AuditResult } from './audit-event';
import { addAuditMetrics, addFailedRunMetrics } from './metrics/audit-metrics';
import { buildDriftDigest } from './notify/drift-digest';
import { publishDigest } from './notify/publish-digest';
import type { ReportStore } from './report/report-store';
import { S3ReportStore } from './report/s3-report-store';

export type { AuditEvent, AuditResult } from './audit-event';

/** A document named in the configuration is not in the report bucket. */
export class MissingDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingDocumentError';
  }
}

interface Runtime {
  readonly config: AuditConfig;
  readonly clients: AwsClients;
  readonly store: ReportStore;
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
  const config = loadConfig(process.env);
  const clients = createAwsClients({ organizationsRoleArn: config.organizationsRoleArn });
  return { config, clients, store: new S3ReportStore(clients.s3, config.reportBucket) };
}

async function readDocument(store: ReportStore, bucket: string, key: string | undefined, variable: string) {
  if (key === undefined) {
    return undefined;
  }
  const body = await store.get(key);
  if (body === null) {
    throw new MissingDocumentError(`${variable}: s3://${bucket}/${key} does not exist`);
  }
  return { text: body.toString('utf8'), source: `s3://${bucket}/${key}` } satisfies SourceDocument;
}

/** Reads both documents; when both fail, one error names both, so one deploy fixes them. */
async function readDocuments(store: ReportStore, config: AuditConfig) {
  const results = await Promise.allSettled([
    readDocument(store, config.reportBucket, config.baselineKey, 'BASELINE_KEY'),
    readDocument(store, config.reportBucket, config.exclusionsKey, 'EXCLUSIONS_KEY'),
  ]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failures.length === 1) {
    throw failures[0];
  }
  if (failures.length > 1) {
    throw new AggregateError(failures, failures.map((e) => e.message).join('; '));
  }
  return results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
}

async function audit({ config, clients, store }: Runtime, event: AuditEvent, context: Context, logger: Logger) {
  const [baseline, exclusions] = await readDocuments(store, config);
  return runResumableAudit(
    { ...liveDeps(clients), store, logger },
    {
      tuning: config,
      reportPrefix: config.reportPrefix,
      scheduledTime: event.time,
      deadline: Date.now() + context.getRemainingTimeInMillis() - config.deadlineMarginSeconds * 1000,
      baseline,
      exclusions,
    },
    {
      // Only a round of the state machine that is not its last may hand work on.
      mayContinue: event.round !== undefined && event.round < event.maxRounds,
      intervalMs: config.checkpointIntervalSeconds * 1000,
      sliceTargets: config.checkpointSliceTargets,
    },
  );
}

/**
 * Entry point, invoked by the state machine once per round (or directly): audits the
 * organization and writes the report, metrics and digest (`DONE`), or saves a checkpoint
 * and asks for another round (`CONTINUE`).
 */
export async function handler(rawEvent: unknown, context: Context): Promise<AuditResult> {
  const { logger, metrics } = (telemetry ??= {
    logger: new Logger(),
    // Powertools would fall back to "default_namespace"; keep the documented default instead
    // (also for a variable set to the empty string).
    metrics: new Metrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE?.trim()
        ? process.env.POWERTOOLS_METRICS_NAMESPACE
        : DEFAULT_METRICS_NAMESPACE,
    }),
  });
  logger.addContext(context);
  let result: ResumableOutcome;
  try {
    const event = parseAuditEvent(rawEvent);
    runtime ??= init();
    result = await audit(runtime, event, context, logger);
    if (result.status === 'DONE') addAuditMetrics(metrics, result.outcome.summary);
  } catch (error) {
    addFailedRunMetrics(metrics);
    logger.error('Audit failed', error as Error);
    throw error;
  } finally {
    // Flushed before the digest, so a failed notification cannot change the run's metrics.
    metrics.publishStoredMetrics();
  }
  if (result.status === 'CONTINUE') {
    logger.info('Audit continues in another round', { runId: result.runId, checkpoint: { ...result.checkpoint } });
    return { status: 'CONTINUE', runId: result.runId };
  }
  const { outcome } = result;
  const { summary } = outcome;
  logger.info('Audit finished', { summary: { ...summary, departed_targets: summary.departed_targets.length } });

  const { config, clients } = runtime;
  const digest =
    config.alertTopicArn !== undefined &&
    buildDriftDigest(summary, outcome.rows, {
      maxTargets: config.digestMaxTargets,
      reportLocation: `s3://${config.reportBucket}/${outcome.report.associationsKey}`,
    });
  if (config.alertTopicArn !== undefined && digest) {
    try {
      await publishDigest(clients.sns, config.alertTopicArn, digest);
    } catch (error) {
      // Fails the invocation (Lambda Errors alarm); the retry rewrites the same report
      // and sends the digest again. The run's metrics are already published as they were.
      logger.error('Audit finished but the drift digest could not be sent', error as Error);
      throw error;
    }
  }
  return { status: 'DONE', runId: summary.run_id, runStatus: summary.run_status };
}
