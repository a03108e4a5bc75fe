import * as path from 'node:path';
import { type Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  readSettingsFromEnvironment,
  type Setting,
  settingsEnvironment,
  type SettingValues,
} from '../../lambdas/audit/settings';
import { ConfigError } from '../../lambdas/audit/errors';
import { DEFAULTS } from '../config/defaults';
import type { AlertTopic } from './alert-topic';
import { acknowledgeWildcardResources } from './nag-acknowledgments';
import type { ReportBucket } from './report-bucket';

/**
 * The parts the audit's Lambda functions share (the nightly audit function and the
 * re-check function): bundling, runtime, log group, role, the common environment and
 * the permission statements both need. Each function composes them; nothing here decides
 * which statements a function gets.
 */

/** Repository root, where package-lock.json and the Lambda sources live. */
export const PROJECT_ROOT = path.join(__dirname, '..', '..');

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

/**
 * The Organizations actions of the organization walk (walk-organization.ts). ListRoots
 * supports no resource type in the Service Authorization Reference, so it needs Resource
 * "*"; the two *ForParent actions accept root and OU ARNs and get those.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html
 */
const ORGANIZATIONS_ACCOUNT_ACTIONS = ['organizations:ListRoots'] as const;
export const ORGANIZATIONS_TREE_ACTIONS = [
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
] as const;

/**
 * BatchGetConfigurationPolicyAssociations and ListConfigurationPolicies support no resource
 * type (Service Authorization Reference; Security Hub: "Policy resources: No"), so they need
 * Resource "*". ListConfigurationPolicyAssociations is deliberately absent: the audit asks
 * for every target by id, it never lists.
 */
const SECURITY_HUB_ACTIONS = [
  'securityhub:BatchGetConfigurationPolicyAssociations',
  // Policy names for people (report, CLI, digest); a refusal costs the names, never the run.
  'securityhub:ListConfigurationPolicies',
] as const;

/** Runtime options both functions (the audit's and the re-check's) take, with the same defaults. */
export interface FunctionRuntimeProps {
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
   * POWERTOOLS_METRICS_NAMESPACE.
   * @default 'SecurityHubConfigAudit'
   */
  readonly metricsNamespace?: string;
}

/** One statement of a function's policy, with the reason for any wildcard resource it has. */
export interface FunctionGrant {
  readonly statement: iam.PolicyStatement;
  /** Becomes the cdk-nag acknowledgment of exactly the wildcard resources of the statement. */
  readonly wildcardReason?: string;
}

/** The log group and the role of a function, before the function exists. */
export interface FunctionBase {
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
}

/** A log group with `retention` and a Lambda role without managed policies, as `LogGroup` and `Role` of `scope`. */
export function createFunctionBase(
  scope: Construct,
  options: { readonly description: string; readonly logRetention?: logs.RetentionDays },
): FunctionBase {
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    retention: options.logRetention ?? logs.RetentionDays.ONE_YEAR,
  });
  // No AWSLambdaBasicExecutionRole: it grants logs:* on every log group.
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.description,
  });
  return { logGroup, role };
}

/** What differs between the audit's functions. */
export interface AuditNodejsFunctionOptions extends FunctionBase {
  readonly description: string;
  readonly entry: string;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * `Function` of `scope`: bundled by {@link AUDIT_BUNDLING}, newest Node.js LTS on ARM64,
 * reserved concurrency 1 (two runs of one function never overlap).
 */
export function createAuditNodejsFunction(
  scope: Construct,
  options: AuditNodejsFunctionOptions,
): nodejs.NodejsFunction {
  return new nodejs.NodejsFunction(scope, 'Function', {
    description: options.description,
    entry: options.entry,
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    timeout: options.timeout,
    memorySize: options.memorySize ?? DEFAULTS.functionMemoryMb,
    reservedConcurrentExecutions: 1,
    role: options.role,
    logGroup: options.logGroup,
    environment: { ...options.environment },
    bundling: AUDIT_BUNDLING,
  });
}

/** Where the common environment comes from. */
export interface CommonEnvironmentSource {
  readonly store: ReportBucket;
  readonly alertTopic: AlertTopic;
  readonly macKeyArn: string;
  /** The registry settings as environment variables (see {@link checkedSettingsEnvironment}). */
  readonly settingsEnvironment: Readonly<Record<string, string>>;
  readonly serviceName?: string;
  readonly metricsNamespace?: string;
  readonly logLevel?: string;
}

/** The environment every audit function gets, in one order (the template is stable). */
export function commonEnvironment(scope: Construct, source: CommonEnvironmentSource): Record<string, string> {
  return {
    NODE_OPTIONS: '--enable-source-maps',
    REPORT_BUCKET: source.store.bucket.bucketName,
    ALERT_TOPIC_ARN: source.alertTopic.topic.topicArn,
    DEPLOYMENT_NAME: Stack.of(scope).stackName,
    MAC_KEY_ID: source.macKeyArn,
    ...source.settingsEnvironment,
    POWERTOOLS_SERVICE_NAME: source.serviceName ?? DEFAULTS.serviceName,
    POWERTOOLS_METRICS_NAMESPACE: source.metricsNamespace ?? DEFAULTS.metricsNamespace,
    POWERTOOLS_LOG_LEVEL: source.logLevel ?? DEFAULTS.logLevel,
  };
}

/**
 * The settings as environment variables, checked by the rules the Lambda applies: the
 * context is validated already, but a stack that uses a construct directly must not
 * deploy a function that fails at its first run, nor grant `s3:GetObject` on a key with
 * an IAM wildcard in it. Deploy-time tokens cannot be checked at synth and are skipped.
 */
export function checkedSettingsEnvironment<T extends Readonly<Record<string, Setting>>>(
  registry: T,
  values: SettingValues<T>,
  owner: string,
): Record<string, string> {
  const environment = settingsEnvironment(registry, values);
  const known = Object.fromEntries(Object.entries(environment).filter(([, value]) => !Token.isUnresolved(value)));
  const checked = readSettingsFromEnvironment(registry, known);
  if (!checked.ok) {
    throw new ConfigError(
      `Invalid ${owner} settings: ${checked.issues.map((issue) => `${issue.variable}: ${issue.message}`).join('; ')}`,
    );
  }
  return environment;
}

/** Writing the function's own log group only. */
export function writeLogsGrant(logGroup: logs.ILogGroup): FunctionGrant {
  return {
    statement: new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  };
}

/** Reading associations and policy names: the actions support no resource type. */
export function securityHubReadGrant(): FunctionGrant {
  return {
    statement: new iam.PolicyStatement({
      sid: 'ReadSecurityHubAssociations',
      actions: [...SECURITY_HUB_ACTIONS],
      // Resource "*": the action has no resource type in the Service Authorization Reference.
      resources: ['*'],
    }),
    wildcardReason:
      'securityhub:BatchGetConfigurationPolicyAssociations supports no resource type (Service Authorization ' +
      'Reference), so it can only be granted on "*". It is read-only.',
  };
}

/**
 * Listing the report bucket. Without ListBucket, S3 answers 403 instead of 404 for a
 * missing key, and the function could not tell "first run, no previous snapshot" or
 * "baseline key not uploaded yet" from a permission problem. It lists names only, in one bucket.
 */
export function listReportBucketGrant(store: ReportBucket): FunctionGrant {
  return {
    statement: new iam.PolicyStatement({
      sid: 'ListReportBucket',
      actions: ['s3:ListBucket'],
      resources: [store.bucket.bucketArn],
    }),
  };
}

/** Publishing the digest to the alert topic, under the topic's key. */
export function alertTopicGrants(alertTopic: AlertTopic): FunctionGrant[] {
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'PublishDigest',
        actions: ['sns:Publish'],
        resources: [alertTopic.topic.topicArn],
      }),
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'UseAlertTopicKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [alertTopic.key.keyArn],
      }),
    },
  ];
}

/** Reading exactly the baseline and exclusion documents, when configured; the report key, when there is one. */
export function documentAndReportKeyGrants(
  store: ReportBucket,
  documents: readonly (string | undefined)[],
): FunctionGrant[] {
  const grants: FunctionGrant[] = [];
  const keys = documents.filter((key): key is string => Boolean(key));
  if (keys.length > 0) {
    grants.push({
      statement: new iam.PolicyStatement({
        sid: 'ReadAuditDocuments',
        actions: ['s3:GetObject'],
        resources: keys.map((key) => store.bucket.arnForObjects(key)),
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
  return grants;
}

/**
 * Publishing drift as findings and reading the audit's own findings back. BatchImportFindings
 * takes the product as its resource (resource type `product`), GetFindings the hub (resource
 * type `hub`) in the Service Authorization Reference, so each is granted on the account's own
 * default product or hub alone.
 */
export function findingsGrants(stack: Stack): FunctionGrant[] {
  return [
    {
      statement: new iam.PolicyStatement({
        sid: 'ImportFindings',
        actions: ['securityhub:BatchImportFindings'],
        // The account's own default product only: findings cannot be sent as another product.
        resources: [
          `arn:${stack.partition}:securityhub:${stack.region}:${stack.account}:product/${stack.account}/default`,
        ],
      }),
    },
    {
      statement: new iam.PolicyStatement({
        sid: 'ReadOwnFindings',
        actions: ['securityhub:GetFindings'],
        resources: [`arn:${stack.partition}:securityhub:${stack.region}:${stack.account}:hub/default`],
      }),
    },
  ];
}

/** Assuming the configured Organizations role: the function then gets no Organizations action itself. */
export function assumeOrganizationsRoleGrant(roleArn: string): FunctionGrant {
  return {
    statement: new iam.PolicyStatement({
      sid: 'AssumeOrganizationsRole',
      actions: ['sts:AssumeRole'],
      resources: [roleArn],
    }),
  };
}

/** ListRoots, which supports no resource type. */
export function listRootsGrant(): FunctionGrant {
  return {
    statement: new iam.PolicyStatement({
      sid: 'ListOrganizationRoots',
      actions: [...ORGANIZATIONS_ACCOUNT_ACTIONS],
      // Resource "*": ListRoots has no resource type in the Service Authorization Reference.
      resources: ['*'],
    }),
    wildcardReason:
      'organizations:ListRoots supports no resource type (Service Authorization Reference), so it can only be ' +
      'granted on "*". It is read-only.',
  };
}

/**
 * The root and OU ARN patterns of the organization, for the actions whose resource is a
 * parent. The organization id and management account are unknown at synth, hence the
 * wildcards; the ARNs still restrict these actions to roots and OUs.
 */
export function parentArnPatterns(stack: Stack): string[] {
  return [
    `arn:${stack.partition}:organizations::*:root/o-*/r-*`,
    `arn:${stack.partition}:organizations::*:ou/o-*/ou-*`,
  ];
}

/** Why the organization ARN patterns have wildcards. */
export const ORGANIZATION_ARN_REASON =
  'The organization id and management account id in root and OU ARNs are not known at synth time; the ' +
  'pattern still limits the read-only *ForParent actions to roots and OUs.';

/**
 * `Policy` of `scope` holding `grants`, attached to `role`; the function waits for it
 * (it must not start before its permissions exist), and every wildcard resource is
 * acknowledged to cdk-nag with its statement's reason.
 */
export function attachFunctionPolicy(
  scope: Construct,
  role: iam.IRole,
  fn: lambda.IFunction,
  grants: readonly FunctionGrant[],
): iam.Policy {
  const policy = new iam.Policy(scope, 'Policy', { statements: grants.map((g) => g.statement) });
  policy.attachToRole(role);
  fn.node.addDependency(policy);
  acknowledgeWildcardResources(
    policy,
    grants.flatMap(({ statement, wildcardReason }) =>
      wildcardReason ? [{ resources: statement.resources, reason: wildcardReason }] : [],
    ),
  );
  return policy;
}
