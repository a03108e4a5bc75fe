import { parseArgs } from 'node:util';

/** The command line is wrong; the message says how. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parsed command line of `npm run audit -- …`. */
export interface CliArgs {
  readonly bucket?: string;
  readonly prefix: string;
  readonly outDir?: string;
  readonly baselineFile?: string;
  readonly exclusionsFile?: string;
  readonly organizationsRoleArn?: string;
  /** Treat the run as the scheduled run of this time (same run id, overwrites). */
  readonly scheduleTime?: string;
  /** Stop re-driving this long after the start. */
  readonly maxMinutes: number;
  readonly listLimit: number;
  readonly json: boolean;
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
  --schedule-time ISO    run as the scheduled run of this time (re-runs overwrite it)
  --max-minutes N        stop re-driving unprocessed targets after N minutes (default 14)
  --list N               drifted targets listed in the summary (default 20)
  --json                 print the run summary as JSON instead of a table
  --quiet                no progress on stderr
  -h, --help             this text

Exit codes: 0 complete and no drift, 1 drift found, 2 incomplete run or error.`;

/** Parses argv (without node and script). Throws {@link UsageError}. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        bucket: { type: 'string' },
        prefix: { type: 'string', default: '' },
        'out-dir': { type: 'string' },
        baseline: { type: 'string' },
        exclusions: { type: 'string' },
        'organizations-role-arn': { type: 'string' },
        'schedule-time': { type: 'string' },
        'max-minutes': { type: 'string', default: '14' },
        list: { type: 'string', default: '20' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const args: CliArgs = {
    bucket: values.bucket,
    prefix: values.prefix ?? '',
    outDir: values['out-dir'],
    baselineFile: values.baseline,
    exclusionsFile: values.exclusions,
    organizationsRoleArn: values['organizations-role-arn'],
    scheduleTime: values['schedule-time'],
    maxMinutes: positiveNumber('--max-minutes', values['max-minutes'] ?? '14'),
    listLimit: Math.floor(positiveNumber('--list', values.list ?? '20', true)),
    json: values.json ?? false,
    quiet: values.quiet ?? false,
    help: values.help ?? false,
  };
  if (!args.help && (args.bucket === undefined) === (args.outDir === undefined)) {
    throw new UsageError('Give exactly one of --bucket NAME or --out-dir DIR');
  }
  return args;
}

function positiveNumber(flag: string, raw: string, allowZero = false): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new UsageError(`${flag}: expected a ${allowZero ? 'non-negative' : 'positive'} number, got "${raw}"`);
  }
  return value;
}
