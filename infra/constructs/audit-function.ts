import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CHECKPOINT_DIR } from '../../lambdas/audit/checkpoint/checkpoint-store';
import { REPORT_LAYOUT } from '../../lambdas/audit/report/schema';
import { ALL_SETTINGS, settingDefaults, type SettingValues } from '../../lambdas/audit/settings';
import { DEFAULTS } from '../config/defaults';
import type { AlertTopic } from './alert-topic';
import {
  alertTopicGrants,
  assumeOrganizationsRoleGrant,
  attachFunctionPolicy,
  checkedSettingsEnvironment,
  commonEnvironment,
  createAuditNodejsFunction,
  createFunctionBase,
  documentAndReportKeyGrants,
  findingsGrants,
  type FunctionGrant,
  listReportBucketGrant,
  listRootsGrant,
  ORGANIZATION_ARN_REASON,
  ORGANIZATIONS_TREE_ACTIONS,
  parentArnPatterns,
  PROJECT_ROOT,
  securityHubReadGrant,
  writeLogsGrant,
  type FunctionRuntimeProps,
} from './audit-lambda-parts';
import type { ReportBucket } from './report-bucket';
import { StateMacKey } from './state-mac-key';

/**
 * Default handler module: exports `handler`.
 * @internal Exported for its tests.
 */
export const AUDIT_HANDLER_ENTRY = path.join(PROJECT_ROOT, 'lambdas', 'audit', 'handler.ts');

/** The registry settings an {@link AuditFunction} is configured with (the prefix comes from the bucket). */
export type AuditFunctionSettings = Omit<SettingValues<typeof ALL_SETTINGS>, 'reportPrefix'>;

/** Properties of {@link AuditFunction}. */
export interface AuditFunctionProps extends FunctionRuntimeProps {
  /** Where the function writes the report and reads the optional documents. */
  readonly reportBucket: ReportBucket;
  /** Receives the drift-change digest (ALERT_TOPIC_ARN). */
  readonly alertTopic: AlertTopic;
  /**
   * Handler module (TypeScript, exports `handler`).
   * @default AUDIT_HANDLER_ENTRY (lambdas/audit/handler.ts)
   */
  readonly entry?: string;
  /**
   * Function timeout; the audit stops re-driving DEADLINE_MARGIN_SECONDS before it.
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
  /**
   * POWERTOOLS_SERVICE_NAME: the `service` dimension of every metric.
   * @default 'securityhub-config-audit'
   */
  readonly serviceName?: string;
  /**
   * The Lambda settings of the registry in lambdas/audit/settings.ts, each passed as its
   * environment variable (BATCH_GROUP_SIZE, BASELINE_KEY, ...). With `organizationsRoleArn`
   * the function role gets sts:AssumeRole on it and no Organizations actions; with
   * `baselineKey`/`exclusionsKey` it may read exactly those objects. The report prefix
   * comes from {@link reportBucket}.
   * @default - each setting's registry default; no Organizations role, baseline or exclusions
   */
  readonly settings?: Partial<AuditFunctionSettings>;
}

/**
 * The audit Lambda: bundled locally by esbuild, newest Node.js LTS on ARM64, its own
 * log group and a least-privilege role.
 *
 * Reserved concurrency 1 makes overlapping audits impossible: a retry or a manual run
 * that arrives during a run is throttled and waits in Lambda's async queue instead of
 * racing the first run on `latest/`.
 */
export class AuditFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly timeout: Duration;
  /** The HMAC key only this function may sign with (MAC_KEY_ID). */
  readonly macKey: StateMacKey;

  constructor(scope: Construct, id: string, props: AuditFunctionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const store = props.reportBucket;
    const settings: SettingValues<typeof ALL_SETTINGS> = {
      ...settingDefaults(ALL_SETTINGS),
      ...props.settings,
      reportPrefix: store.reportPrefix,
    };
    this.timeout = props.timeout ?? Duration.minutes(DEFAULTS.functionTimeoutMinutes);

    const base = createFunctionBase(this, {
      description: 'Security Hub configuration audit function',
      logRetention: props.logRetention,
    });
    this.logGroup = base.logGroup;
    this.role = base.role;

    // Created with the role it names as the only signer; the function gets its ARN.
    this.macKey = new StateMacKey(this, 'MacKey', { signer: this.role });

    const environment = commonEnvironment(this, {
      store,
      alertTopic: props.alertTopic,
      macKeyArn: this.macKey.key.keyArn,
      settingsEnvironment: checkedSettingsEnvironment(ALL_SETTINGS, settings, 'AuditFunction'),
      serviceName: props.serviceName,
      metricsNamespace: props.metricsNamespace,
      logLevel: props.logLevel,
    });

    this.function = createAuditNodejsFunction(this, {
      ...base,
      description: 'Nightly audit of Security Hub central configuration policy associations',
      entry: props.entry ?? AUDIT_HANDLER_ENTRY,
      timeout: this.timeout,
      memorySize: props.memorySize,
      environment,
    });

    this.grantPermissions(props, settings, stack);
  }

  private grantPermissions(props: AuditFunctionProps, settings: AuditFunctionSettings, stack: Stack): void {
    const store = props.reportBucket;
    // Each statement carries the reason for any wildcard resource it has; the reason
    // becomes the cdk-nag acknowledgment of exactly that resource.
    const grants: FunctionGrant[] = [
      writeLogsGrant(this.logGroup),
      securityHubReadGrant(),
      {
        statement: new iam.PolicyStatement({
          sid: 'ReadWriteReport',
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: [
            REPORT_LAYOUT.associationsDir,
            REPORT_LAYOUT.runsDir,
            REPORT_LAYOUT.htmlDir,
            REPORT_LAYOUT.latestDir,
            CHECKPOINT_DIR,
          ].map((dir) => store.bucket.arnForObjects(`${store.dataPrefix(dir)}*`)),
        }),
        wildcardReason:
          'Report object keys contain the run date and id, so they are granted per report prefix (associations/, ' +
          'runs/, html/, latest/, and checkpoints/ for the run checkpoints) of the one report bucket; the baseline and ' +
          'exclusion documents stay outside these prefixes.',
      },
      listReportBucketGrant(store),
      ...alertTopicGrants(props.alertTopic),
      ...documentAndReportKeyGrants(store, [settings.baselineKey, settings.exclusionsKey]),
      ...(settings.publishFindings ? findingsGrants(stack) : []),
    ];
    if (settings.organizationsRoleArn) {
      grants.push(assumeOrganizationsRoleGrant(settings.organizationsRoleArn));
    } else {
      grants.push(listRootsGrant(), {
        statement: new iam.PolicyStatement({
          sid: 'WalkOrganizationTree',
          actions: [...ORGANIZATIONS_TREE_ACTIONS],
          resources: parentArnPatterns(stack),
        }),
        wildcardReason: ORGANIZATION_ARN_REASON,
      });
    }
    attachFunctionPolicy(this, this.role, this.function, grants);
  }
}
