import type { Construct } from 'constructs';
import { z } from 'zod';
import { AuditError } from '../../lambdas/audit/errors';
import { normalizeReportPrefix } from '../../lambdas/audit/report/report-store';
import { REPORT_LAYOUT } from '../../lambdas/audit/report/schema';
import { ALL_SETTINGS, settingMeaning, settingSchemas } from '../../lambdas/audit/settings';
import { cronExpressionProblem, normalizeCronExpression } from './cron-expression';
import { DEFAULTS, LOG_LEVELS, LOG_RETENTION_DAYS } from './defaults';
import { shownValue } from './quoted-value';

/**
 * The deploy-time configuration: CDK context keys (cdk.json `"context"` or
 * `-c key=value`), parsed and validated here so that a bad value fails
 * `cdk synth` with a message naming the key, before anything reaches
 * CloudFormation.
 *
 * Values from cdk.json arrive typed (numbers, booleans, arrays); values from
 * `-c key=value` always arrive as strings. Every parser below accepts both.
 */

/**
 * One or more context values are invalid (kind BAD_INPUT). The message names every
 * offending key; a bad value is quoted as a short, display-safe prefix (quoted-value.ts).
 */
export class AuditContextError extends AuditError {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(
      'BAD_INPUT',
      `Invalid CDK context (set in cdk.json "context" or with -c key=value):\n${issues.map((i) => `  - ${i}`).join('\n')}`,
    );
    this.issues = issues;
  }
}

/** `value` quoted for a message: a short, display-safe prefix. */
const quoted = (value: string): string => `"${shownValue(value)}"`;

const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** `-c key=5` arrives as "5"; cdk.json may hold 5. Booleans are not numbers here. */
const toNumber = (value: unknown): unknown => {
  const v = blankToUndefined(value);
  return typeof v === 'string' ? Number(v.trim()) : v;
};

const toBoolean = (value: unknown): unknown => {
  const v = blankToUndefined(value);
  if (typeof v === 'string') {
    const lower = v.trim().toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : v;
  }
  return v;
};

/** A list from cdk.json (array), from `-c k=a,b` (comma-separated) or `-c 'k=["a","b"]'` (JSON). */
const toStringList = (value: unknown): unknown => {
  const v = blankToUndefined(value);
  if (typeof v !== 'string') {
    return v;
  }
  const text = v.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return v;
    }
  }
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
};

const int = (min: number, max: number, fallback: number) => {
  const error = `expected an integer from ${min} to ${max}`;
  return z.preprocess(
    toNumber,
    z.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(fallback),
  );
};

const bool = (fallback: boolean) =>
  z.preprocess(toBoolean, z.boolean({ error: 'expected true or false' }).default(fallback));

const text = (pattern: RegExp, expected: string, fallback: string) =>
  z.preprocess(blankToUndefined, z.string({ error: expected }).regex(pattern, { error: expected }).default(fallback));

const optionalText = (pattern: RegExp, expected: string) =>
  z.preprocess(blankToUndefined, z.string({ error: expected }).regex(pattern, { error: expected }).optional());

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The Lambda settings, validated by the same rules the Lambda applies to its environment. */
const { reportPrefix: reportPrefixSchema, ...settings } = settingSchemas(ALL_SETTINGS);

/**
 * The context keys this app reads, with their validators and defaults. Keys that become
 * Lambda environment variables come from the settings registry (lambdas/audit/settings.ts).
 */
const shape = {
  stackName: text(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'expected a CloudFormation stack name', DEFAULTS.stackName),
  scheduleCron: z.preprocess(
    blankToUndefined,
    z
      .string({ error: 'expected an EventBridge cron expression' })
      .superRefine((value, ctx) => {
        const problem = cronExpressionProblem(value);
        if (problem) {
          ctx.addIssue({ code: 'custom', message: `invalid cron expression ${quoted(value)}: ${problem}` });
        }
      })
      .transform(normalizeCronExpression)
      .default(DEFAULTS.scheduleCron),
  ),
  scheduleEnabled: bool(DEFAULTS.scheduleEnabled),
  scheduleRetryAttempts: int(0, 185, DEFAULTS.scheduleRetryAttempts),
  scheduleMaxEventAgeHours: int(1, 24, DEFAULTS.scheduleMaxEventAgeHours),
  functionRetryAttempts: int(0, 2, DEFAULTS.functionRetryAttempts),
  functionTimeoutMinutes: int(1, 15, DEFAULTS.functionTimeoutMinutes),
  functionMemoryMb: int(128, 10240, DEFAULTS.functionMemoryMb),
  logRetentionDays: z.preprocess(
    toNumber,
    z
      .number({ error: `expected one of ${LOG_RETENTION_DAYS.join(', ')}` })
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        error: `expected one of ${LOG_RETENTION_DAYS.join(', ')} (the periods CloudWatch Logs accepts)`,
      })
      .default(DEFAULTS.logRetentionDays),
  ),
  logLevel: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toUpperCase() : blankToUndefined(v)),
    z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default(DEFAULTS.logLevel),
  ),
  serviceName: text(/^[A-Za-z0-9._-]{1,128}$/, 'expected 1-128 letters, digits, ".", "_" or "-"', DEFAULTS.serviceName),
  metricsNamespace: text(
    /^[A-Za-z0-9._/#:-]{1,255}$/,
    'expected a CloudWatch namespace (1-255 letters, digits, ". _ / # : -")',
    DEFAULTS.metricsNamespace,
  ),
  reportPrefix: reportPrefixSchema,
  reportKmsKey: optionalText(
    /^(create|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f-]{36}))$/,
    'expected "create" or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
  ),
  reportTransitionIaDays: int(30, 3650, DEFAULTS.reportTransitionIaDays),
  reportTransitionGlacierDays: int(60, 3650, DEFAULTS.reportTransitionGlacierDays),
  reportExpirationDays: int(1, 36500, DEFAULTS.reportExpirationDays),
  noncurrentVersionExpirationDays: int(1, 3650, DEFAULTS.noncurrentVersionExpirationDays),
  accessLogsExpirationDays: int(1, 36500, DEFAULTS.accessLogsExpirationDays),
  athenaResultsExpirationDays: int(1, 3650, DEFAULTS.athenaResultsExpirationDays),
  athenaBytesScannedCutoffMb: int(10, 1_000_000_000, DEFAULTS.athenaBytesScannedCutoffMb),
  partitionStartDate: z.preprocess(
    blankToUndefined,
    z
      .string({ error: 'expected a date YYYY-MM-DD' })
      .regex(ISO_DATE, { error: 'expected a date YYYY-MM-DD' })
      .refine(
        (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
        {
          error: 'expected a real calendar date YYYY-MM-DD',
        },
      )
      .optional(),
  ),
  glueDatabaseName: text(
    /^[a-z0-9_]{1,255}$/,
    'expected 1-255 lowercase letters, digits or "_"',
    DEFAULTS.glueDatabaseName,
  ),
  athenaWorkGroupName: text(
    /^[a-zA-Z0-9._-]{1,128}$/,
    'expected 1-128 letters, digits, ".", "_" or "-"',
    DEFAULTS.athenaWorkGroupName,
  ),
  alertEmails: z.preprocess(
    toStringList,
    z
      .array(z.email({ error: 'expected an e-mail address' }), { error: 'expected a list of e-mail addresses' })
      .default([]),
  ),
  heartbeatHours: int(2, 168, DEFAULTS.heartbeatHours),
  durationAlarmPercent: int(1, 100, DEFAULTS.durationAlarmPercent),
  ...settings,
};

/** The validated configuration, every default applied. */
export type AuditStackConfig = z.output<z.ZodObject<typeof shape>>;

/** Context keys this app reads. */
export type AuditContextKey = keyof typeof shape;

/** The keys, in documentation order. */
export const AUDIT_CONTEXT_KEYS = Object.keys(shape) as AuditContextKey[];

/** Keys that only the stack reads (the Lambda settings are documented in their registry). */
type StackOnlyKey = Exclude<AuditContextKey, keyof typeof ALL_SETTINGS>;

const STACK_KEY_DOCS: Readonly<Record<StackOnlyKey, string>> = {
  stackName: 'CloudFormation stack name.',
  scheduleCron: 'EventBridge cron expression (UTC) of the nightly run; `cron(...)` wrapper optional.',
  scheduleEnabled: 'false deploys the schedule rule disabled (manual runs only).',
  scheduleRetryAttempts: 'EventBridge retries when delivering the event to the function fails (0-185).',
  scheduleMaxEventAgeHours: 'How long EventBridge keeps retrying delivery (1-24 h).',
  functionRetryAttempts:
    "Retries of a round that failed (the state machine's `States.TaskFailed` retrier, 30 s then 60 s); a retry resumes the run from its checkpoint and reuses its time, so it overwrites the same report.",
  functionTimeoutMinutes:
    'Function timeout (1-15 min); the audit keeps DEADLINE_MARGIN_SECONDS back to write the report.',
  functionMemoryMb: 'Function memory (128-10240 MB).',
  logRetentionDays: 'Retention of the function log group (a value CloudWatch Logs accepts).',
  logLevel: 'POWERTOOLS_LOG_LEVEL: DEBUG, INFO, WARN, ERROR, CRITICAL or SILENT.',
  serviceName: 'POWERTOOLS_SERVICE_NAME, also the `service` dimension of the metrics.',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE of the EMF metrics.',
  reportKmsKey: '"create" for a new customer managed key, or a key ARN to use; unset = SSE-S3.',
  reportTransitionIaDays: 'Days before report objects move to S3 Standard-IA (>= 30).',
  reportTransitionGlacierDays:
    'Days before report objects move to S3 Glacier Instant Retrieval (>= IA + 30; Athena can still read it).',
  reportExpirationDays: 'Days before report objects expire; also how far back Athena projects partitions.',
  noncurrentVersionExpirationDays:
    'Days a replaced (noncurrent) object version is kept; latest/* is overwritten nightly.',
  accessLogsExpirationDays: 'Days S3 server access logs are kept.',
  athenaResultsExpirationDays: 'Days Athena query results are kept.',
  athenaBytesScannedCutoffMb: 'Per-query data-scanned limit of the workgroup (MiB, >= 10).',
  partitionStartDate: 'First dt (YYYY-MM-DD) Athena projects; unset = NOW minus reportExpirationDays.',
  glueDatabaseName: 'Glue database holding the `associations` and `runs` tables.',
  athenaWorkGroupName: 'Athena workgroup of the named queries.',
  alertEmails: 'E-mail addresses subscribed to the alert topic (list, or comma-separated with -c).',
  heartbeatHours: 'Alarm when no successful run reported TargetsAudited for this many hours.',
  durationAlarmPercent:
    "Alarm when an execution takes more than this percentage of the state machine's timeout (6 hours).",
};

/**
 * One line per key for the README table; a test keeps the table equal to it. A Lambda
 * setting's line is its environment variable and its registry meaning, range included.
 */
export const AUDIT_CONTEXT_KEY_DOCS: Readonly<Record<AuditContextKey, string>> = {
  ...STACK_KEY_DOCS,
  ...Object.fromEntries(
    Object.entries(ALL_SETTINGS).map(([key, setting]) => [key, `${setting.env}: ${settingMeaning(setting)}`]),
  ),
} as Record<AuditContextKey, string>;

/**
 * Context keys that belong to the CDK itself or its CLI, not to this app:
 * feature flags (`@aws-cdk/...`), internal keys (`aws:cdk:...`), lookup
 * caches (`availability-zones:...`) and a few plain CLI settings.
 */
function isCdkOwnedKey(key: string): boolean {
  return /[:@/]/.test(key) || ['cli-telemetry', 'acknowledged-issue-numbers'].includes(key);
}

/** Plain edit distance, for "did you mean" on unknown keys. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, row[j - 1] + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length];
}

function unknownKeyIssue(key: string): string {
  const closest = AUDIT_CONTEXT_KEYS.map((known) => ({ known, d: editDistance(key, known) })).sort(
    (x, y) => x.d - y.d,
  )[0];
  const hint =
    closest && closest.d <= Math.max(2, Math.floor(key.length / 3)) ? ` Did you mean "${closest.known}"?` : '';
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
  const config = { ...parsed.data, reportPrefix: normalizeReportPrefix(parsed.data.reportPrefix) };
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
  const shown = typeof value === 'string' ? quoted(value) : shownValue(JSON.stringify(value));
  return message.includes(shown) ? '' : ` (got ${shown})`;
}

/** Reads and validates this app's keys from the construct tree's context. */
export function loadAuditStackConfig(scope: Construct): AuditStackConfig {
  return parseAuditStackConfig(scope.node.getAllContext() as Readonly<Record<string, unknown>>);
}
