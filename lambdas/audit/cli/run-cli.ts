import { createAwsClients, type AwsClients } from '../aws/clients';
import { liveDeps } from '../core/live-deps';
import { runAudit } from '../core/run-audit';
import { errorKindOf, isAccessError } from '../errors';
import type { Clock, Sleep } from '../model';
import { DirReportStore } from '../store/dir-report-store';
import { S3ReportStore } from '../store/s3-report-store';
import type { RunSummary } from '../report/summary';
import { displaySafe } from '../util/display-text';
import { systemClock, systemSleep } from '../util/system-clock';
import { parseCliArgs, USAGE, type CliArgs } from './args';
import { checkInputs } from './cli-inputs';
import { createProgressReporter } from './progress-reporter';
import { formatSummary, jsonForTerminal } from './summary-table';

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

/** What the CLI prints for a failed run, and its exit code. */
function failure(error: unknown): { message: string; exitCode: number } {
  const kind = errorKindOf(error);
  if (kind === 'BAD_INPUT') {
    // Our BAD_INPUT messages say all there is to fix; their causes (ENOENT, a SyntaxError) repeat it.
    const message = error instanceof Error ? error.message : String(error);
    return { message: `error: ${displaySafe(message, 5000)}`, exitCode: EXIT.badInput };
  }
  const denied = kind === 'PERMISSION' || isAccessError(error);
  if (denied) {
    return {
      message:
        `error: permission denied: ${describeError(error)}\n` +
        'The credentials in use (AWS_PROFILE, SSO, --organizations-role-arn) lack a permission the audit needs, ' +
        'or this is not the Security Hub delegated administrator account and home Region; see "Least privilege" in README.md.',
      exitCode: EXIT.incompleteOrError,
    };
  }
  return { message: `error: ${describeError(error)}`, exitCode: EXIT.incompleteOrError };
}

async function audit(args: CliArgs, env: NodeJS.ProcessEnv, io: CliIo, overrides: CliOverrides): Promise<CliResult> {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? Math.random;
  // Every check before the first client exists: a bad option never costs an API call.
  const { tuning, outDir, baseline, exclusions } = await checkInputs(args, env, clock.now(), random);
  const clients = overrides.clients ?? createAwsClients({ organizationsRoleArn: args.organizationsRoleArn });
  const prefix = args.prefix;
  const store = outDir !== undefined ? new DirReportStore(outDir) : new S3ReportStore(clients.s3, args.bucket!);
  try {
    const outcome = await runAudit(
      {
        ...liveDeps(clients),
        store,
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
    const location = `${store.describe()}/${outcome.report.associationsKey}`;
    const htmlReport = `${store.describe()}/${outcome.report.htmlKey}`;
    io.stdout(
      args.json
        ? jsonForTerminal(summary)
        : `${formatSummary(summary, outcome.rows, { listLimit: args.listLimit, location })}\nHTML report: ${displaySafe(htmlReport, 1000)}`,
    );
    const exitCode =
      summary.run_status !== 'COMPLETE' ? EXIT.incompleteOrError : summary.drifted > 0 ? EXIT.drift : EXIT.ok;
    return { exitCode, summary, htmlReport };
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
