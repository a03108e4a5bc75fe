import { z } from 'zod';
import { blankToUndefined } from './util/coerce';
import { bucketNameProblem, macKeyIdProblem, topicArnProblem } from './input-validators';
import {
  FUNCTION_SETTINGS,
  RECHECK_SETTINGS,
  readSettingsFromEnvironment,
  TUNING_SETTINGS,
  type SettingIssue,
  type SettingValues,
} from './settings';
import { ConfigError } from './errors';
import { ACCOUNT_ID_PATTERN } from './target-ids';

/** Metric namespace when POWERTOOLS_METRICS_NAMESPACE is unset; the stack's alarms default to the same. */
export const DEFAULT_METRICS_NAMESPACE = 'SecurityHubConfigAudit';

/** Metrics `service` dimension and log `service` field when POWERTOOLS_SERVICE_NAME is unset; the stack defaults to the same. */
export const DEFAULT_SERVICE_NAME = 'securityhub-config-audit';

/** `value` unless it is unset or blank. */
const nonBlank = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);

/** What the Powertools logger and metrics are built with. */
export interface TelemetryOptions {
  readonly serviceName: string;
  readonly namespace: string;
}

/**
 * The logger's and metrics' service name and namespace from the environment. Powertools
 * would fall back to "service_undefined" and "default_namespace"; the documented defaults
 * keep the alarms' dimensions matching what the function writes.
 */
export function telemetryOptions(env: Readonly<Record<string, string | undefined>>): TelemetryOptions {
  return {
    serviceName: nonBlank(env.POWERTOOLS_SERVICE_NAME) ?? DEFAULT_SERVICE_NAME,
    namespace: nonBlank(env.POWERTOOLS_METRICS_NAMESPACE) ?? DEFAULT_METRICS_NAMESPACE,
  };
}

/**
 * Tuning of the audit core, shared by the Lambda and the CLI: one number per entry of
 * {@link TUNING_SETTINGS}, where each field's variable, range, default and meaning are defined.
 */
export type AuditTuning = SettingValues<typeof TUNING_SETTINGS>;

/** The Lambda's configuration, read once from the environment. */
export interface AuditConfig extends AuditTuning, SettingValues<typeof FUNCTION_SETTINGS> {
  readonly reportBucket: string;
  /** '' or a prefix ending in '/'. */
  readonly reportPrefix: string;
  /** SNS topic for the drift-change digest. */
  readonly alertTopicArn?: string;
  /** The stack that deployed the function, named in alerts so people know which deployment sent them. */
  readonly deploymentName?: string;
  /** The KMS HMAC key that signs and verifies the audit's state (summaries, `latest/`, checkpoints). */
  readonly macKeyId: string;
}

/** Variables the stack sets from its own resources, not from context keys. */
const resourceEnv = z.object({
  REPORT_BUCKET: z.preprocess(
    blankToUndefined,
    z
      .string({ error: 'required: the name of the S3 bucket that receives the reports' })
      .refine((v) => bucketNameProblem(v) === undefined, { error: 'expected an S3 bucket name' }),
  ),
  MAC_KEY_ID: z.preprocess(
    blankToUndefined,
    z
      .string({ error: 'required: the KMS HMAC key that authenticates the audit state' })
      .refine((v) => macKeyIdProblem(v) === undefined, { error: 'expected a KMS key id, key ARN or alias' }),
  ),
  ALERT_TOPIC_ARN: z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((v) => topicArnProblem(v) === undefined, { error: 'expected an SNS topic ARN' })
      .optional(),
  ),
  DEPLOYMENT_NAME: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { error: 'expected a CloudFormation stack name' })
      .optional(),
  ),
});

/**
 * Every environment variable the Lambda reads (besides the Powertools ones).
 * @internal Exported for its tests.
 */
export const CONFIG_VARIABLES: readonly string[] = [
  ...Object.keys(resourceEnv.shape),
  ...Object.values(TUNING_SETTINGS).map((s) => s.env),
  ...Object.values(FUNCTION_SETTINGS).map((s) => s.env),
];

/** One message that names each variable and what was expected. */
function describeIssues(issues: readonly SettingIssue[]): string {
  return `Invalid configuration: ${issues.map((issue) => `${issue.variable}: ${issue.message}`).join('; ')}`;
}

function crossSettingIssues(tuning: AuditTuning): SettingIssue[] {
  return tuning.redriveMaxDelayMs < tuning.redriveBaseDelayMs
    ? [
        {
          variable: TUNING_SETTINGS.redriveMaxDelayMs.env,
          message: `expected a value not below ${TUNING_SETTINGS.redriveBaseDelayMs.env}`,
        },
      ]
    : [];
}

/** Reads the tuning variables alone (the CLI takes the rest from its flags). */
export function loadTuning(env: NodeJS.ProcessEnv): AuditTuning {
  const tuning = readSettingsFromEnvironment(TUNING_SETTINGS, env);
  if (!tuning.ok) {
    throw new ConfigError(describeIssues(tuning.issues));
  }
  const crossIssues = crossSettingIssues(tuning.values);
  if (crossIssues.length > 0) {
    throw new ConfigError(describeIssues(crossIssues));
  }
  return tuning.values;
}

/**
 * Reads and validates the Lambda's environment once. Throws {@link ConfigError}
 * naming every bad variable, so a misconfigured deploy fails at its first invocation
 * with a message that says what to fix.
 */
export function loadConfig(env: NodeJS.ProcessEnv): AuditConfig {
  const resources = resourceEnv.safeParse(env);
  const tuning = readSettingsFromEnvironment(TUNING_SETTINGS, env);
  const settings = readSettingsFromEnvironment(FUNCTION_SETTINGS, env);
  const issues: SettingIssue[] = [
    ...(resources.success
      ? []
      : resources.error.issues.map((issue) => ({ variable: String(issue.path[0]), message: issue.message }))),
    ...(tuning.ok ? crossSettingIssues(tuning.values) : tuning.issues),
    ...(settings.ok ? [] : settings.issues),
  ];
  if (issues.length > 0 || !resources.success || !tuning.ok || !settings.ok) {
    throw new ConfigError(describeIssues(issues));
  }
  return {
    ...tuning.values,
    ...settings.values,
    reportBucket: resources.data.REPORT_BUCKET,
    alertTopicArn: resources.data.ALERT_TOPIC_ARN,
    deploymentName: resources.data.DEPLOYMENT_NAME,
    macKeyId: resources.data.MAC_KEY_ID,
  };
}

/** The re-check function's configuration: the audit's, its own settings and who may send Organizations events. */
export interface RecheckConfig extends AuditConfig, SettingValues<typeof RECHECK_SETTINGS> {
  /** The management account whose forwarded Organizations events are taken; `null`: none are. */
  readonly managementAccountId: string | null;
}

const managementEnv = z.object({
  MANAGEMENT_ACCOUNT_ID: z.preprocess(
    blankToUndefined,
    z.string().regex(ACCOUNT_ID_PATTERN, { error: 'expected the 12-digit id of the management account' }).optional(),
  ),
});

/**
 * Reads the re-check function's environment once: everything {@link loadConfig} reads, the
 * re-check settings and `MANAGEMENT_ACCOUNT_ID`. Throws {@link ConfigError} naming every bad variable.
 */
export function loadRecheckConfig(env: NodeJS.ProcessEnv): RecheckConfig {
  const recheck = readSettingsFromEnvironment(RECHECK_SETTINGS, env);
  const management = managementEnv.safeParse(env);
  let audit: AuditConfig | undefined;
  let auditProblem: string | undefined;
  try {
    audit = loadConfig(env);
  } catch (error) {
    auditProblem = (error as Error).message;
  }
  const issues: SettingIssue[] = [
    ...(recheck.ok ? [] : recheck.issues),
    ...(management.success ? [] : [{ variable: 'MANAGEMENT_ACCOUNT_ID', message: management.error.issues[0].message }]),
  ];
  if (audit === undefined || !recheck.ok || !management.success) {
    const own = issues.length > 0 ? describeIssues(issues) : '';
    throw new ConfigError([auditProblem, own].filter((m) => m !== undefined && m !== '').join('; '));
  }
  return { ...audit, ...recheck.values, managementAccountId: management.data.MANAGEMENT_ACCOUNT_ID ?? null };
}
