/**
 * `npm run bench`: how close one audit of a large organization comes to the API-quota
 * floor, how much memory it takes, a naive baseline for comparison, and the Lambda
 * bundle's size and load time. Not a test: nothing is asserted, the figures and the
 * pass/fail flags of issue 4's targets are printed.
 *
 * Each scenario runs in a fresh child process (run-scenario.ts), so its peak RSS is its
 * own. In there the real audit core (`runAudit`, the production SDK clients routed by
 * AWS_ENDPOINT_URL_*, a temporary directory report store, real time) audits an emulated
 * organization served by yet another process (bench-emulator.ts, 127.0.0.1 only) that
 * enforces the quotas of quotas.ts and injects the faults of scenarios.ts: 2 % of
 * batch-get entries unprocessed for 1-3 calls, 0.5 % transient 5xx on both services.
 * The audit's limiters run at the whole quota rate (the floor's assumption) with half its
 * burst, which leaves the service's bucket room for jitter.
 *
 * Options:
 *   --scenario NAME   run only these (repeatable): 1k, naive, 10k, 50k, 50k-stress,
 *                     continuation, detection, bundle. Default: 1k, naive, 10k, continuation,
 *                     detection, bundle.
 *   --largest         adds 50k: the largest organization the Organizations quotas allow
 *                     (50,000 accounts in 2,000 OUs, five deep; about 4,500 pages, some
 *                     8 minutes at 10 requests/s).
 *   --all             1k, naive, 10k, 50k, continuation, detection, bundle. 50k-stress (10,000 OUs,
 *                     beyond the quotas: a stress test of continuation) only when named.
 *   --naive-limit N   ListParents and batch-get calls of the naive baseline, each
 *                     (default 500); beyond that its figures are extrapolated and the
 *                     line says `capped: true`. The whole baseline on 1,000 accounts
 *                     would take about 4 minutes.
 *
 * Output (stdout, one JSON object per line, no pretty printing; progress on stderr):
 *   - per scenario ('1k', '10k', '50k'): organization size, wall/walk/fetch/write seconds,
 *     floor_seconds (max of the two services; floor_seconds_sum too) with each service's
 *     minimum calls, ratio = wall/floor, calls per operation vs minimum,
 *     calls_ratio_securityhub, throttles seen by the client, throttling_failed_targets,
 *     redrive_attempts, run_status, peak_rss_mb (getrusage maxRSS of the audit process),
 *     heap_used_mb, report_bytes, quotas, tuning, and `targets_met`.
 *   - 'naive-1k': the naive baseline's wall time (measured and extrapolated), calls,
 *     throttles and targets without an answer; see naive-audit.ts.
 *   - 'detection': a 10,000-account nightly run with a stream of changes and the event-driven
 *     re-checks beside it: latency from each change (and from its association settling) to the
 *     re-check that reported it, calls per service, and the nightly ratio against it alone;
 *     see detection-scenario.ts.
 *   - 'bundle': bundle_bytes and module_load_ms; see bundle-size.ts.
 *   - 'summary' last: memory per scenario, whether it grows linearly (memory.ts), and
 *     every target flag gathered.
 * Exit code 1 when a scenario failed to run; missed targets do not change it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { memoryGrowth, type MemoryPoint } from './memory';

const ALL_STEPS = ['1k', 'naive', '10k', '50k', '50k-stress', 'continuation', 'detection', 'bundle'] as const;
type Step = (typeof ALL_STEPS)[number];
const DEFAULT_STEPS: readonly Step[] = ['1k', 'naive', '10k', 'continuation', 'detection', 'bundle'];
/** `--all`: everything but the beyond-quota stress test, which runs only when named. */
const EVERY_REALISTIC_STEP: readonly Step[] = ALL_STEPS.filter((s) => s !== '50k-stress');

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const print = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

function readArgs(argv: readonly string[]): { steps: readonly Step[]; naiveLimit: number } {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      scenario: { type: 'string', multiple: true },
      all: { type: 'boolean', default: false },
      largest: { type: 'boolean', default: false },
      'naive-limit': { type: 'string', default: '500' },
    },
  });
  const asked = values.scenario ?? [];
  for (const name of asked) {
    if (!(ALL_STEPS as readonly string[]).includes(name))
      throw new Error(`--scenario: expected one of ${ALL_STEPS.join(', ')}, got ${JSON.stringify(name)}`);
  }
  const wanted = values.all
    ? EVERY_REALISTIC_STEP
    : asked.length > 0
      ? asked
      : [...DEFAULT_STEPS, ...(values.largest ? (['50k'] as const) : [])];
  const steps = ALL_STEPS.filter((s) => wanted.includes(s) || (values.largest && s === '50k'));
  const naiveLimit = Number(values['naive-limit']);
  if (!Number.isInteger(naiveLimit) || naiveLimit < 1)
    throw new Error(`--naive-limit: expected a positive integer, got ${values['naive-limit']}`);
  return { steps, naiveLimit };
}

/** Runs run-scenario.ts in a fresh process and returns the JSON line it printed. */
function runScenarioProcess(args: readonly string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'run-scenario.ts'), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || line === '')
        return reject(new Error(`run-scenario ${args.join(' ')} exited with code ${code}`));
      try {
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch (error) {
        reject(new Error(`run-scenario ${args.join(' ')} printed no JSON line`, { cause: error }));
      }
    });
  });
}

async function main(): Promise<void> {
  const { steps, naiveLimit } = readArgs(process.argv.slice(2));
  log(`bench: ${steps.join(', ')}`);
  const memory: MemoryPoint[] = [];
  const targetsMet: Record<string, Record<string, boolean | null>> = {};
  const failed: string[] = [];

  for (const step of steps) {
    const started = Date.now();
    log(`== ${step}`);
    try {
      let line: Record<string, unknown>;
      if (step === 'bundle') {
        // Loaded only here: it pulls in aws-cdk-lib for AUDIT_BUNDLING.
        const { measureBundle } = await import('./bundle-size');
        line = await measureBundle();
      } else if (step === 'naive') {
        line = await runScenarioProcess(['1k', '--naive', '--naive-limit', String(naiveLimit)]);
      } else {
        line = await runScenarioProcess([step]);
        // The continuation and detection processes run two audits (and the detection one its
        // emulator and re-checks too); their memory is not comparable.
        if (step !== 'continuation' && step !== 'detection')
          memory.push({ scenario: step, targets: line.targets as number, peakRssMb: line.peak_rss_mb as number });
      }
      print(line);
      if (line.targets_met) targetsMet[String(line.scenario)] = line.targets_met as Record<string, boolean | null>;
    } catch (error) {
      failed.push(step);
      log(`${step} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    log(`== ${step} done in ${Math.round((Date.now() - started) / 1000)} s`);
  }

  const flags = Object.values(targetsMet)
    .flatMap((t) => Object.values(t))
    .filter((v): v is boolean => v !== null);
  const growth = memoryGrowth(memory);
  print({
    scenario: 'summary',
    steps,
    failed_steps: failed,
    memory: growth,
    targets_met: targetsMet,
    all_targets_met: failed.length === 0 && flags.every(Boolean) && growth.linear !== false,
  });
  if (failed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 2;
});
