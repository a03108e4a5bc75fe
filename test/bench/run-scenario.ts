/**
 * One benchmark scenario in a process of its own, so its peak RSS is its own and not a
 * larger earlier scenario's. run-bench.ts forks it once per scenario; it can also be run
 * by hand: `npx tsx test/bench/run-scenario.ts 1k [--naive --naive-limit N]`, or
 * `npx tsx test/bench/run-scenario.ts continuation [--accounts N --round-seconds S]`, or
 * `npx tsx test/bench/run-scenario.ts detection [--accounts N]` (default 10,000).
 *
 * Starts the emulator (another child process) with the scenario's organization, quotas
 * and faults, runs the audit (or the naive baseline) here, prints ONE JSON line on
 * stdout and exits. Progress goes to stderr.
 */
import { parseArgs } from 'node:util';
import { runAuditScenario } from './audit-scenario';
import { CONTINUATION_DEFAULTS, runContinuationScenario } from './continuation-scenario';
import { DETECTION_DEFAULTS, runDetectionScenario } from './detection-scenario';
import { EmulatorProcess } from './emulator-process';
import { runNaiveScenario } from './naive-audit';
import { benchFaults, orgOptions, SCENARIO_NAMES, SCENARIOS, type ScenarioName } from './scenarios';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      naive: { type: 'boolean', default: false },
      'naive-limit': { type: 'string', default: '500' },
      // The continuation and detection scenarios only: a smaller organization (and shorter rounds), for a quick look.
      accounts: { type: 'string' },
      'round-seconds': { type: 'string' },
    },
  });
  if (positionals[0] === 'detection') {
    const accounts = Number(values.accounts ?? DETECTION_DEFAULTS.accounts);
    if (!Number.isInteger(accounts) || accounts < 50)
      throw new Error(`--accounts: expected an integer of at least 50, got ${values.accounts}`);
    const result = await runDetectionScenario({
      ...DETECTION_DEFAULTS,
      accounts,
      ous: values.accounts === undefined ? DETECTION_DEFAULTS.ous : Math.max(1, Math.round(accounts / 5)),
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (positionals[0] === 'continuation') {
    const accounts = Number(values.accounts ?? CONTINUATION_DEFAULTS.accounts);
    const result = await runContinuationScenario({
      accounts,
      ous: Math.max(1, Math.round(accounts / 5)),
      roundSeconds: Number(values['round-seconds'] ?? CONTINUATION_DEFAULTS.roundSeconds),
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const name = positionals[0] as ScenarioName;
  if (!SCENARIO_NAMES.includes(name))
    throw new Error(`scenario must be one of ${SCENARIO_NAMES.join(', ')}, got ${JSON.stringify(positionals[0])}`);
  const naiveLimit = Number(values['naive-limit']);
  if (!Number.isInteger(naiveLimit) || naiveLimit < 1)
    throw new Error(`--naive-limit: expected a positive integer, got ${values['naive-limit']}`);
  const scenario = SCENARIOS[name];
  const naive = values.naive ?? false;

  log(
    `[${naive ? 'naive-' : ''}${name}] starting the emulator: ${scenario.accounts} accounts, ${scenario.ous} OUs ...`,
  );
  const emulator = await EmulatorProcess.start({ org: orgOptions(scenario), faults: benchFaults() });
  try {
    log(
      `[${naive ? 'naive-' : ''}${name}] emulator ready at ${emulator.ready.endpoint} (generated in ${emulator.ready.generateMs} ms)`,
    );
    const result = naive
      ? await runNaiveScenario(scenario, emulator, naiveLimit)
      : await runAuditScenario(scenario, emulator);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await emulator.close().catch(() => emulator.kill());
  }
}

main().catch((error: unknown) => {
  log(`scenario failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
