import { createAwsClients, type AwsClients } from '../aws/clients';
import { UNSIGNED } from '../store/object-mac';
import { KmsObjectMac } from '../aws/kms-mac';
import { liveDeps } from '../core/live-deps';
import { runAudit } from '../core/run-audit';
import { errorKindOf, isAccessError, isCredentialsError, isMissingRegionError } from '../errors';
import type { Clock, Sleep } from '../model';
import { DirReportStore } from '../store/dir-report-store';
import { S3ReportStore } from '../store/s3-report-store';
import type { RunSummary } from '../report/summary';
import { displaySafe } from '../util/display-text';
import { systemClock, systemSleep } from '../util/system-clock';
import { parseCliArgs, USAGE, type CliArgs } from './args';
import { checkInputs } from './cli-inputs';
import { createProgressReporter } from './progress-reporter';
import { formatCsv, formatJson, formatJsonl, type ReportLocations } from './data-output';
import { flaggedRows } from './flagged-rows';
import { formatSummary } from './summary-table';
import type { AssociationRow } from '../report/rows';

/**
 * Exit codes of the CLI.
 * @internal Exported for its tests.
 */
export const EXIT = { ok: 0, drift: 1, incompleteOrError: 2, badInput: 3 } as const;

/** Where the CLI prints. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** How a CLI run ended. `summary` is present whenever the audit itself ran to its report. */
export interface CliResult {
  readonly exitCode: number;
  readonly summary?: RunSummary;
  /** Where the run's HTML report was written (`s3://…` or a file path), with `summary`. */
  readonly htmlReport?: string;
}

/** Test seams; production uses the defaults. */
export interface CliOverrides {
  readonly clients?: AwsClients;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

/** The error and its causes, outermost first (at most four). */
function chain(error: unknown): unknown[] {
  const errors: unknown[] = [];
  for (let e: unknown = error; e !== undefined && errors.length < 4; e = e instanceof Error ? e.cause : undefined) {
    errors.push(e);
  }
  return errors;
}

/** One display-safe line: each message of the cause chain, bounded. */
function describeError(error: unknown): string {
  return chain(error)
    .map((e) => displaySafe(e instanceof Error ? e.message : String(e), 500))
    .join(': caused by: ');
}

/**
 * The set-up problems a first run meets, each with its own message and fix. The first that
 * applies wins: a credentials error is also an access error, so it is tested before it.
 */
const SETUP_PROBLEMS = [
  {
    applies: isMissingRegionError,
    title: 'no AWS Region',
    fix:
      'Set AWS_REGION to the Security Hub home Region (for example `export AWS_REGION=eu-west-1`), ' +
      'or set `region` in the config of the AWS_PROFILE in use.',
  },
  {
    applies: isCredentialsError,
    title: 'no usable AWS credentials',
    fix:
      'Sign in (`aws sso login --profile NAME`, then `export AWS_PROFILE=NAME`) or export AWS_ACCESS_KEY_ID, ' +
      'AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN); `aws sts get-caller-identity` shows what the chain finds.',
  },
  {
    applies: (error: unknown) => errorKindOf(error) === 'PERMISSION' || isAccessError(error),
    title: 'permission denied',
    fix:
      'The credentials in use (AWS_PROFILE, SSO, --organizations-role-arn) lack a permission the audit needs, ' +
      'or this is not the Security Hub delegated administrator account and home Region; see "Least privilege" in README.md.',
  },
] as const;

/** What the CLI prints for a failed run, and its exit code. */
function failure(error: unknown): { message: string; exitCode: number } {
  if (errorKindOf(error) === 'BAD_INPUT') {
    // Our BAD_INPUT messages say all there is to fix; their causes (ENOENT, a SyntaxError) repeat it.
    const message = error instanceof Error ? error.message : String(error);
    return { message: `error: ${displaySafe(message, 5000)}`, exitCode: EXIT.badInput };
  }
  const problem = SETUP_PROBLEMS.find((p) => p.applies(error));
  const message =
    problem === undefined
      ? `error: ${describeError(error)}`
      : `error: ${problem.title}: ${describeError(error)}\n${problem.fix}`;
  return { message, exitCode: EXIT.incompleteOrError };
}

/** What stdout gets for `--format`: the human table, or the summary and the flagged rows as data. */
function output(args: CliArgs, summary: RunSummary, report: ReportLocations, rows: readonly AssociationRow[]): string {
  switch (args.format) {
    case 'table':
      return (
        formatSummary(summary, rows, { listLimit: args.listLimit, location: report.associations }) +
        `\nHTML report: ${displaySafe(report.html, 1000)}`
      );
    case 'json':
      return formatJson(summary, report, flaggedRows(rows));
    case 'jsonl':
      return formatJsonl(flaggedRows(rows));
    case 'csv':
      return formatCsv(flaggedRows(rows));
  }
}

async function audit(args: CliArgs, env: NodeJS.ProcessEnv, io: CliIo, overrides: CliOverrides): Promise<CliResult> {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? Math.random;
  // Every check before the first client exists: a bad option never costs an API call.
  const { tuning, outDir, baseline, exclusions, macKeyId } = await checkInputs(args, env, clock.now(), random);
  const clients = overrides.clients ?? createAwsClients({ organizationsRoleArn: args.organizationsRoleArn });
  const prefix = args.prefix;

  const store = outDir !== undefined ? new DirReportStore(outDir) : new S3ReportStore(clients.s3, args.bucket!);
  try {
    const outcome = await runAudit(
      {
        ...liveDeps(clients),
        store,
        mac: macKeyId === undefined ? UNSIGNED : new KmsObjectMac(clients.kms, macKeyId),
        clock,
        sleep: overrides.sleep ?? systemSleep,
        random,
        onProgress: args.quiet ? undefined : createProgressReporter(io.stderr, () => clock.now()),
      },
      {
        tuning,
        reportPrefix: prefix,
        scheduledTime: args.scheduleTime,
        rerun: args.rerun,
        deadline: clock.now() + args.maxMinutes * 60_000,
        baseline,
        exclusions,
      },
    );
    const { summary } = outcome;
    const report = {
      associations: `${store.describe()}/${outcome.report.associationsKey}`,
      html: `${store.describe()}/${outcome.report.htmlKey}`,
    };
    const printed = output(args, summary, report, outcome.rows);
    // An empty jsonl is no output at all, not an empty line.
    if (printed !== '') io.stdout(printed);
    if (macKeyId === undefined && !args.quiet) {
      io.stderr(
        'warning: no MAC key (--mac-key-id or MAC_KEY_ID): history was unverified and treated as UNTRUSTED, ' +
          'and this run was written unsigned',
      );
    }
    const exitCode =
      summary.run_status !== 'COMPLETE' ? EXIT.incompleteOrError : summary.drifted > 0 ? EXIT.drift : EXIT.ok;
    return { exitCode, summary, htmlReport: report.html };
  } finally {
    if (overrides.clients === undefined) {
      clients.destroy();
    }
  }
}

/**
 * The CLI: the same audit core as the Lambda, against whatever the standard AWS
 * chain points at. Returns the exit code instead of exiting, so tests and the demo
 * can call it in-process.
 */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
  overrides: CliOverrides = {},
): Promise<CliResult> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    io.stderr(`${failure(error).message}\n\n${USAGE}`);
    return { exitCode: EXIT.badInput };
  }
  if (args.help) {
    io.stdout(USAGE);
    return { exitCode: EXIT.ok };
  }
  try {
    return await audit(args, env, io, overrides);
  } catch (error) {
    const { message, exitCode } = failure(error);
    io.stderr(message);
    return { exitCode };
  }
}
