import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REPORT_LAYOUT } from '../../lambdas/audit/report/schema';
import { ALL_SETTINGS, RECHECK_SETTINGS, settingDefaults, type SettingValues } from '../../lambdas/audit/settings';
import { DEFAULTS } from '../config/defaults';
import type { AlertTopic } from './alert-topic';
import type { AuditFunctionSettings } from './audit-function';
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
import { RECHECK_LAYOUT } from './recheck-names';
import type { ReportBucket } from './report-bucket';
import type { StateMacKey } from './state-mac-key';

/** Default handler module of the re-check: exports `handler`. */
const RECHECK_HANDLER_ENTRY = path.join(PROJECT_ROOT, 'lambdas', 'audit', 'recheck-handler.ts');

/**
 * The Organizations actions beyond the walk's: where an account or OU now is (ListParents)
 * and what it is (Describe*). Each takes the account or OU as its resource in the Service
 * Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html).
 */
const ORGANIZATIONS_MEMBER_ACTIONS = [
  'organizations:ListParents',
  'organizations:DescribeAccount',
  'organizations:DescribeOrganizationalUnit',
] as const;

/** The re-check settings of the registry (RECHECK_SETTINGS in lambdas/audit/settings.ts). */
type RecheckFunctionSettings = SettingValues<typeof RECHECK_SETTINGS>;

/** Properties of {@link RecheckFunction}. */
export interface RecheckFunctionProps extends FunctionRuntimeProps {
  /** The report store: the function reads the nightly run and writes under `recheck/`. */
  readonly reportBucket: ReportBucket;
  /** Receives the digest of new drift (ALERT_TOPIC_ARN). */
  readonly alertTopic: AlertTopic;
  /** The audit's state MAC key: the re-check signs its state and runs with it (MAC_KEY_ID). */
  readonly macKey: StateMacKey;
  /**
   * Handler module (TypeScript, exports `handler`).
   * @default RECHECK_HANDLER_ENTRY (lambdas/audit/recheck-handler.ts)
   */
  readonly entry?: string;
  /**
   * Function timeout; the queue's visibility timeout is six times it.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * POWERTOOLS_SERVICE_NAME: the `service` dimension of its metrics. It differs from the
   * audit's so that a re-check's data points never satisfy (or trip) the nightly alarms.
   * @default 'securityhub-config-audit-recheck'
   */
  readonly serviceName?: string;
  /**
   * The audit function's registry settings (tuning, documents, findings, Organizations role).
   * @default - each setting's registry default
   */
  readonly settings?: Partial<AuditFunctionSettings>;
  /**
   * The re-check's own settings (RECHECK_* variables).
   * @default - each setting's registry default
   */
  readonly recheckSettings?: Partial<RecheckFunctionSettings>;
  /**
   * MANAGEMENT_ACCOUNT_ID: the only account Organizations events may come from.
   * @default - unset: the function takes no Organizations event
   */
  readonly managementAccountId?: string;
}

/**
 * The re-check Lambda: the audit function's bundling, runtime, logging and role pattern,
 * reserved concurrency 1 (re-checks never overlap one another), and a role that may read
 * the nightly report, write only under `recheck/`, and sign with the state MAC key.
 */
export class RecheckFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: RecheckFunctionProps) {
    super(scope, id);
    const store = props.reportBucket;
    const settings: SettingValues<typeof ALL_SETTINGS> = {
      ...settingDefaults(ALL_SETTINGS),
      ...props.settings,
      reportPrefix: store.reportPrefix,
    };
    const recheckSettings: RecheckFunctionSettings = { ...settingDefaults(RECHECK_SETTINGS), ...props.recheckSettings };
    this.timeout = props.timeout ?? Duration.minutes(DEFAULTS.recheckFunctionTimeoutMinutes);

    const base = createFunctionBase(this, {
      description: 'Security Hub configuration re-check function',
      logRetention: props.logRetention,
    });
    this.logGroup = base.logGroup;
    this.role = base.role;
    props.macKey.addSigner(this.role, 'RecheckFunctionSignsAndVerifies');

    const environment = commonEnvironment(this, {
      store,
      alertTopic: props.alertTopic,
      macKeyArn: props.macKey.key.keyArn,
      settingsEnvironment: {
        ...checkedSettingsEnvironment(ALL_SETTINGS, settings, 'RecheckFunction'),
        ...checkedSettingsEnvironment(RECHECK_SETTINGS, recheckSettings, 'RecheckFunction'),
        ...(props.managementAccountId === undefined ? {} : { MANAGEMENT_ACCOUNT_ID: props.managementAccountId }),
      },
      serviceName: props.serviceName ?? `${DEFAULTS.serviceName}-recheck`,
      metricsNamespace: props.metricsNamespace,
      logLevel: props.logLevel,
    });

    this.function = createAuditNodejsFunction(this, {
      ...base,
      description: 'Event-driven re-check of Security Hub configuration policy associations',
      entry: props.entry ?? RECHECK_HANDLER_ENTRY,
      timeout: this.timeout,
      memorySize: props.memorySize,
      environment,
    });
    attachFunctionPolicy(this, this.role, this.function, this.grants(props, settings));
  }

  private grants(props: RecheckFunctionProps, settings: AuditFunctionSettings): FunctionGrant[] {
    const store = props.reportBucket;
    const stack = Stack.of(this);
    const objects = (dirs: readonly string[]) =>
      dirs.map((dir) => store.bucket.arnForObjects(`${store.dataPrefix(dir)}*`));
    return [
      writeLogsGrant(this.logGroup),
      securityHubReadGrant(),
      {
        statement: new iam.PolicyStatement({
          sid: 'ReadNightlyReport',
          actions: ['s3:GetObject'],
          // The last full run (its tree, rows and summary); never written: a re-check never moves latest/.
          resources: objects([REPORT_LAYOUT.associationsDir, REPORT_LAYOUT.runsDir, REPORT_LAYOUT.latestDir]),
        }),
        wildcardReason:
          'The re-check reads the last full run, whose object keys contain the run date and id, so reading is ' +
          'granted per nightly report prefix (associations/, runs/, latest/) of the one report bucket; it cannot write there.',
      },
      {
        statement: new iam.PolicyStatement({
          sid: 'ReadWriteRecheck',
          actions: ['s3:GetObject', 's3:PutObject'],
          resources: objects([RECHECK_LAYOUT.dir]),
        }),
        wildcardReason:
          "Re-check record keys contain the date and the re-check id, so they are granted under the re-check's own " +
          'prefix (recheck/) of the one report bucket, apart from the nightly report.',
      },
      listReportBucketGrant(store),
      ...alertTopicGrants(props.alertTopic),
      ...documentAndReportKeyGrants(store, [settings.baselineKey, settings.exclusionsKey]),
      ...(settings.publishFindings ? findingsGrants(stack) : []),
      ...this.organizationsGrants(stack, settings.organizationsRoleArn),
    ];
  }

  private organizationsGrants(stack: Stack, organizationsRoleArn: string | undefined): FunctionGrant[] {
    if (organizationsRoleArn) {
      return [assumeOrganizationsRoleGrant(organizationsRoleArn)];
    }
    const [, ouArns] = parentArnPatterns(stack);
    return [
      listRootsGrant(),
      {
        statement: new iam.PolicyStatement({
          sid: 'WalkOrganizationTree',
          actions: [...ORGANIZATIONS_TREE_ACTIONS],
          resources: parentArnPatterns(stack),
        }),
        wildcardReason: ORGANIZATION_ARN_REASON,
      },
      {
        statement: new iam.PolicyStatement({
          sid: 'DescribeOrganizationMembers',
          actions: [...ORGANIZATIONS_MEMBER_ACTIONS],
          resources: [`arn:${stack.partition}:organizations::*:account/o-*/*`, ouArns],
        }),
        wildcardReason:
          'The organization id and management account id in account and OU ARNs are not known at synth time; the ' +
          'pattern still limits the read-only ListParents and Describe* actions to accounts and OUs.',
      },
    ];
  }
}
