import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { loadConfig, type AuditConfig } from './config';
import { createAwsClients, type AwsClients } from './aws/clients';
import { runAudit, type SourceDocument } from './core/run-audit';
import { addAuditMetrics, addFailedRunMetrics } from './metrics/audit-metrics';
import { buildDriftDigest } from './notify/drift-digest';
import { publishDigest } from './notify/publish-digest';
import type { ReportStore } from './report/report-store';
import { S3ReportStore } from './report/s3-report-store';
import { systemClock, systemSleep } from './util/system-clock';

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
  readonly logger: Logger;
  readonly metrics: Metrics;
}

let runtime: Runtime | undefined;

/** Built on the first invocation, not at import, so a bad environment fails that invocation with a clear message. */
function init(): Runtime {
  const logger = new Logger();
  const metrics = new Metrics({ defaultDimensions: {} });
  const config = loadConfig(process.env);
  const clients = createAwsClients({ organizationsRoleArn: config.organizationsRoleArn });
  const store = new S3ReportStore(clients.s3, config.reportBucket);
  return { config, clients, store, logger, metrics };
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

/** Nightly entry point: audits the organization and writes the report, metrics and digest. */
export async function handler(event: AuditEvent, context: Context): Promise<{ runId: string; runStatus: string }> {
  runtime ??= init();
  const { config, clients, store, logger, metrics } = runtime;
  logger.addContext(context);
  try {
    const [baseline, exclusions] = await Promise.all([
      readDocument(store, config.reportBucket, config.baselineKey, 'BASELINE_KEY'),
      readDocument(store, config.reportBucket, config.exclusionsKey, 'EXCLUSIONS_KEY'),
    ]);
    const outcome = await runAudit(
      {
        organizations: clients.organizations,
        securityHub: clients.securityHub,
        organizationsCounter: clients.organizationsCounter,
        securityHubCounter: clients.securityHubCounter,
        store,
        clock: systemClock,
        sleep: systemSleep,
        random: Math.random,
        logger,
      },
      {
        tuning: config,
        reportPrefix: config.reportPrefix,
        scheduledTime: event?.time,
        deadline: Date.now() + context.getRemainingTimeInMillis() - config.deadlineMarginSeconds * 1000,
        baseline,
        exclusions,
      },
    );
    const { summary } = outcome;
    addAuditMetrics(metrics, summary);
    logger.info('Audit finished', { summary: { ...summary, departed_targets: summary.departed_targets.length } });

    const digest =
      config.alertTopicArn &&
      buildDriftDigest(summary, outcome.rows, {
        maxTargets: config.digestMaxTargets,
        reportLocation: `s3://${config.reportBucket}/${outcome.report.associationsKey}`,
      });
    if (config.alertTopicArn && digest) {
      await publishDigest(clients.sns, config.alertTopicArn, digest);
    }
    return { runId: summary.run_id, runStatus: summary.run_status };
  } catch (error) {
    addFailedRunMetrics(metrics);
    logger.error('Audit failed', error as Error);
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
