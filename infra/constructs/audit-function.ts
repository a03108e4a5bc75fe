import * as path from 'node:path';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CHECKPOINT_DIR } from '../../lambdas/audit/checkpoint/checkpoint-store';
import { REPORT_LAYOUT } from '../../lambdas/audit/report/schema';
import {
  ALL_SETTINGS,
  readSettingsFromEnvironment,
  settingDefaults,
  settingsEnvironment,
  type SettingValues,
} from '../../lambdas/audit/settings';
import { DEFAULTS } from '../config/defaults';
import type { AlertTopic } from './alert-topic';
import { acknowledgeWildcardResources } from './nag-acknowledgments';
import type { ReportBucket } from './report-bucket';
import { StateMacKey } from './state-mac-key';
import { ConfigError } from '../../lambdas/audit/errors';

/** Repository root, where package-lock.json and the Lambda sources live. */
const PROJECT_ROOT = path.join(__dirname, '..', '..');

/**
 * Default handler module: exports `handler`.
 * @internal Exported for its tests.
 */
export const AUDIT_HANDLER_ENTRY = path.join(PROJECT_ROOT, 'lambdas', 'audit', 'handler.ts');

/**
 * The Organizations actions of the organization walk (walk-organization.ts), and only
 * those; a test derives them from the Lambda sources. ListRoots supports no resource
 * type in the Service Authorization Reference, so it needs Resource "*" (as would
 * DescribeOrganization, which the walk does not call); the two *ForParent actions
 * accept root and OU ARNs and get those.
 */
const ORGANIZATIONS_ACCOUNT_ACTIONS = ['organizations:ListRoots'] as const;
const ORGANIZATIONS_TREE_ACTIONS = [
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
] as const;

/**
 * BatchGetConfigurationPolicyAssociations and ListConfigurationPolicies support no resource
 * type (Service Authorization Reference; Security Hub: "Policy resources: No"), so they need
 * Resource "*". ListConfigurationPolicyAssociations
 * is deliberately absent: the audit asks for every target by id, it never lists.
 */
const SECURITY_HUB_ACTIONS = [
  'securityhub:BatchGetConfigurationPolicyAssociations',
  // Policy names for people (report, CLI, digest); a refusal costs the names, never the run.
  'securityhub:ListConfigurationPolicies',
] as const;

/**
 * Publishing drift as findings. BatchImportFindings takes the product as its resource
 * (Service Authorization Reference: resource type `product`), so it is granted on the
 * account's own default product ARN alone.
 */
const FINDINGS_ACTIONS = ['securityhub:BatchImportFindings'] as const;

/**
 * Reading the audit's own ACTIVE findings back, to archive those whose target is no
 * longer drifted whatever the history says. GetFindings takes the hub as its resource
 * (Service Authorization Reference: resource type `hub`), so it is granted on the
 * account's own hub in the Region alone; the request filters by the audit's product ARN.
 */
const FINDINGS_READ_ACTIONS = ['securityhub:GetFindings'] as const;

/**
 * How the handler is bundled: by the esbuild in node_modules, never in Docker (so
 * deploys work on machines without it), minified, with external source maps that
 * NODE_OPTIONS=--enable-source-maps applies to stack traces.
 * @internal Exported for its tests.
 */
export const AUDIT_BUNDLING: nodejs.BundlingOptions = {
  forceDockerBundling: false,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  format: nodejs.OutputFormat.CJS,
  // Bundle the AWS SDK too: the tested client versions (and the request-counting
  // middleware) run in Lambda, not whatever SDK the runtime happens to ship.
  externalModules: [],
  // Prefer the packages' ES module builds, which esbuild can tree-shake: the SDK clients
  // ship both, and the CommonJS ones drag in every command (1.56 MB instead of 1.21 MB).
  mainFields: ['module', 'main'],
};

/** The registry settings an {@link AuditFunction} is configured with (the prefix comes from the bucket). */
export type AuditFunctionSettings = Omit<SettingValues<typeof ALL_SETTINGS>, 'reportPrefix'>;

/** Properties of {@link AuditFunction}. */
export interface AuditFunctionProps {
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
   * Memory, MB. CPU scales with it; 1024 MB keeps gzip and JSON of 10,000+ rows quick.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * POWERTOOLS_LOG_LEVEL.
   * @default 'INFO'
   */
  readonly logLevel?: string;
  /**
   * POWERTOOLS_SERVICE_NAME: the `service` dimension of every metric.
   * @default 'securityhub-config-audit'
   */
  readonly serviceName?: string;
  /**
   * POWERTOOLS_METRICS_NAMESPACE.
   * @default 'SecurityHubConfigAudit'
   */
  readonly metricsNamespace?: string;
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

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    // No AWSLambdaBasicExecutionRole: it grants logs:* on every log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Security Hub configuration audit function',
    });

    // Created with the role it names as the only signer; the function gets its ARN.
    this.macKey = new StateMacKey(this, 'MacKey', { signer: this.role });

    const settingsEnv = checkedSettingsEnvironment(settings);
    const environment: Record<string, string> = {
      NODE_OPTIONS: '--enable-source-maps',
      REPORT_BUCKET: store.bucket.bucketName,
      ALERT_TOPIC_ARN: props.alertTopic.topic.topicArn,
      DEPLOYMENT_NAME: Stack.of(this).stackName,
      MAC_KEY_ID: this.macKey.key.keyArn,
      ...settingsEnv,
      POWERTOOLS_SERVICE_NAME: props.serviceName ?? DEFAULTS.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? DEFAULTS.metricsNamespace,
      POWERTOOLS_LOG_LEVEL: props.logLevel ?? DEFAULTS.logLevel,
    };

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: 'Nightly audit of Security Hub central configuration policy associations',
      entry: props.entry ?? AUDIT_HANDLER_ENTRY,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: this.timeout,
      memorySize: props.memorySize ?? DEFAULTS.functionMemoryMb,
      reservedConcurrentExecutions: 1,
      role: this.role,
      logGroup: this.logGroup,
      environment,
      bundling: AUDIT_BUNDLING,
    });

    this.grantPermissions(props, settings, stack);
  }

  private grantPermissions(props: AuditFunctionProps, settings: AuditFunctionSettings, stack: Stack): void {
    const store = props.reportBucket;
    // Each statement carries the reason for any wildcard resource it has; the reason
    // becomes the cdk-nag acknowledgment of exactly that resource.
    const grants: { statement: iam.PolicyStatement; wildcardReason?: string }[] = [
      {
        statement: new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      },
      {
        statement: new iam.PolicyStatement({
          sid: 'ReadSecurityHubAssociations',
          actions: [...SECURITY_HUB_ACTIONS],
          // Resource "*": the action has no resource type in the Service Authorization Reference.
          resources: ['*'],
        }),
        wildcardReason:
          'securityhub:BatchGetConfigurationPolicyAssociations supports no resource type (Service Authorization ' +
          'Reference), so it can only be granted on "*". It is read-only.',
      },
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
      {
        statement: new iam.PolicyStatement({
          sid: 'ListReportBucket',
          // Without ListBucket, S3 answers 403 instead of 404 for a missing key, and the
          // function could not tell "first run, no previous snapshot" or "baseline key
          // not uploaded yet" from a permission problem. It lists names only, in one bucket.
          actions: ['s3:ListBucket'],
          resources: [store.bucket.bucketArn],
        }),
      },
      {
        statement: new iam.PolicyStatement({
          sid: 'PublishDigest',
          actions: ['sns:Publish'],
          resources: [props.alertTopic.topic.topicArn],
        }),
      },
      {
        statement: new iam.PolicyStatement({
          sid: 'UseAlertTopicKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.alertTopic.key.keyArn],
        }),
      },
    ];
    const documents = [settings.baselineKey, settings.exclusionsKey].filter((key): key is string => Boolean(key));
    if (documents.length > 0) {
      grants.push({
        statement: new iam.PolicyStatement({
          sid: 'ReadAuditDocuments',
          actions: ['s3:GetObject'],
          resources: documents.map((key) => store.bucket.arnForObjects(key)),
        }),
      });
    }
    if (store.encryptionKey) {
      grants.push({
        statement: new iam.PolicyStatement({
          sid: 'UseReportKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [store.encryptionKey.keyArn],
        }),
      });
    }
    if (settings.publishFindings) {
      grants.push({
        statement: new iam.PolicyStatement({
          sid: 'ImportFindings',
          actions: [...FINDINGS_ACTIONS],
          // The account's own default product only: findings cannot be sent as another product.
          resources: [
            `arn:${stack.partition}:securityhub:${stack.region}:${stack.account}:product/${stack.account}/default`,
          ],
        }),
      });
      grants.push({
        statement: new iam.PolicyStatement({
          sid: 'ReadOwnFindings',
          actions: [...FINDINGS_READ_ACTIONS],
          resources: [`arn:${stack.partition}:securityhub:${stack.region}:${stack.account}:hub/default`],
        }),
      });
    }
    if (settings.organizationsRoleArn) {
      grants.push({
        statement: new iam.PolicyStatement({
          sid: 'AssumeOrganizationsRole',
          actions: ['sts:AssumeRole'],
          resources: [settings.organizationsRoleArn],
        }),
      });
    } else {
      grants.push(
        {
          statement: new iam.PolicyStatement({
            sid: 'ListOrganizationRoots',
            actions: [...ORGANIZATIONS_ACCOUNT_ACTIONS],
            // Resource "*": ListRoots has no resource type in the Service Authorization Reference.
            resources: ['*'],
          }),
          wildcardReason:
            'organizations:ListRoots supports no resource type (Service Authorization Reference), so it can only be ' +
            'granted on "*". It is read-only.',
        },
        {
          statement: new iam.PolicyStatement({
            sid: 'WalkOrganizationTree',
            actions: [...ORGANIZATIONS_TREE_ACTIONS],
            // The organization id and management account are unknown at synth, hence the wildcards;
            // the ARNs still restrict these actions to roots and OUs.
            resources: [
              `arn:${stack.partition}:organizations::*:root/o-*/r-*`,
              `arn:${stack.partition}:organizations::*:ou/o-*/ou-*`,
            ],
          }),
          wildcardReason:
            'The organization id and management account id in root and OU ARNs are not known at synth time; the ' +
            'pattern still limits the read-only *ForParent actions to roots and OUs.',
        },
      );
    }
    const policy = new iam.Policy(this, 'Policy', { statements: grants.map((g) => g.statement) });
    policy.attachToRole(this.role);
    // The function must not start before its permissions exist.
    this.function.node.addDependency(policy);
    acknowledgeWildcardResources(
      policy,
      grants.flatMap(({ statement, wildcardReason }) =>
        wildcardReason ? [{ resources: statement.resources, reason: wildcardReason }] : [],
      ),
    );
  }
}

/**
 * The settings as environment variables, checked by the rules the Lambda applies: the
 * context is validated already, but a stack that uses this construct directly must not
 * deploy a function that fails at its first run, nor grant `s3:GetObject` on a key with
 * an IAM wildcard in it. Deploy-time tokens cannot be checked at synth and are skipped.
 */
function checkedSettingsEnvironment(settings: SettingValues<typeof ALL_SETTINGS>): Record<string, string> {
  const environment = settingsEnvironment(ALL_SETTINGS, settings);
  const known = Object.fromEntries(Object.entries(environment).filter(([, value]) => !Token.isUnresolved(value)));
  const checked = readSettingsFromEnvironment(ALL_SETTINGS, known);
  if (!checked.ok) {
    throw new ConfigError(
      `Invalid AuditFunction settings: ${checked.issues.map((issue) => `${issue.variable}: ${issue.message}`).join('; ')}`,
    );
  }
  return environment;
}
