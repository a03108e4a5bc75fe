import { z } from 'zod';
import { blankToUndefined, toBoolean, toNumber } from './util/coerce';
import { normalizeReportPrefix, reportPrefixProblem, roleArnProblem, s3ObjectKeyProblem } from './input-validators';

/**
 * The registry of the audit's settings: one entry per setting, defined once.
 *
 * The registry key is at the same time the CDK context key (`-c batchGroupSize=25`) and
 * the field of the Lambda's typed configuration; `env` is the environment variable the
 * stack sets and the Lambda (and, for tuning, the CLI) reads. Derived from here:
 * the Lambda's environment schema (`config.ts`), the CDK context schema
 * (`infra/config/audit-config.ts`), the mapping from context to environment
 * (`infra/constructs/audit-function.ts`) and, checked by `test/readme.test.ts`, the
 * README's tables.
 *
 * This module must stay free of aws-cdk-lib: the Lambda bundle imports it.
 * To add a setting, add one entry; every consumer above picks it up.
 */

/** A number with a closed range and a default. */
export interface NumericSetting {
  /** Environment variable of the Lambda (and CLI, for tuning). */
  readonly env: string;
  readonly kind: 'integer' | 'number';
  readonly min: number;
  readonly max: number;
  readonly default: number;
  /** One line for the README (the range is appended by {@link settingMeaning}). */
  readonly doc: string;
}

/** A string checked by a rule; unset (blank) means "not configured" unless it has a default. */
interface TextSetting {
  readonly env: string;
  readonly kind: 'text';
  /** The value when unset; without one, unset stays `undefined`. */
  readonly default?: string;
  /** What is wrong with `value`, or undefined when it is acceptable. */
  readonly problem: (value: string) => string | undefined;
  /** The one spelling of an acceptable value, applied after the check. @default the value as given */
  readonly normalize?: (value: string) => string;
  readonly doc: string;
}

/** A switch; the environment carries `true` or `false`. */
interface BooleanSetting {
  readonly env: string;
  readonly kind: 'boolean';
  readonly default: boolean;
  readonly doc: string;
}

export type Setting = NumericSetting | TextSetting | BooleanSetting;

/** Keys of `T` whose settings may stay unset (text without a default). */
type OptionalSettingKeys<T extends Readonly<Record<string, Setting>>> = {
  [K in keyof T]: T[K] extends NumericSetting | BooleanSetting
    ? never
    : T[K] extends { readonly default: string }
      ? never
      : K;
}[keyof T];

/** The typed value of each setting of `T`; a text setting without a default is optional. */
export type SettingValues<T extends Readonly<Record<string, Setting>>> = {
  readonly [K in Exclude<keyof T, OptionalSettingKeys<T>>]: T[K] extends NumericSetting
    ? number
    : T[K] extends BooleanSetting
      ? boolean
      : string;
} & Partial<Readonly<Record<OptionalSettingKeys<T>, string>>>;

/**
 * The tuning of the audit core, shared by the Lambda and the CLI. The Security Hub rate
 * stays below its documented quota for "all other operations" (10 requests/s, burst 30),
 * which the whole account shares with consoles and other tools. Organizations publishes
 * no rate for its List* operations; the walk assumes 10 requests/s with a burst of 10 and
 * keeps half of that burst unused, so the timing jitter of requests sent at the full rate
 * rarely finds the service's bucket empty.
 */
export const TUNING_SETTINGS = {
  batchGroupSize: {
    env: 'BATCH_GROUP_SIZE',
    kind: 'integer',
    min: 1,
    max: 1000,
    default: 50,
    doc: 'targets per `BatchGetConfigurationPolicyAssociations` call',
  },
  maxConcurrency: {
    env: 'MAX_CONCURRENCY',
    kind: 'integer',
    min: 1,
    max: 32,
    default: 4,
    doc: 'calls in flight at once, in the walk and the fan-out',
  },
  securityHubRequestsPerSecond: {
    env: 'SECURITYHUB_REQUESTS_PER_SECOND',
    kind: 'number',
    min: 0.1,
    max: 100,
    default: 8,
    doc: 'client-side token bucket rate of the Security Hub calls, per second',
  },
  securityHubBurst: {
    env: 'SECURITYHUB_BURST',
    kind: 'integer',
    min: 1,
    max: 100,
    default: 10,
    doc: 'client-side token bucket size of the Security Hub calls',
  },
  organizationsRequestsPerSecond: {
    env: 'ORGANIZATIONS_REQUESTS_PER_SECOND',
    kind: 'number',
    min: 0.1,
    max: 100,
    default: 10,
    doc: 'client-side pacing of the organization walk, per second; AWS publishes no rate (see below)',
  },
  organizationsBurst: {
    env: 'ORGANIZATIONS_BURST',
    kind: 'integer',
    min: 1,
    max: 100,
    default: 5,
    doc: "token bucket size of the walk's pacing: half the assumed burst, the other half absorbs timing jitter",
  },
  redriveMaxAttempts: {
    env: 'REDRIVE_MAX_ATTEMPTS',
    kind: 'integer',
    min: 0,
    max: 20,
    default: 5,
    doc: 're-drive rounds for unprocessed entries after the first pass',
  },
  redriveBaseDelayMs: {
    env: 'REDRIVE_BASE_DELAY_MS',
    kind: 'integer',
    min: 1,
    max: 60_000,
    default: 1000,
    doc: 're-drive backoff base, ms; full jitter, doubling per round',
  },
  redriveMaxDelayMs: {
    env: 'REDRIVE_MAX_DELAY_MS',
    kind: 'integer',
    min: 1,
    max: 300_000,
    default: 20_000,
    doc: 're-drive backoff ceiling, ms; not below the base',
  },
  deadlineMarginSeconds: {
    env: 'DEADLINE_MARGIN_SECONDS',
    kind: 'integer',
    min: 0,
    max: 600,
    default: 60,
    doc: "re-driving stops this many seconds before the Lambda's remaining time runs out, so the report is always written",
  },
  pendingStaleHours: {
    env: 'PENDING_STALE_HOURS',
    kind: 'number',
    min: 0.01,
    max: 24 * 365,
    default: 24,
    doc: 'age in hours after which `PENDING` is `PENDING_STALE`',
  },
} as const satisfies Readonly<Record<string, NumericSetting>>;

/** Settings of the Lambda beyond the tuning, which the stack sets from context keys of the same name. */
export const FUNCTION_SETTINGS = {
  reportPrefix: {
    env: 'REPORT_PREFIX',
    kind: 'text',
    default: '',
    problem: reportPrefixProblem,
    normalize: normalizeReportPrefix,
    doc: 'key prefix of the report layout in the bucket (empty = bucket root); normalized to end with "/"',
  },
  organizationsRoleArn: {
    env: 'ORGANIZATIONS_ROLE_ARN',
    kind: 'text',
    problem: roleArnProblem,
    doc:
      "role assumed (STS, standard credential provider) for the Organizations client only; unset: the function's " +
      'own credentials, which a delegated administrator may use for Organizations reads',
  },
  baselineKey: {
    env: 'BASELINE_KEY',
    kind: 'text',
    problem: s3ObjectKeyProblem,
    doc: 'S3 key, in the report bucket, of the baseline document',
  },
  exclusionsKey: {
    env: 'EXCLUSIONS_KEY',
    kind: 'text',
    problem: s3ObjectKeyProblem,
    doc: 'S3 key, in the report bucket, of the exclusions document',
  },
  digestMaxTargets: {
    env: 'DIGEST_MAX_TARGETS',
    kind: 'integer',
    min: 0,
    max: 200,
    default: 20,
    doc: 'targets listed in the drift-change digest',
  },
  checkpointIntervalSeconds: {
    env: 'CHECKPOINT_INTERVAL_SECONDS',
    kind: 'integer',
    min: 5,
    max: 900,
    default: 60,
    doc: 'least seconds between two checkpoints of a run (bounds both their cost and the work an invocation that dies loses)',
  },

  publishFindings: {
    env: 'FINDINGS_ENABLED',
    kind: 'boolean',
    default: true,
    doc: "publish drift as Security Hub findings in the account's own product (`false`: none, and no BatchImportFindings permission)",
  },
} as const satisfies Readonly<Record<string, Setting>>;

/**
 * Settings of the re-check function only (`recheck/`): its share of both services' quotas,
 * which the nightly run's defaults leave free, and how long it waits for a change to settle.
 */
export const RECHECK_SETTINGS = {
  recheckSecurityHubRequestsPerSecond: {
    env: 'RECHECK_SECURITYHUB_REQUESTS_PER_SECOND',
    kind: 'number',
    min: 0.1,
    max: 100,
    default: 2,
    doc: "the re-check's Security Hub rate, per second: with the nightly 8/s it stays within the documented 10/s",
  },
  recheckOrganizationsRequestsPerSecond: {
    env: 'RECHECK_ORGANIZATIONS_REQUESTS_PER_SECOND',
    kind: 'number',
    min: 0.1,
    max: 100,
    default: 1,
    doc: "the re-check's Organizations rate, per second; it lists only what an event cannot tell",
  },
  recheckPendingWaitSeconds: {
    env: 'RECHECK_PENDING_WAIT_SECONDS',
    kind: 'integer',
    min: 0,
    max: 600,
    default: 180,
    doc: 'how long a re-check waits, with backoff, for a PENDING association to settle',
  },
  recheckMaxTargets: {
    env: 'RECHECK_MAX_TARGETS',
    kind: 'integer',
    min: 1,
    max: 50_000,
    default: 5_000,
    doc: 'targets one re-check reads at most; a broader change is left to the nightly run, and said so',
  },
} as const satisfies Readonly<Record<string, NumericSetting>>;

/** Every setting the stack passes from a context key to an environment variable. */
export const ALL_SETTINGS = { ...TUNING_SETTINGS, ...FUNCTION_SETTINGS } as const;

/** `1–1000`: the range as the README shows it. */
function settingRange(setting: NumericSetting): string {
  return `${setting.min}–${setting.max}`;
}

/** The README's "meaning" cell: the doc line, with the range of a number. */
export function settingMeaning(setting: Setting): string {
  return setting.kind === 'text' || setting.kind === 'boolean'
    ? setting.doc
    : `${setting.doc} (${settingRange(setting)})`;
}

/** Each setting's default (undefined for a text setting without one). */
export function settingDefaults<T extends Readonly<Record<string, Setting>>>(settings: T): SettingValues<T> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, setting]) => [key, setting.default]),
  ) as SettingValues<T>;
}

/** The settings of `settings` taken out of a larger object holding (at least) their values. */
export function pickSettings<T extends Readonly<Record<string, Setting>>>(
  settings: T,
  values: SettingValues<T>,
): SettingValues<T> {
  const source = values as Readonly<Record<string, unknown>>;
  return Object.fromEntries(Object.keys(settings).map((key) => [key, source[key]])) as SettingValues<T>;
}

/**
 * The environment variables that carry `values`: numbers as decimal strings, text as is;
 * an unset optional value sets no variable.
 */
export function settingsEnvironment<T extends Readonly<Record<string, Setting>>>(
  settings: T,
  values: SettingValues<T>,
): Record<string, string> {
  const environment: Record<string, string> = {};
  const source = values as Readonly<Record<string, unknown>>;
  for (const [key, setting] of Object.entries(settings)) {
    const value = source[key];
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
      environment[setting.env] = String(value);
    }
  }
  return environment;
}

function numericSchema(setting: NumericSetting): z.ZodType<number, unknown> {
  const noun = setting.kind === 'integer' ? 'an integer' : 'a number';
  const error = `expected ${noun} from ${setting.min} to ${setting.max}`;
  const base = z.number({ error }).min(setting.min, { error }).max(setting.max, { error });
  return z.preprocess(toNumber, (setting.kind === 'integer' ? base.int({ error }) : base).default(setting.default));
}

/** `true`/`false` from the environment or `-c key=false` (any case), or a boolean from cdk.json. */
function booleanSchema(setting: BooleanSetting): z.ZodType<boolean, unknown> {
  return z.preprocess(toBoolean, z.boolean({ error: 'expected true or false' }).default(setting.default));
}

function textSchema(setting: TextSetting): z.ZodType<string | undefined, unknown> {
  const checked = z
    .string({ error: 'expected a string' })
    .superRefine((value, ctx) => {
      const problem = setting.problem(value);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', message: problem });
      }
    })
    .transform(setting.normalize ?? ((value) => value));
  return z.preprocess(
    blankToUndefined,
    setting.default === undefined ? checked.optional() : checked.default(setting.default),
  );
}

/** The zod schema of each setting of `T`, keyed like `T` (the context keys). */
export type SettingSchemas<T extends Readonly<Record<string, Setting>>> = {
  readonly [K in keyof T]: z.ZodType<
    T[K] extends NumericSetting
      ? number
      : T[K] extends BooleanSetting
        ? boolean
        : T[K] extends { readonly default: string }
          ? string
          : string | undefined,
    unknown
  >;
};

/**
 * The zod schema of every setting: blank is unset, strings are parsed as numbers where a
 * number is expected (the environment and `-c key=value` deliver strings; cdk.json typed values).
 */
export function settingSchemas<T extends Readonly<Record<string, Setting>>>(settings: T): SettingSchemas<T> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, setting]) => [
      key,
      setting.kind === 'text'
        ? textSchema(setting)
        : setting.kind === 'boolean'
          ? booleanSchema(setting)
          : numericSchema(setting),
    ]),
  ) as SettingSchemas<T>;
}

/** One problem with one setting, named by its environment variable. */
export interface SettingIssue {
  readonly variable: string;
  readonly message: string;
}

/** Result of {@link readSettingsFromEnvironment}. */
export type SettingsReadResult<T extends Readonly<Record<string, Setting>>> =
  | { readonly ok: true; readonly values: SettingValues<T> }
  | { readonly ok: false; readonly issues: readonly SettingIssue[] };

/** Reads and validates `settings` from their environment variables, defaults applied. */
export function readSettingsFromEnvironment<T extends Readonly<Record<string, Setting>>>(
  settings: T,
  env: Readonly<Record<string, string | undefined>>,
): SettingsReadResult<T> {
  const raw = Object.fromEntries(Object.entries(settings).map(([key, setting]) => [key, env[setting.env]]));
  const parsed = z.object(settingSchemas(settings)).safeParse(raw);
  if (parsed.success) {
    return { ok: true, values: parsed.data as SettingValues<T> };
  }
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      return { variable: settings[key]?.env ?? key, message: issue.message };
    }),
  };
}
