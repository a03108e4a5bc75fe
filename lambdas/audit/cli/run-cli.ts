import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadTuning } from '../config';
import { normalizeReportPrefix } from '../report/report-store';
import { createAwsClients, type AwsClients } from '../aws/clients';
import { liveDeps } from '../core/live-deps';
import { runAudit, type SourceDocument } from '../core/run-audit';
import type { Clock, Sleep } from '../model';
import { DirReportStore } from '../report/dir-report-store';
import { S3ReportStore } from '../report/s3-report-store';
import { systemClock, systemSleep } from '../util/system-clock';
import { parseCliArgs, USAGE, UsageError, type CliArgs } from './args';
import { createProgressReporter } from './progress-reporter';
import { formatSummary } from './summary-table';
import type { RunSummary } from '../report/summary';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, drift: 1, incompleteOrError: 2 } as const;

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

async function readDocument(path: string | undefined, flag: string): Promise<SourceDocument | undefined> {
  if (path === undefined) {
    return undefined;
  }
  const absolute = resolve(path);
  try {
    return { text: await readFile(absolute, 'utf8'), source: path };
  } catch (error) {
    throw new UsageError(
      `${flag} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) {
    parts.push(e.message);
  }
  return parts.length > 0 ? parts.join(': caused by: ') : String(error);
}

async function audit(args: CliArgs, env: NodeJS.ProcessEnv, io: CliIo, overrides: CliOverrides): Promise<CliResult> {
  const tuning = loadTuning(env);
  const [baseline, exclusions] = await Promise.all([
    readDocument(args.baselineFile, '--baseline'),
    readDocument(args.exclusionsFile, '--exclusions'),
  ]);
  const clients = overrides.clients ?? createAwsClients({ organizationsRoleArn: args.organizationsRoleArn });
  const clock = overrides.clock ?? systemClock;
  const prefix = normalizeReportPrefix(args.prefix);
  const store =
    args.outDir !== undefined ? new DirReportStore(resolve(args.outDir)) : new S3ReportStore(clients.s3, args.bucket!);
  try {
    const outcome = await runAudit(
      {
        ...liveDeps(clients),
        store,
        clock,
        sleep: overrides.sleep ?? systemSleep,
        random: overrides.random ?? Math.random,
        onProgress: args.quiet ? undefined : createProgressReporter(io.stderr, () => clock.now()),
      },
      {
        tuning,
        reportPrefix: prefix,
        scheduledTime: args.scheduleTime,
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
        ? JSON.stringify(summary)
        : `${formatSummary(summary, outcome.rows, { listLimit: args.listLimit, location })}\nHTML report: ${htmlReport}`,
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
    io.stderr(`error: ${(error as Error).message}\n\n${USAGE}`);
    return { exitCode: EXIT.incompleteOrError };
  }
  if (args.help) {
    io.stdout(USAGE);
    return { exitCode: EXIT.ok };
  }
  try {
    return await audit(args, env, io, overrides);
  } catch (error) {
    io.stderr(`error: ${describeError(error)}`);
    return { exitCode: EXIT.incompleteOrError };
  }
}
