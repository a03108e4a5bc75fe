import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { ALL_SETTINGS, pickSettings, RECHECK_SETTINGS } from '../../lambdas/audit/settings';
import { parseAuditStackConfig, type AuditStackConfig } from '../config/audit-config';
import { AlertTopic } from '../constructs/alert-topic';
import { AuditAlarms } from '../constructs/audit-alarms';
import { AuditDashboard } from '../constructs/audit-dashboard';
import { AuditFunction } from '../constructs/audit-function';
import { AuditSchedule } from '../constructs/audit-schedule';
import { AuditStateMachine } from '../constructs/audit-state-machine';
import { RecheckPipeline } from '../constructs/recheck-pipeline';
import { ReportCatalog } from '../constructs/report-catalog';
import { ReportAuditorPolicy } from '../constructs/report-auditor-policy';
import { ReportBucket, type ReportBucketEncryption } from '../constructs/report-bucket';

/** CDK feature flags the stack's constructs need, whatever the app around them sets. */
const REQUIRED_FEATURE_FLAGS: Readonly<Record<string, unknown>> = {
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

/** Properties of {@link SecurityHubConfigAuditStack}. */
export interface SecurityHubConfigAuditStackProps extends StackProps {
  /**
   * Validated configuration, as the app reads it from the context (see `loadAuditStackConfig`).
   * @default parsed from {@link settings}
   */
  readonly config?: AuditStackConfig;
  /**
   * For an app of your own: any of the context keys as props (docs/configuration.md), validated
   * like the context; the rest take their defaults. Ignored when `config` is given.
   * @default every key at its default
   */
  readonly settings?: Partial<AuditStackConfig>;
  /**
   * Handler module of the audit function.
   * @default lambdas/audit/handler.ts
   */
  readonly handlerEntry?: string;
  /**
   * Handler module of the re-check function (with the `recheck` setting).
   * @default lambdas/audit/recheck-handler.ts
   */
  readonly recheckHandlerEntry?: string;
}

/**
 * The whole job for one Security Hub delegated administrator account, home Region.
 * This class only composes the constructs and maps configuration onto their props.
 *
 * With the `recheck` setting it also holds the event-driven re-check ({@link RecheckPipeline}),
 * whose changes bus receives the Organizations events that ManagementEventForwarderStack
 * forwards from the management account. Deploy order: this stack first (the bus and its
 * policy must exist before a rule can target it), then the forwarder stack in the
 * management account, us-east-1. The two are in different accounts, so CDK cannot order
 * them: deploy them as two `cdk deploy` calls (or list this stack first).
 */
export class SecurityHubConfigAuditStack extends Stack {
  readonly reportBucket: ReportBucket;
  readonly catalog: ReportCatalog;
  readonly alertTopic: AlertTopic;
  readonly auditFunction: AuditFunction;
  readonly stateMachine: AuditStateMachine;
  readonly schedule: AuditSchedule;
  readonly alarms: AuditAlarms;
  readonly dashboard: AuditDashboard;
  readonly auditorPolicy: ReportAuditorPolicy;
  /** The event-driven re-check; present with the `recheck` setting. */
  readonly recheck?: RecheckPipeline;

  constructor(scope: Construct, id: string, props: SecurityHubConfigAuditStackProps) {
    super(scope, id, {
      description: 'Nightly audit of Security Hub central configuration policy associations',
      ...props,
    });
    // Behaviour the constructs below rely on, pinned here so that an app without this
    // repository's cdk.json gets the same stack: the access-log bucket is written by a bucket
    // policy, since its owner-enforced object ownership refuses the log-delivery ACL.
    for (const [flag, value] of Object.entries(REQUIRED_FEATURE_FLAGS)) this.node.setContext(flag, value);
    const c = props.config ?? parseAuditStackConfig(props.settings ?? {});

    // The construct id stays 'ReportStore' (the class's former name): it is part of the
    // logical ids, and changing it would make CloudFormation replace the retained buckets.
    this.reportBucket = new ReportBucket(this, 'ReportStore', {
      reportPrefix: c.reportPrefix,
      encryption: reportEncryption(this, c.reportKmsKey),
      transitionToInfrequentAccessAfter: Duration.days(c.reportTransitionIaDays),
      transitionToGlacierAfter: Duration.days(c.reportTransitionGlacierDays),
      expireAfter: Duration.days(c.reportExpirationDays),
      noncurrentVersionExpiration: Duration.days(c.noncurrentVersionExpirationDays),
      accessLogsExpireAfter: Duration.days(c.accessLogsExpirationDays),
      objectLock:
        c.reportObjectLockMode === undefined
          ? undefined
          : { mode: c.reportObjectLockMode as 'GOVERNANCE' | 'COMPLIANCE', days: c.reportObjectLockDays },
    });

    this.catalog = new ReportCatalog(this, 'ReportCatalog', {
      reportBucket: this.reportBucket,
      databaseName: c.glueDatabaseName,
      workGroupName: c.athenaWorkGroupName,
      bytesScannedCutoffMb: c.athenaBytesScannedCutoffMb,
      // Projecting back exactly as far as objects live: a fixed date would hide nothing
      // either, but a synth-time "today" would hide history after every redeploy.
      partitionRangeStart: c.partitionStartDate ?? `NOW-${c.reportExpirationDays}DAYS`,
      resultsExpireAfter: Duration.days(c.athenaResultsExpirationDays),
    });

    this.alertTopic = new AlertTopic(this, 'AlertTopic', { emailAddresses: c.alertEmails });

    this.auditFunction = new AuditFunction(this, 'AuditFunction', {
      reportBucket: this.reportBucket,
      alertTopic: this.alertTopic,
      entry: props.handlerEntry,
      timeout: Duration.minutes(c.functionTimeoutMinutes),
      memorySize: c.functionMemoryMb,
      logRetention: c.logRetentionDays,
      logLevel: c.logLevel,
      serviceName: c.serviceName,
      metricsNamespace: c.metricsNamespace,
      settings: pickSettings(ALL_SETTINGS, c),
    });

    this.auditorPolicy = new ReportAuditorPolicy(this, 'AuditorPolicy', {
      reportBucket: this.reportBucket,
      macKey: this.auditFunction.macKey.key,
    });

    const metrics = { namespace: c.metricsNamespace, serviceName: c.serviceName };
    this.stateMachine = new AuditStateMachine(this, 'Orchestration', {
      ...metrics,
      function: this.auditFunction.function,
      functionTimeout: this.auditFunction.timeout,
      alertTopic: this.alertTopic,
      roundRetryAttempts: c.functionRetryAttempts,
      logRetention: c.logRetentionDays,
    });

    this.schedule = new AuditSchedule(this, 'Schedule', {
      stateMachine: this.stateMachine.stateMachine,
      cronExpression: c.scheduleCron,
      enabled: c.scheduleEnabled,
      deliveryRetryAttempts: c.scheduleRetryAttempts,
      deliveryMaxEventAge: Duration.hours(c.scheduleMaxEventAgeHours),
    });

    this.alarms = new AuditAlarms(this, 'Alarms', {
      ...metrics,
      function: this.auditFunction.function,
      stateMachine: this.stateMachine.stateMachine,
      executionTimeout: this.stateMachine.timeout,
      deadLetterQueue: this.schedule.deadLetterQueue,
      topic: this.alertTopic.topic,
      heartbeatHours: c.heartbeatHours,
      durationThresholdPercent: c.durationAlarmPercent,
    });

    this.dashboard = new AuditDashboard(this, 'Dashboard', {
      ...metrics,
      function: this.auditFunction.function,
      stateMachine: this.stateMachine.stateMachine,
      deadLetterQueue: this.schedule.deadLetterQueue,
      alarms: this.alarms.all,
      workGroupName: this.catalog.workGroupName,
      databaseName: this.catalog.databaseName,
      queryNames: this.catalog.queryNames,
    });

    if (c.recheck) {
      // Its own service dimension: its data points never satisfy (or trip) the nightly alarms.
      const recheckServiceName = `${c.serviceName}-recheck`;
      this.recheck = new RecheckPipeline(this, 'Recheck', {
        reportBucket: this.reportBucket,
        alertTopic: this.alertTopic,
        macKey: this.auditFunction.macKey,
        catalog: this.catalog,
        managementAccountId: c.managementAccountId,
        entry: props.recheckHandlerEntry,
        memorySize: c.functionMemoryMb,
        logRetention: c.logRetentionDays,
        logLevel: c.logLevel,
        serviceName: recheckServiceName,
        metricsNamespace: c.metricsNamespace,
        settings: pickSettings(ALL_SETTINGS, c),
        recheckSettings: pickSettings(RECHECK_SETTINGS, c),
      });
      this.recheckOutputs(this.recheck);
      this.dashboard.addRecheck({
        function: this.recheck.recheckFunction.function,
        queue: this.recheck.events.queue,
        deadLetterQueue: this.recheck.events.deadLetterQueue,
        alarms: this.recheck.alarms.all,
        metrics: { namespace: c.metricsNamespace, serviceName: recheckServiceName },
      });
    }

    new CfnOutput(this, 'ReportBucketName', { value: this.reportBucket.bucket.bucketName });
    new CfnOutput(this, 'ReportPrefix', {
      value: this.reportBucket.reportPrefix === '' ? '(bucket root)' : this.reportBucket.reportPrefix,
    });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.catalog.workGroupName });
    new CfnOutput(this, 'GlueDatabase', { value: this.catalog.databaseName });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alertTopic.topic.topicArn });
    new CfnOutput(this, 'AuditFunctionName', { value: this.auditFunction.function.functionName });
    new CfnOutput(this, 'StateMachineArn', {
      description:
        'Run an audit on demand: aws stepfunctions start-execution --state-machine-arn <this> --input \'{"time":"<ISO 8601 UTC>"}\'',
      value: this.stateMachine.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.schedule.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'MacKeyArn', {
      description: 'HMAC key authenticating the audit state: npm run verify -- --mac-key-id <this>',
      value: this.auditFunction.macKey.key.keyArn,
    });
    new CfnOutput(this, 'AuditorPolicyArn', {
      description: 'Read-only managed policy: read the reports and verify their MACs (never sign or write)',
      value: this.auditorPolicy.policy.managedPolicyArn,
    });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName });
  }

  private recheckOutputs(recheck: RecheckPipeline): void {
    new CfnOutput(this, 'RecheckQueueUrl', { value: recheck.events.queue.queueUrl });
    new CfnOutput(this, 'RecheckDeadLetterQueueUrl', { value: recheck.events.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'RecheckFunctionName', { value: recheck.recheckFunction.function.functionName });
    if (recheck.events.bus) {
      new CfnOutput(this, 'ChangesEventBusArn', {
        description: 'Target of the management account forwarder (deploy this stack before it)',
        value: recheck.events.bus.eventBusArn,
      });
    }
  }
}

function reportEncryption(scope: Construct, reportKmsKey: string | undefined): ReportBucketEncryption {
  if (reportKmsKey === undefined) {
    return { kind: 'S3_MANAGED' };
  }
  if (reportKmsKey === 'create') {
    return { kind: 'KMS' };
  }
  return { kind: 'KMS', key: kms.Key.fromKeyArn(scope, 'ImportedReportKey', reportKmsKey) };
}
