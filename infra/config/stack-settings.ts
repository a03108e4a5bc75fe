import { z } from 'zod';
import { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME } from '../../lambdas/audit/config';
import { blankToUndefined, toBoolean, toNumber } from '../../lambdas/audit/util/coerce';
import { cronExpressionProblem, normalizeCronExpression } from './cron-expression';
import { quotedValue } from './quoted-value';

/**
 * The registry of the context keys only the stack reads: one entry per key, defined once
 * with its rule, default and README line. Derived from here: the context schema and the
 * README's context-key table (`audit-config.ts`) and `DEFAULTS` (`defaults.ts`).
 * The keys that become Lambda environment variables have their own registry
 * (lambdas/audit/settings.ts).
 *
 * Values from cdk.json arrive typed; values from `-c key=value` always arrive as strings.
 * Every rule below accepts both.
 */

/** An integer with a closed range and a default. */
interface IntegerStackSetting {
  readonly kind: 'integer';
  readonly min: number;
  readonly max: number;
  readonly default: number;
  /** README line; `{min}` and `{max}` are replaced by the range, so the two cannot disagree. */
  readonly doc: string;
}

/** A switch: `true`/`false` in any case, or a boolean from cdk.json. */
interface BooleanStackSetting {
  readonly kind: 'boolean';
  readonly default: boolean;
  readonly doc: string;
}

/** A string matching `pattern`; unset (blank) stays `undefined` unless it has a default. */
interface TextStackSetting {
  readonly kind: 'text';
  readonly pattern: RegExp;
  /** The message of a value that does not match. */
  readonly expected: string;
  readonly default?: string;
  readonly doc: string;
}

/** A rule no kind above expresses: `schema` validates what `coerce` makes of the raw value. */
interface CustomStackSetting {
  readonly kind: 'custom';
  readonly coerce: (value: unknown) => unknown;
  /** Without its default: the registry adds it (or makes the key optional). */
  readonly schema: z.ZodType;
  readonly default?: unknown;
  readonly doc: string;
}

/** One stack-only context key. */
export type StackSetting = IntegerStackSetting | BooleanStackSetting | TextStackSetting | CustomStackSetting;

type StackSettings = Readonly<Record<string, StackSetting>>;

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Powertools log levels. */
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A list from cdk.json (array), from `-c k=a,b` (comma-separated) or `-c 'k=["a","b"]'` (JSON). */
export const toStringList = (value: unknown): unknown => {
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

const cronSchema = z
  .string({ error: 'expected an EventBridge cron expression' })
  .superRefine((value, ctx) => {
    const problem = cronExpressionProblem(value);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `invalid cron expression ${quotedValue(value)}: ${problem}` });
    }
  })
  .transform(normalizeCronExpression);

const logRetentionSchema = z
  .number({ error: `expected one of ${LOG_RETENTION_DAYS.join(', ')}` })
  .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    error: `expected one of ${LOG_RETENTION_DAYS.join(', ')} (the periods CloudWatch Logs accepts)`,
  });

const calendarDateSchema = z
  .string({ error: 'expected a date YYYY-MM-DD' })
  .regex(ISO_DATE, { error: 'expected a date YYYY-MM-DD' })
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    { error: 'expected a real calendar date YYYY-MM-DD' },
  );

/**
 * The keys of the stack, its schedule and the function's runtime. The README lists the
 * Lambda setting reportPrefix between these and {@link STACK_REPORT_SETTINGS}, hence two groups.
 */
export const STACK_RUN_SETTINGS = {
  stackName: {
    kind: 'text',
    pattern: /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
    expected: 'expected a CloudFormation stack name',
    default: 'SecurityHubConfigAudit',
    doc: 'CloudFormation stack name.',
  },
  scheduleCron: {
    kind: 'custom',
    coerce: blankToUndefined,
    schema: cronSchema,
    // 02:00 UTC: after most change windows, before office hours in Europe.
    default: 'cron(0 2 * * ? *)',
    doc: 'EventBridge cron expression (UTC) of the nightly run; `cron(...)` wrapper optional.',
  },
  scheduleEnabled: {
    kind: 'boolean',
    default: true,
    doc: 'false deploys the schedule rule disabled (manual runs only).',
  },
  scheduleRetryAttempts: {
    kind: 'integer',
    min: 0,
    max: 185,
    // Retries of the delivery (the StartExecution call), not of the run.
    default: 3,
    doc: 'EventBridge retries when delivering the event to the function fails ({min}-{max}).',
  },
  scheduleMaxEventAgeHours: {
    kind: 'integer',
    min: 1,
    max: 24,
    default: 2,
    doc: 'How long EventBridge keeps retrying delivery ({min}-{max} h).',
  },
  functionRetryAttempts: {
    kind: 'integer',
    min: 0,
    max: 2,
    default: 2,
    doc: "Retries of a round that failed (the state machine's `States.TaskFailed` retrier, 30 s then 60 s); a retry resumes the run from its checkpoint and reuses its time, so it overwrites the same report.",
  },
  functionTimeoutMinutes: {
    kind: 'integer',
    min: 1,
    max: 15,
    default: 15,
    doc: 'Function timeout ({min}-{max} min); the audit keeps DEADLINE_MARGIN_SECONDS back to write the report.',
  },
  functionMemoryMb: {
    kind: 'integer',
    min: 128,
    max: 10240,
    default: 1024,
    doc: 'Function memory ({min}-{max} MB).',
  },
  logRetentionDays: {
    kind: 'custom',
    coerce: toNumber,
    schema: logRetentionSchema,
    default: 365,
    doc: 'Retention of the function log group (a value CloudWatch Logs accepts).',
  },
  logLevel: {
    kind: 'custom',
    coerce: (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toUpperCase() : blankToUndefined(v)),
    schema: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }),
    default: 'INFO',
    doc: 'POWERTOOLS_LOG_LEVEL: DEBUG, INFO, WARN, ERROR, CRITICAL or SILENT.',
  },
  serviceName: {
    kind: 'text',
    pattern: /^[A-Za-z0-9._-]{1,128}$/,
    expected: 'expected 1-128 letters, digits, ".", "_" or "-"',
    default: DEFAULT_SERVICE_NAME,
    doc: 'POWERTOOLS_SERVICE_NAME, also the `service` dimension of the metrics.',
  },
  metricsNamespace: {
    kind: 'text',
    pattern: /^[A-Za-z0-9._/#:-]{1,255}$/,
    expected: 'expected a CloudWatch namespace (1-255 letters, digits, ". _ / # : -")',
    // The Lambda's own fallback, so alarms watch the namespace the function writes.
    default: DEFAULT_METRICS_NAMESPACE,
    doc: 'POWERTOOLS_METRICS_NAMESPACE of the EMF metrics.',
  },
} as const satisfies StackSettings;

/** The keys of the report bucket, its Glue/Athena catalog and the alerting. */
export const STACK_REPORT_SETTINGS = {
  reportKmsKey: {
    kind: 'text',
    pattern: /^(create|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f-]{36}))$/,
    expected: 'expected "create" or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
    doc: '"create" for a new customer managed key, or a key ARN to use; unset = SSE-S3.',
  },
  reportObjectLockMode: {
    kind: 'text',
    pattern: /^(GOVERNANCE|COMPLIANCE)$/,
    expected: 'expected GOVERNANCE or COMPLIANCE',
    doc: 'S3 Object Lock default retention of the report bucket (GOVERNANCE or COMPLIANCE); unset = no Object Lock.',
  },
  reportObjectLockDays: {
    kind: 'integer',
    min: 1,
    max: 36500,
    default: 365,
    doc: 'Days every object version is locked when reportObjectLockMode is set ({min}-{max}).',
  },
  reportTransitionIaDays: {
    kind: 'integer',
    min: 30,
    max: 3650,
    default: 30,
    doc: 'Days before report objects move to S3 Standard-IA (>= {min}).',
  },
  reportTransitionGlacierDays: {
    kind: 'integer',
    min: 60,
    max: 3650,
    default: 90,
    doc: 'Days before report objects move to S3 Glacier Instant Retrieval (>= IA + 30; Athena can still read it).',
  },
  reportExpirationDays: {
    kind: 'integer',
    min: 1,
    max: 36500,
    default: 730,
    doc: 'Days before report objects expire; also how far back Athena projects partitions.',
  },
  noncurrentVersionExpirationDays: {
    kind: 'integer',
    min: 1,
    max: 3650,
    default: 30,
    doc: 'Days a replaced (noncurrent) object version is kept; latest/* is overwritten nightly.',
  },
  accessLogsExpirationDays: {
    kind: 'integer',
    min: 1,
    max: 36500,
    default: 365,
    doc: 'Days S3 server access logs are kept.',
  },
  athenaResultsExpirationDays: {
    kind: 'integer',
    min: 1,
    max: 3650,
    default: 30,
    doc: 'Days Athena query results are kept.',
  },
  athenaBytesScannedCutoffMb: {
    kind: 'integer',
    min: 10,
    max: 1_000_000_000,
    default: 1024,
    doc: 'Per-query data-scanned limit of the workgroup (MiB, >= {min}).',
  },
  partitionStartDate: {
    kind: 'custom',
    coerce: blankToUndefined,
    schema: calendarDateSchema,
    doc: 'First dt (YYYY-MM-DD) Athena projects; unset = NOW minus reportExpirationDays.',
  },
  glueDatabaseName: {
    kind: 'text',
    pattern: /^[a-z0-9_]{1,255}$/,
    expected: 'expected 1-255 lowercase letters, digits or "_"',
    default: 'securityhub_config_audit',
    doc: 'Glue database holding the `associations` and `runs` tables.',
  },
  athenaWorkGroupName: {
    kind: 'text',
    pattern: /^[a-zA-Z0-9._-]{1,128}$/,
    expected: 'expected 1-128 letters, digits, ".", "_" or "-"',
    default: 'securityhub-config-audit',
    doc: 'Athena workgroup of the named queries.',
  },
  alertEmails: {
    kind: 'custom',
    coerce: toStringList,
    schema: z.array(z.email({ error: 'expected an e-mail address' }), {
      error: 'expected a list of e-mail addresses',
    }),
    default: [],
    doc: 'E-mail addresses subscribed to the alert topic (list, or comma-separated with -c).',
  },
  heartbeatHours: {
    kind: 'integer',
    min: 2,
    max: 168,
    default: 26,
    doc: 'Alarm when no successful run reported TargetsAudited for this many hours.',
  },
  durationAlarmPercent: {
    kind: 'integer',
    min: 1,
    max: 100,
    default: 80,
    doc: "Alarm when an execution takes more than this percentage of the state machine's timeout (the worst case its rounds and retries allow: 19 h 51 min by default).",
  },
} as const satisfies StackSettings;

/**
 * The keys of the event-driven re-check (issue 19): whether it is deployed and which
 * management account forwards the Organizations events. A 12-digit id cannot carry an IAM
 * wildcard or a policy variable (`* ? $ { }`) into the bus policy it is written to.
 */
export const STACK_RECHECK_SETTINGS = {
  recheck: {
    kind: 'boolean',
    default: false,
    doc: 'true deploys the event-driven re-check (changes bus, rules, queue, re-check function) and the management-account forwarder stack; needs managementAccountId and a resolved account and Region.',
  },
  managementAccountId: {
    kind: 'text',
    pattern: /^\d{12}$/,
    expected: 'expected a 12-digit AWS account id',
    doc: 'Management account (12 digits) whose Organizations events are forwarded to the re-check; required when recheck is true.',
  },
} as const satisfies StackSettings;

/** Every stack-only context key, in documentation order. */
export const STACK_SETTINGS = { ...STACK_RUN_SETTINGS, ...STACK_REPORT_SETTINGS, ...STACK_RECHECK_SETTINGS } as const;

/** The validated value of a setting; a key without a default may stay `undefined`. */
type StackSettingValue<S> = S extends IntegerStackSetting
  ? number
  : S extends BooleanStackSetting
    ? boolean
    : S extends { readonly kind: 'custom'; readonly schema: infer Z extends z.ZodType }
      ? z.output<Z> | (S extends { readonly default: unknown } ? never : undefined)
      : S extends { readonly default: string }
        ? string
        : string | undefined;

/** The zod schema of each setting of `T`, keyed like `T` (the context keys). */
export type StackSettingSchemas<T extends StackSettings> = {
  readonly [K in keyof T]: z.ZodType<StackSettingValue<T[K]>, unknown>;
};

/** The keys of `T` that have a default, with it. */
export type StackSettingDefaults<T extends StackSettings> = {
  readonly [K in keyof T as T[K] extends { readonly default: unknown } ? K : never]: T[K] extends {
    readonly default: infer D;
  }
    ? D
    : never;
};

/** Applies the default inside the coercion, so that a blank value gets it too. */
function withDefault(coerce: (value: unknown) => unknown, schema: z.ZodType, fallback: unknown): z.ZodType {
  return z.preprocess(coerce, fallback === undefined ? schema.optional() : schema.default(fallback));
}

function stackSettingSchema(setting: StackSetting): z.ZodType {
  switch (setting.kind) {
    case 'integer': {
      const { min, max } = setting;
      const error = `expected an integer from ${min} to ${max}`;
      const schema = z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
      return withDefault(toNumber, schema, setting.default);
    }
    case 'boolean':
      return withDefault(toBoolean, z.boolean({ error: 'expected true or false' }), setting.default);
    case 'text': {
      const error = setting.expected;
      return withDefault(blankToUndefined, z.string({ error }).regex(setting.pattern, { error }), setting.default);
    }
    case 'custom':
      return withDefault(setting.coerce, setting.schema, setting.default);
  }
}

/** The zod schema of every setting of `settings`, keyed by context key. */
export function stackSettingSchemas<T extends StackSettings>(settings: T): StackSettingSchemas<T> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, setting]) => [key, stackSettingSchema(setting)]),
  ) as StackSettingSchemas<T>;
}

/** Each default of `settings`; keys without one are left out. */
export function stackSettingDefaults<T extends StackSettings>(settings: T): StackSettingDefaults<T> {
  return Object.fromEntries(
    Object.entries(settings)
      .filter(([, setting]) => setting.default !== undefined)
      .map(([key, setting]) => [key, setting.default]),
  ) as StackSettingDefaults<T>;
}

/** The README's "meaning" cell of `setting`: its doc, an integer's range filled in. */
export function stackSettingDoc(setting: StackSetting): string {
  return setting.kind === 'integer'
    ? setting.doc.replaceAll('{min}', String(setting.min)).replaceAll('{max}', String(setting.max))
    : setting.doc;
}
