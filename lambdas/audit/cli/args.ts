import { parseArgs } from 'node:util';
import {
  bucketNameProblem,
  macKeyIdProblem,
  reportPrefixProblem,
  roleArnProblem,
  normalizeReportPrefix,
} from '../input-validators';
import { displaySafe } from '../util/display-text';
import { nearestName } from '../util/nearest-name';
import { UsageError } from '../errors';

/** Longest `--max-minutes`: half a day; a run that needs more is stuck, not slow. */
const MAX_MINUTES = 720;
/** Default of `--max-minutes`: a Lambda's 15 minutes less the margin the report needs, like a deployed round. */
const DEFAULT_MAX_MINUTES = 14;
/** Longest `--list`. */
const MAX_LIST = 10_000;

/** What the CLI prints on stdout: the summary table, or the run as data for a pipe. */
const OUTPUT_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;

/** One of {@link OUTPUT_FORMATS}. */
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Parsed command line of `npm run audit -- …`. */
export interface CliArgs {
  readonly bucket?: string;
  readonly prefix: string;
  readonly outDir?: string;
  readonly baselineFile?: string;
  readonly exclusionsFile?: string;
  readonly organizationsRoleArn?: string;
  /** KMS HMAC key that signs and verifies the audit state; MAC_KEY_ID when absent. */
  readonly macKeyId?: string;
  /** Treat the run as the scheduled run of this time (same run id, overwrites). */
  readonly scheduleTime?: string;
  /** `--rerun`: a `--schedule-time` more than 24 hours old is accepted. */
  readonly rerun: boolean;
  /** Stop re-driving this long after the start. */
  readonly maxMinutes: number;
  readonly listLimit: number;
  readonly format: OutputFormat;
  readonly quiet: boolean;
  readonly help: boolean;
}

/** Shown by `--help`. */
export const USAGE = `Usage: npm run audit -- [options]

Audits Security Hub configuration policy associations across the AWS Organization,
using the standard AWS credential chain and Region (AWS_PROFILE, AWS_REGION, ...).
AWS_ENDPOINT_URL_ORGANIZATIONS / AWS_ENDPOINT_URL_SECURITYHUB / AWS_ENDPOINT_URL_S3
are honoured as the AWS SDK honours them. Tuning comes from the same environment
variables as the Lambda (BATCH_GROUP_SIZE, SECURITYHUB_REQUESTS_PER_SECOND, ...).

Where the report goes (one of):
  --out-dir DIR          write the report files under DIR (same layout as in S3)
  --bucket NAME          write the report to this S3 bucket
  --prefix PREFIX        key prefix in the bucket or directory (default: none)

Desired state:
  --baseline FILE        baseline JSON: target id -> policy id or SELF_MANAGED
  --exclusions FILE      exclusions JSON: target id, reason, expiry date

Other:
  --organizations-role-arn ARN   assume this role for AWS Organizations reads
  --mac-key-id KEY       KMS HMAC key that signs this run and authenticates history
                         (default: MAC_KEY_ID; without one, history is UNTRUSTED)
  --schedule-time ISO    run as the scheduled run of this time (re-runs overwrite it)
  --rerun                accept a --schedule-time more than 24 hours old (judged at the current time)
  --max-minutes N        stop re-driving unprocessed targets after N minutes (default ${DEFAULT_MAX_MINUTES}, at most ${MAX_MINUTES})
  --list N               drifted targets listed in the table (default 20, at most ${MAX_LIST})
  --format FORMAT        stdout as table (default), json (summary and rows), jsonl or csv
                         (one drifted or excluded target per line)
  --json                 same as --format json
  --quiet                no progress on stderr
  -h, --help             this text

Every option is checked before any AWS call.
Exit codes: 0 complete and no drift, 1 drift found, 2 incomplete run or error,
3 bad usage or bad input (an option, a document, the environment).`;

const OPTIONS = {
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  'out-dir': { type: 'string' },
  baseline: { type: 'string' },
  exclusions: { type: 'string' },
  'organizations-role-arn': { type: 'string' },
  'mac-key-id': { type: 'string' },
  'schedule-time': { type: 'string' },
  rerun: { type: 'boolean' },
  'max-minutes': { type: 'string' },
  list: { type: 'string' },
  format: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A value from the command line, quoted, display-safe and short, for a message. */
const shown = (raw: string) => `"${displaySafe(raw, 60)}"`;

/** Checks a value with a validator that returns a problem or undefined. */
function check(flag: string, raw: string | undefined, problemOf: (value: string) => string | undefined): void {
  if (raw === undefined) return;
  const problem = problemOf(raw);
  if (problem !== undefined) throw new UsageError(`${flag}: ${problem}, got ${shown(raw)}`);
}

/** A plain decimal (digits, optional fraction) in (0, max]: no hex, exponent, sign or Infinity. */
function plainNumber(flag: string, raw: string, max: number, integer: boolean): number {
  const pattern = integer ? /^\d{1,6}$/ : /^\d{1,6}(\.\d{1,6})?$/;
  const value = Number(raw);
  const min = integer ? 0 : Number.MIN_VALUE;
  if (!pattern.test(raw) || value < min || value > max) {
    const what = integer ? `a whole number from 0 to ${max}` : `a positive decimal number up to ${max}`;
    throw new UsageError(`${flag}: expected ${what}, got ${shown(raw)}`);
  }
  return value;
}

function nonEmpty(value: string): string | undefined {
  return value.trim() === '' ? 'expected a non-empty value' : undefined;
}

/** `--format`, with `--json` as its older spelling; both at once only if they agree. */
function outputFormat(format: string | undefined, json: boolean | undefined): OutputFormat {
  if (format !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format: expected one of ${OUTPUT_FORMATS.join(', ')}, got ${shown(format)}`);
  }
  if (json === true && format !== undefined && format !== 'json') {
    throw new UsageError(`--json is --format json; it contradicts --format ${format}`);
  }
  return json === true ? 'json' : ((format as OutputFormat | undefined) ?? 'table');
}

/**
 * The parse error for an option this CLI does not have, naming the nearest one it does
 * have. Undefined when every option is known (the error was about something else).
 */
function unknownOptionError(argv: readonly string[]): UsageError | undefined {
  const { tokens } = parseArgs({ args: [...argv], strict: false, tokens: true, options: OPTIONS });
  const unknown = tokens.find((t) => t.kind === 'option' && !(t.name in OPTIONS));
  if (unknown?.kind !== 'option') return undefined;
  const nearest = nearestName(unknown.name, Object.keys(OPTIONS));
  const hint = nearest === undefined ? '' : `; did you mean --${nearest}?`;
  return new UsageError(`Unknown option ${shown(unknown.rawName)}${hint}`);
}

/** Every option at most once: parseArgs would silently keep the last. */
function rejectRepeats(tokens: readonly { kind: string; name?: string }[]): void {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name}: given more than once`);
    seen.add(token.name);
  }
}

/**
 * Parses argv (without node and script) and checks every value that needs no file
 * system or clock, with the validators the Lambda's configuration uses.
 * Throws {@link UsageError}.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], strict: true, allowPositionals: false, tokens: true, options: OPTIONS });
  } catch (error) {
    throw unknownOptionError(argv) ?? new UsageError(displaySafe((error as Error).message, 300), { cause: error });
  }
  rejectRepeats(parsed.tokens);
  const values = parsed.values;
  const args: CliArgs = {
    bucket: values.bucket,
    prefix: values.prefix ?? '',
    outDir: values['out-dir'],
    baselineFile: values.baseline,
    exclusionsFile: values.exclusions,
    organizationsRoleArn: values['organizations-role-arn'],
    macKeyId: values['mac-key-id'],
    scheduleTime: values['schedule-time'],
    rerun: values.rerun ?? false,
    maxMinutes: plainNumber('--max-minutes', values['max-minutes'] ?? String(DEFAULT_MAX_MINUTES), MAX_MINUTES, false),
    listLimit: plainNumber('--list', values.list ?? '20', MAX_LIST, true),
    format: outputFormat(values.format, values.json),
    quiet: values.quiet ?? false,
    help: values.help ?? false,
  };
  if (args.help) return args;
  if ((args.bucket === undefined) === (args.outDir === undefined)) {
    throw new UsageError('Give exactly one of --bucket NAME or --out-dir DIR');
  }
  check('--bucket', args.bucket, bucketNameProblem);
  check('--prefix', args.prefix, reportPrefixProblem);
  check('--out-dir', args.outDir, nonEmpty);
  check('--baseline', args.baselineFile, nonEmpty);
  check('--exclusions', args.exclusionsFile, nonEmpty);
  check('--organizations-role-arn', args.organizationsRoleArn, roleArnProblem);
  if (args.rerun && args.scheduleTime === undefined) throw new UsageError('--rerun: needs --schedule-time');
  check('--mac-key-id', args.macKeyId, macKeyIdProblem);
  check('--schedule-time', args.scheduleTime, (v) => (v.length > 64 ? 'expected an ISO 8601 date-time' : undefined));
  return { ...args, prefix: normalizeReportPrefix(args.prefix) };
}
