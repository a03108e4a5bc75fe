import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { DEFAULT_METRICS_NAMESPACE, loadConfig, type AuditConfig } from './config';
import { createAwsClients, type AwsClients } from './aws/clients';
import { liveDeps } from './core/live-deps';
import { runAudit, type AuditOutcome, type SourceDocument } from './core/run-audit';
import { addAuditMetrics, addFailedRunMetrics } from './metrics/audit-metrics';
import { buildDriftDigest } from './notify/drift-digest';
import { publishDigest } from './notify/publish-digest';
import type { ReportStore } from './report/report-store';
import { S3ReportStore } from './report/s3-report-store';

/** The part of an EventBridge scheduled event the audit reads. */
export interface AuditEvent {
  /** Schedule time; a retried invocation carries the same one, so it overwrites its own report. */
  readonly time?: string;
}

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
  return runAudit(
    { ...liveDeps(clients), store, logger },
    {
      tuning: config,
      reportPrefix: config.reportPrefix,
      scheduledTime: event?.time,
      deadline: Date.now() + context.getRemainingTimeInMillis() - config.deadlineMarginSeconds * 1000,
      baseline,
      exclusions,
    },
  );
}

/** Nightly entry point: audits the organization and writes the report, metrics and digest. */
export async function handler(event: AuditEvent, context: Context): Promise<{ runId: string; runStatus: string }> {
  const { logger, metrics } = (telemetry ??= {
    logger: new Logger(),
    // Powertools would fall back to "default_namespace"; keep the documented default instead.
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE }),
  });
  logger.addContext(context);
  let outcome: AuditOutcome;
  try {
    runtime ??= init();
    outcome = await audit(runtime, event, context, logger);
    addAuditMetrics(metrics, outcome.summary);
  } catch (error) {
    addFailedRunMetrics(metrics);
    logger.error('Audit failed', error as Error);
    throw error;
  } finally {
    // Flushed before the digest, so a failed notification cannot change the run's metrics.
    metrics.publishStoredMetrics();
  }
  const { summary } = outcome;
  logger.info('Audit finished', { summary: { ...summary, departed_targets: summary.departed_targets.length } });

  const { config, clients } = runtime;
  const digest =
    config.alertTopicArn !== undefined &&
    buildDriftDigest(summary, outcome.rows, {
      maxTargets: config.digestMaxTargets,
      reportLocation: `s3://${config.reportBucket}/${outcome.report.associationsKey}`,
      htmlReportLocation: `s3://${config.reportBucket}/${outcome.report.htmlKey}`,
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
  return { runId: summary.run_id, runStatus: summary.run_status };
}
