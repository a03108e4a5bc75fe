/**
 * `npm run bench`: how long and how much memory one audit of a large organization takes.
 *
 * The emulator (Organizations + Security Hub, 127.0.0.1 only) runs in a child process with
 * Security Hub's documented quota (10 requests/s, burst 30). This process runs the real
 * audit core (`runAudit`) with the production clients (`createAwsClients`, routed to the
 * emulator by the standard AWS_ENDPOINT_URL_* variables), real time and a temporary
 * directory report store. So the memory figures are the audit's alone, as in the Lambda.
 *
 * Scenarios: `--runs` nightly runs with the default tuning (group size 50, 8 requests/s;
 * runs after the first compare against the previous one, as in production), then one run
 * with group size 100 (skip with `--no-group-100`).
 *
 * Prints ONE JSON object on stdout; progress goes to stderr. Not a test: the budget is
 * reported as `pass`, never asserted in jest (timings depend on the machine).
 *
 * Options: --accounts (10000) --ous (1000) --depth (5) --runs (1) --seed (bench)
 *          --latency-ms (0, added to every emulated response) --no-group-100
 *          --max-total-ms (60000) --max-rss-mb (512)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAwsClients, type AwsClients } from '../../lambdas/audit/aws/clients';
import { DEFAULT_TUNING } from '../../lambdas/audit/config';
import { runAudit } from '../../lambdas/audit/core/run-audit';
import { createProgressReporter } from '../../lambdas/audit/cli/progress-reporter';
import { DirReportStore } from '../../lambdas/audit/report/dir-report-store';
import { liveDeps } from '../../lambdas/audit/core/live-deps';
import { emulatorEnvironment, type EmulatorFaults, type EmulatorStats } from '../emulator';
import { ORGANIZATIONS_OPERATIONS } from '../emulator/organizations-api';
import type { BenchEmulatorOptions, BenchEmulatorReply, BenchEmulatorRequest } from './bench-emulator';

/** Security Hub's documented quota for "all other operations": 10 requests/s, burst 30. */
const SECURITY_HUB_QUOTA = { ratePerSecond: 10, burst: 30 } as const;

interface BenchArgs {
  readonly accounts: number;
  readonly ous: number;
  readonly depth: number;
  readonly runs: number;
  readonly seed: string;
  readonly latencyMs: number;
  readonly group100: boolean;
  readonly maxTotalMs: number;
  readonly maxRssMb: number;
}

function readArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      accounts: { type: 'string', default: '10000' },
      ous: { type: 'string', default: '1000' },
      depth: { type: 'string', default: '5' },
      runs: { type: 'string', default: '1' },
      seed: { type: 'string', default: 'bench' },
      'latency-ms': { type: 'string', default: '0' },
      'no-group-100': { type: 'boolean', default: false },
      'max-total-ms': { type: 'string', default: '60000' },
      'max-rss-mb': { type: 'string', default: '512' },
    },
  });
  const int = (flag: string, raw: string | undefined, min: number): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${flag}: expected an integer >= ${min}, got ${JSON.stringify(raw)}`);
    return value;
  };
  return {
    accounts: int('accounts', values.accounts, 1),
    ous: int('ous', values.ous, 0),
    depth: int('depth', values.depth, 0),
    runs: int('runs', values.runs, 1),
    seed: values.seed ?? 'bench',
    latencyMs: int('latency-ms', values['latency-ms'], 0),
    group100: !(values['no-group-100'] ?? false),
    maxTotalMs: int('max-total-ms', values['max-total-ms'], 1),
    maxRssMb: int('max-rss-mb', values['max-rss-mb'], 1),
  };
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** The emulator child process, with request/reply over IPC (answers come in order). */
class EmulatorProcess {
  private readonly waiting: Array<(reply: BenchEmulatorReply) => void> = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly ready: Extract<BenchEmulatorReply, { type: 'ready' }>,
  ) {
    child.on('message', (reply: BenchEmulatorReply) => this.waiting.shift()?.(reply));
  }

  static start(options: BenchEmulatorOptions): Promise<EmulatorProcess> {
    // `--import tsx` so the child runs the TypeScript sources like this process does.
    const child = fork(join(__dirname, 'bench-emulator.ts'), [JSON.stringify(options)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`emulator process exited with code ${code} before it was ready`)));
      child.once('message', (reply: BenchEmulatorReply) => {
        child.removeAllListeners('exit');
        if (reply.type === 'ready') resolve(new EmulatorProcess(child, reply));
        else reject(new Error(`emulator process failed: ${reply.type === 'error' ? reply.message : reply.type}`));
      });
    });
  }

  private request(message: BenchEmulatorRequest): Promise<BenchEmulatorReply> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.send(message);
    });
  }

  async stats(): Promise<EmulatorStats> {
    const reply = await this.request({ type: 'stats' });
    if (reply.type !== 'stats') throw new Error(`expected stats, got ${reply.type}`);
    return reply.stats;
  }

  async reset(): Promise<void> {
    await this.request({ type: 'reset' });
  }

  async close(): Promise<void> {
    if (!this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.request({ type: 'close' });
    await exited;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** Peak RSS and heap while a run is going, sampled between event-loop turns. */
function startMemorySampler(intervalMs = 20) {
  let rss = 0;
  let heapUsed = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    rss = Math.max(rss, usage.rss);
    heapUsed = Math.max(heapUsed, usage.heapUsed);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { rss, heapUsed };
    },
  };
}

interface RunResult {
  readonly scenario: string;
  readonly run: number;
  readonly groupSize: number;
  readonly requestsPerSecond: number;
  readonly runStatus: string;
  readonly targetsReported: number;
  readonly drifted: number;
  readonly comparedWithPrevious: boolean;
  readonly walkMs: number;
  /** From the end of the walk to the start of writing: fan-out, drift rules, history. */
  readonly fetchMs: number;
  readonly writeMs: number;
  readonly totalMs: number;
  readonly securityHubCalls: number;
  readonly organizationsCalls: number;
  readonly throttled: number;
  readonly redriveRounds: number;
  /** The gz associations object plus the run object (the dated pair; latest/ repeats them). */
  readonly reportBytes: number;
  readonly rowsPerSecond: number;
  /** Sampled peak RSS during the run. */
  readonly rssSampledPeakMb: number;
  /** The process's RSS high-water mark (getrusage) at the end of the run: startup included. */
  readonly maxRssMb: number;
  readonly heapUsedMb: number;
}

async function auditOnce(
  scenario: string,
  run: number,
  groupSize: number,
  dir: string,
  scheduledTime: string,
  emulator: EmulatorProcess,
  clients: AwsClients,
): Promise<RunResult> {
  await emulator.reset();
  const tuning = { ...DEFAULT_TUNING, batchGroupSize: groupSize };
  const store = new DirReportStore(dir);
  const progress = createProgressReporter((line) => log(`  [${scenario} #${run}] ${line}`), () => Date.now(), 5000);
  let walkedAt = 0;
  let writeAt = 0;
  const sampler = startMemorySampler();
  const started = performance.now();
  const outcome = await runAudit(
    {
      ...liveDeps(clients),
      store,
      logger: {
        info: (message) => {
          if (message === 'Organization walked') walkedAt = performance.now();
        },
        warn: (message) => log(`  [${scenario} #${run}] warning: ${message}`),
      },
      onProgress: (event) => {
        if (event.phase === 'write' && writeAt === 0) writeAt = performance.now();
        progress(event);
      },
    },
    { tuning, reportPrefix: '', scheduledTime, deadline: Date.now() + 14 * 60_000 },
  );
  const ended = performance.now();
  const memory = sampler.stop();
  const stats = await emulator.stats();
  const { summary } = outcome;
  const reportBytes = (await stat(join(dir, outcome.report.associationsKey))).size + (await stat(join(dir, outcome.report.runKey))).size;
  const totalMs = Math.round(ended - started);
  return {
    scenario,
    run,
    groupSize,
    requestsPerSecond: tuning.securityHubRequestsPerSecond,
    runStatus: summary.run_status,
    targetsReported: summary.targets_reported,
    drifted: summary.drifted,
    comparedWithPrevious: summary.previous_run_id !== null,
    walkMs: Math.round(walkedAt - started),
    fetchMs: Math.round(writeAt - walkedAt),
    writeMs: Math.round(ended - writeAt),
    totalMs,
    securityHubCalls: stats.requests.BatchGetConfigurationPolicyAssociations ?? 0,
    organizationsCalls: ORGANIZATIONS_OPERATIONS.reduce((sum, op) => sum + (stats.requests[op] ?? 0), 0),
    throttled: stats.totalThrottles,
    redriveRounds: summary.redrive_attempts,
    reportBytes,
    rowsPerSecond: Math.round(summary.targets_reported / (totalMs / 1000)),
    rssSampledPeakMb: mb(memory.rss),
    maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
    heapUsedMb: mb(memory.heapUsed),
  };
}

/** Scheduled time of night `n` (1-based), so each run has its own id and sorts after the last. */
const night = (n: number): string => new Date(Date.UTC(2026, 10, 25 + n, 2, 0, 0)).toISOString().replace('.000Z', 'Z');

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2));
  const faults: EmulatorFaults = {
    organizations: { latencyMs: args.latencyMs },
    securityHub: { quota: SECURITY_HUB_QUOTA, latencyMs: args.latencyMs },
  };
  log(`starting the emulator: ${args.accounts} accounts, ${args.ous} OUs, depth ${args.depth} ...`);
  const emulator = await EmulatorProcess.start({
    org: {
      seed: args.seed,
      accounts: args.accounts,
      ous: args.ous,
      maxDepth: args.ous === 0 ? 0 : args.depth,
      now: Date.now(),
      // A little of every definite drift kind, so the drift rules and history do real work;
      // none that leaves a target without a status (the run stays COMPLETE).
      anomalies: { failed: 20, stalePending: 10, freshPending: 10, inheritanceMismatch: 10 },
    },
    faults,
  });
  const workDir = await mkdtemp(join(tmpdir(), 'audit-bench-'));
  const previousEnv = { ...process.env };
  let clients: AwsClients | undefined;
  try {
    const { ready } = emulator;
    const targets = ready.accounts + ready.ous + ready.roots;
    log(`emulator at ${ready.endpoint} (generated in ${ready.generateMs} ms): ${targets} targets`);
    // Route the production clients exactly as a user would: the standard SDK variables.
    Object.assign(process.env, emulatorEnvironment({ endpoint: ready.endpoint }));
    delete process.env.AWS_PROFILE;
    clients = createAwsClients();

    const results: RunResult[] = [];
    const nightlyDir = join(workDir, 'nightly');
    for (let run = 1; run <= args.runs; run += 1) {
      log(`run ${run}/${args.runs}: group size ${DEFAULT_TUNING.batchGroupSize}, ${DEFAULT_TUNING.securityHubRequestsPerSecond} requests/s`);
      results.push(await auditOnce('default', run, DEFAULT_TUNING.batchGroupSize, nightlyDir, night(run), emulator, clients));
      log(`  done in ${results.at(-1)!.totalMs} ms`);
    }
    if (args.group100) {
      log('group size 100 (fresh report directory)');
      results.push(await auditOnce('groupSize100', 1, 100, join(workDir, 'group-100'), night(1), emulator, clients));
      log(`  done in ${results.at(-1)!.totalMs} ms`);
    }

    const first = results[0]!;
    const rssPeakMb = Math.max(...results.map((r) => Math.max(r.maxRssMb, r.rssSampledPeakMb)));
    const heapUsedMb = Math.max(...results.map((r) => r.heapUsedMb));
    const budget = { maxTotalMs: args.maxTotalMs, maxRssMb: args.maxRssMb };
    const failures = results.flatMap((r) => [
      ...(r.totalMs > budget.maxTotalMs ? [`${r.scenario} #${r.run}: ${r.totalMs} ms > ${budget.maxTotalMs} ms`] : []),
      ...(r.runStatus !== 'COMPLETE' ? [`${r.scenario} #${r.run}: run ${r.runStatus}`] : []),
      ...(r.targetsReported !== targets ? [`${r.scenario} #${r.run}: ${r.targetsReported} of ${targets} targets reported`] : []),
    ]);
    if (rssPeakMb > budget.maxRssMb) failures.push(`peak RSS ${rssPeakMb} MB > ${budget.maxRssMb} MB`);

    const report = {
      accounts: ready.accounts,
      ous: ready.ous,
      targets,
      securityHubQuota: SECURITY_HUB_QUOTA,
      latencyMs: args.latencyMs,
      // Headline figures: the first nightly run with the default tuning.
      walkMs: first.walkMs,
      totalMs: first.totalMs,
      securityHubCalls: first.securityHubCalls,
      organizationsCalls: first.organizationsCalls,
      throttled: first.throttled,
      reportBytes: first.reportBytes,
      rowsPerSecond: first.rowsPerSecond,
      // Over every run of this process (the emulator's memory is in its own process).
      rssPeakMb,
      heapUsedMb,
      node: process.version,
      budget,
      pass: failures.length === 0,
      failures,
      runs: results,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.exitCode = report.pass ? 0 : 1;
  } finally {
    clients?.destroy();
    process.env = previousEnv;
    await emulator.close().catch(() => emulator.kill());
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 2;
});
