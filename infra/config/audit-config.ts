import type { Construct } from 'constructs';
import { z } from 'zod';
import { REPORT_LAYOUT } from '../../lambdas/audit/report/schema';
import { ALL_SETTINGS, RECHECK_SETTINGS, settingMeaning, settingSchemas } from '../../lambdas/audit/settings';
import { nearestName } from '../../lambdas/audit/util/nearest-name';
import { quotedValue, shownValue } from './quoted-value';
import {
  STACK_RECHECK_SETTINGS,
  STACK_REPORT_SETTINGS,
  STACK_RUN_SETTINGS,
  STACK_SETTINGS,
  stackSettingDoc,
  stackSettingSchemas,
  toStringList,
} from './stack-settings';
import { AuditContextError } from './errors';

/**
 * The deploy-time configuration: CDK context keys (cdk.json `"context"` or
 * `-c key=value`), parsed and validated here so that a bad value fails
 * `cdk synth` with a message naming the key, before anything reaches
 * CloudFormation.
 *
 * The rules, defaults and docs of the keys live in the registries (stack-settings.ts,
 * lambdas/audit/settings.ts); this module assembles them and adds the checks that span keys.
 */

/** The Lambda settings, validated by the same rules the Lambda applies to its environment. */
const { reportPrefix: reportPrefixSchema, ...settings } = settingSchemas(ALL_SETTINGS);

/**
 * The context keys this app reads, with their validators and defaults, in documentation
 * order: the stack's keys (stack-settings.ts) with reportPrefix among the report keys,
 * then the keys that become Lambda environment variables (lambdas/audit/settings.ts), then
 * the re-check's keys (its stack keys, then its function's settings).
 */
const shape = {
  ...stackSettingSchemas(STACK_RUN_SETTINGS),
  reportPrefix: reportPrefixSchema,
  ...stackSettingSchemas(STACK_REPORT_SETTINGS),
  ...settings,
  ...stackSettingSchemas(STACK_RECHECK_SETTINGS),
  ...settingSchemas(RECHECK_SETTINGS),
};

/** The validated configuration, every default applied. */
export type AuditStackConfig = z.output<z.ZodObject<typeof shape>>;

/**
 * Context keys this app reads.
 * @internal Exported for its tests.
 */
export type AuditContextKey = keyof typeof shape;

/**
 * The keys, in documentation order.
 * @internal Exported for its tests.
 */
export const AUDIT_CONTEXT_KEYS = Object.keys(shape) as AuditContextKey[];

/**
 * One line per key for the README table; a test keeps the table equal to it. A Lambda
 * setting's line is its environment variable and its registry meaning, range included.
 * @internal Exported for its tests.
 */
export const AUDIT_CONTEXT_KEY_DOCS: Readonly<Record<AuditContextKey, string>> = Object.fromEntries([
  ...Object.entries(STACK_SETTINGS).map(([key, setting]) => [key, stackSettingDoc(setting)]),
  ...Object.entries({ ...ALL_SETTINGS, ...RECHECK_SETTINGS }).map(([key, setting]) => [
    key,
    `${setting.env}: ${settingMeaning(setting)}`,
  ]),
]) as Record<AuditContextKey, string>;

/**
 * Context keys that belong to the CDK itself or its CLI, not to this app:
 * feature flags (`@aws-cdk/...`), internal keys (`aws:cdk:...`), lookup
 * caches (`availability-zones:...`) and a few plain CLI settings.
 */
function isCdkOwnedKey(key: string): boolean {
  return /[:@/]/.test(key) || ['cli-telemetry', 'acknowledged-issue-numbers'].includes(key);
}

function unknownKeyIssue(key: string): string {
  const closest = nearestName(key, AUDIT_CONTEXT_KEYS);
  const hint = closest !== undefined ? ` Did you mean "${closest}"?` : '';
  return `${shownValue(key)}: unknown context key.${hint} Known keys: ${AUDIT_CONTEXT_KEYS.join(', ')}`;
}

/** Checks that depend on more than one key. */
function crossKeyIssues(config: AuditStackConfig): string[] {
  const issues: string[] = [];
  if (config.reportTransitionGlacierDays < config.reportTransitionIaDays + 30) {
    issues.push(
      `reportTransitionGlacierDays: expected at least reportTransitionIaDays + 30 (${config.reportTransitionIaDays + 30}), since objects stay in Standard-IA for 30 days at least`,
    );
  }
  if (config.reportExpirationDays <= config.reportTransitionGlacierDays) {
    issues.push(
      `reportExpirationDays: expected more than reportTransitionGlacierDays (${config.reportTransitionGlacierDays})`,
    );
  }
  if (config.redriveMaxDelayMs < config.redriveBaseDelayMs) {
    issues.push('redriveMaxDelayMs: expected a value not below redriveBaseDelayMs');
  }
  if (config.deadlineMarginSeconds >= config.functionTimeoutMinutes * 60) {
    issues.push(
      `deadlineMarginSeconds: expected less than the function timeout (${config.functionTimeoutMinutes * 60} s)`,
    );
  }
  if (config.recheck && config.managementAccountId === undefined) {
    issues.push(
      'managementAccountId: required when recheck is true: Organizations events reach EventBridge only in the ' +
        'management account (us-east-1), which must forward them to the re-check',
    );
  }
  const dataDirs = [
    REPORT_LAYOUT.associationsDir,
    REPORT_LAYOUT.runsDir,
    REPORT_LAYOUT.htmlDir,
    REPORT_LAYOUT.latestDir,
  ].map((dir) => `${config.reportPrefix}${dir}/`);
  for (const key of ['baselineKey', 'exclusionsKey'] as const) {
    const value = config[key];
    if (value !== undefined && dataDirs.some((dir) => value.startsWith(dir))) {
      issues.push(
        `${key}: must not be inside the report data prefixes (${dataDirs.join(', ')}), which the audit writes`,
      );
    }
  }
  return issues;
}

/**
 * Validates raw context values (only this app's keys; CDK-owned keys are ignored)
 * and returns the configuration with defaults applied.
 *
 * @throws {@link AuditContextError} naming every invalid or unknown key.
 */
export function parseAuditStackConfig(context: Readonly<Record<string, unknown>>): AuditStackConfig {
  const ours: Record<string, unknown> = {};
  const issues: string[] = [];
  for (const [key, value] of Object.entries(context)) {
    if (isCdkOwnedKey(key)) {
      continue;
    }
    if (!(key in shape)) {
      issues.push(unknownKeyIssue(key));
      continue;
    }
    // Lists are split before validation so that messages can quote the bad item.
    ours[key] = key === 'alertEmails' ? toStringList(value) : value;
  }
  const parsed = z.object(shape).safeParse(ours);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path
        .map(String)
        .join('.')
        .replace(/\.(\d+)/g, '[$1]');
      issues.push(`${path || '(context)'}: ${issue.message}${describeInput(ours, issue.path, issue.message)}`);
    }
  }
  if (issues.length > 0 || !parsed.success) {
    throw new AuditContextError(issues);
  }
  const config = parsed.data;
  const crossIssues = crossKeyIssues(config);
  if (crossIssues.length > 0) {
    throw new AuditContextError(crossIssues);
  }
  return config;
}

/**
 * Appends the offending input (a short, display-safe prefix), unless the message
 * already quotes it.
 */
function describeInput(ours: Record<string, unknown>, path: readonly PropertyKey[], message: string): string {
  let value: unknown = ours;
  for (const segment of path) {
    value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  if (value === undefined) {
    return '';
  }
  const shown = typeof value === 'string' ? quotedValue(value) : shownValue(JSON.stringify(value));
  return message.includes(shown) ? '' : ` (got ${shown})`;
}

/** Reads and validates this app's keys from the construct tree's context. */
export function loadAuditStackConfig(scope: Construct): AuditStackConfig {
  return parseAuditStackConfig(scope.node.getAllContext() as Readonly<Record<string, unknown>>);
}
