import { z } from 'zod';
import { normalizeReportPrefix } from './report/report-store';

/** A configuration value is missing or malformed. The message names the variable. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Metric namespace when POWERTOOLS_METRICS_NAMESPACE is unset; the stack's alarms default to the same. */
export const DEFAULT_METRICS_NAMESPACE = 'SecurityHubConfigAudit';

/** Tuning of the audit core, shared by the Lambda and the CLI. */
export interface AuditTuning {
  /** Targets per BatchGetConfigurationPolicyAssociations call. */
  readonly batchGroupSize: number;
  /** Batch-get calls in flight at once. */
  readonly maxConcurrency: number;
  /** Client-side token bucket refill rate, requests per second. */
  readonly securityHubRequestsPerSecond: number;
  /** Client-side token bucket size. */
  readonly securityHubBurst: number;
  /** Client-side pacing of the organization walk's List* requests, per second. */
  readonly organizationsRequestsPerSecond: number;
  /** Token bucket size of the walk's pacing. */
  readonly organizationsBurst: number;
  /** Re-drive rounds for unprocessed entries after the first pass. */
  readonly redriveMaxAttempts: number;
  readonly redriveBaseDelayMs: number;
  readonly redriveMaxDelayMs: number;
  /** Time kept back from the Lambda's remaining time to write the report. */
  readonly deadlineMarginSeconds: number;
  /** PENDING older than this is PENDING_STALE. */
  readonly pendingStaleHours: number;
}

/** The Lambda's configuration, read once from the environment. */
export interface AuditConfig extends AuditTuning {
  readonly reportBucket: string;
  /** '' or a prefix ending in '/'. */
  readonly reportPrefix: string;
  readonly organizationsRoleArn?: string;
  /** S3 key, in the report bucket, of the baseline document. */
  readonly baselineKey?: string;
  /** S3 key, in the report bucket, of the exclusions document. */
  readonly exclusionsKey?: string;
  /** SNS topic for the drift-change digest. */
  readonly alertTopicArn?: string;
  readonly digestMaxTargets: number;
  /** Least seconds between two checkpoints of a run's fan-out. */
  readonly checkpointIntervalSeconds: number;
  /** Targets per fan-out slice; a checkpoint can follow any slice. */
  readonly checkpointSliceTargets: number;
}

/**
 * Defaults of the tuning knobs. The Security Hub rate stays below its documented quota
 * for "all other operations" (10 requests/s, burst 30), which the whole account shares
 * with consoles and other tools. Organizations publishes no rate for its List*
 * operations; the walk assumes 10 requests/s with a burst of 10 and keeps half of that
 * burst unused, so the timing jitter of requests sent at the full rate rarely finds the
 * service's bucket empty. The adaptive retry mode retries, and backs off, when
 * Organizations throttles anyway.
 */
export const DEFAULT_TUNING: AuditTuning = {
  batchGroupSize: 50,
  maxConcurrency: 4,
  securityHubRequestsPerSecond: 8,
  securityHubBurst: 10,
  organizationsRequestsPerSecond: 10,
  organizationsBurst: 5,
  redriveMaxAttempts: 5,
  redriveBaseDelayMs: 1000,
  redriveMaxDelayMs: 20000,
  deadlineMarginSeconds: 60,
  pendingStaleHours: 24,
};

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const intVar = (min: number, max: number, fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `expected an integer from ${min} to ${max}` })
      .int({ error: `expected an integer from ${min} to ${max}` })
      .min(min, { error: `expected an integer from ${min} to ${max}` })
      .max(max, { error: `expected an integer from ${min} to ${max}` })
      .default(fallback),
  );

const numberVar = (min: number, max: number, fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `expected a number from ${min} to ${max}` })
      .min(min, { error: `expected a number from ${min} to ${max}` })
      .max(max, { error: `expected a number from ${min} to ${max}` })
      .default(fallback),
  );

const optionalString = (pattern: RegExp, expected: string) =>
  z.preprocess(blankToUndefined, z.string().regex(pattern, { error: expected }).optional());

/** Environment variable → validator. The keys are the variable names users set. */
const tuningEnv = {
  BATCH_GROUP_SIZE: intVar(1, 1000, DEFAULT_TUNING.batchGroupSize),
  MAX_CONCURRENCY: intVar(1, 32, DEFAULT_TUNING.maxConcurrency),
  SECURITYHUB_REQUESTS_PER_SECOND: numberVar(0.1, 100, DEFAULT_TUNING.securityHubRequestsPerSecond),
  SECURITYHUB_BURST: intVar(1, 100, DEFAULT_TUNING.securityHubBurst),
  ORGANIZATIONS_REQUESTS_PER_SECOND: numberVar(0.1, 100, DEFAULT_TUNING.organizationsRequestsPerSecond),
  ORGANIZATIONS_BURST: intVar(1, 100, DEFAULT_TUNING.organizationsBurst),
  REDRIVE_MAX_ATTEMPTS: intVar(0, 20, DEFAULT_TUNING.redriveMaxAttempts),
  REDRIVE_BASE_DELAY_MS: intVar(1, 60_000, DEFAULT_TUNING.redriveBaseDelayMs),
  REDRIVE_MAX_DELAY_MS: intVar(1, 300_000, DEFAULT_TUNING.redriveMaxDelayMs),
  DEADLINE_MARGIN_SECONDS: intVar(0, 600, DEFAULT_TUNING.deadlineMarginSeconds),
  PENDING_STALE_HOURS: numberVar(0.01, 24 * 365, DEFAULT_TUNING.pendingStaleHours),
};

const lambdaEnv = z.object({
  ...tuningEnv,
  REPORT_BUCKET: z.preprocess(
    blankToUndefined,
    z
      .string({ error: 'required: the name of the S3 bucket that receives the reports' })
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'expected an S3 bucket name' }),
  ),
  REPORT_PREFIX: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9!_.*'()/-]*$/, { error: 'expected an S3 key prefix of safe characters' })
      .refine((p) => !p.startsWith('/'), { error: 'must not start with "/"' })
      .default(''),
  ),
  ORGANIZATIONS_ROLE_ARN: optionalString(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'expected an IAM role ARN'),
  BASELINE_KEY: optionalString(/^[^/].*$/, 'expected an S3 key in the report bucket'),
  EXCLUSIONS_KEY: optionalString(/^[^/].*$/, 'expected an S3 key in the report bucket'),
  ALERT_TOPIC_ARN: optionalString(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'expected an SNS topic ARN'),
  DIGEST_MAX_TARGETS: intVar(0, 200, 20),
  CHECKPOINT_INTERVAL_SECONDS: intVar(5, 900, 60),
  CHECKPOINT_SLICE_TARGETS: intVar(50, 100_000, 2_000),
});

/** Every environment variable the Lambda reads (besides the Powertools ones). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(lambdaEnv.shape);

/** Turns zod issues into one message that names each variable and what was expected. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`).join('; ');
}

function toTuning(env: z.infer<z.ZodObject<typeof tuningEnv>>): AuditTuning {
  if (env.REDRIVE_MAX_DELAY_MS < env.REDRIVE_BASE_DELAY_MS) {
    throw new ConfigError('REDRIVE_MAX_DELAY_MS: expected a value not below REDRIVE_BASE_DELAY_MS');
  }
  return {
    batchGroupSize: env.BATCH_GROUP_SIZE,
    maxConcurrency: env.MAX_CONCURRENCY,
    securityHubRequestsPerSecond: env.SECURITYHUB_REQUESTS_PER_SECOND,
    securityHubBurst: env.SECURITYHUB_BURST,
    organizationsRequestsPerSecond: env.ORGANIZATIONS_REQUESTS_PER_SECOND,
    organizationsBurst: env.ORGANIZATIONS_BURST,
    redriveMaxAttempts: env.REDRIVE_MAX_ATTEMPTS,
    redriveBaseDelayMs: env.REDRIVE_BASE_DELAY_MS,
    redriveMaxDelayMs: env.REDRIVE_MAX_DELAY_MS,
    deadlineMarginSeconds: env.DEADLINE_MARGIN_SECONDS,
    pendingStaleHours: env.PENDING_STALE_HOURS,
  };
}

/** Reads the tuning variables alone (the CLI takes the rest from its flags). */
export function loadTuning(env: NodeJS.ProcessEnv): AuditTuning {
  const parsed = z.object(tuningEnv).safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${describeIssues(parsed.error)}`);
  }
  return toTuning(parsed.data);
}

/**
 * Reads and validates the Lambda's environment once. Throws {@link ConfigError}
 * naming every bad variable, so a misconfigured deploy fails at its first invocation
 * with a message that says what to fix.
 */
export function loadConfig(env: NodeJS.ProcessEnv): AuditConfig {
  const parsed = lambdaEnv.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${describeIssues(parsed.error)}`);
  }
  const e = parsed.data;
  return {
    ...toTuning(e),
    reportBucket: e.REPORT_BUCKET,
    reportPrefix: normalizeReportPrefix(e.REPORT_PREFIX),
    organizationsRoleArn: e.ORGANIZATIONS_ROLE_ARN,
    baselineKey: e.BASELINE_KEY,
    exclusionsKey: e.EXCLUSIONS_KEY,
    alertTopicArn: e.ALERT_TOPIC_ARN,
    digestMaxTargets: e.DIGEST_MAX_TARGETS,
    checkpointIntervalSeconds: e.CHECKPOINT_INTERVAL_SECONDS,
    checkpointSliceTargets: e.CHECKPOINT_SLICE_TARGETS,
  };
}
