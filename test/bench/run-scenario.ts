/**
 * One benchmark scenario in a process of its own, so its peak RSS is its own and not a
 * larger earlier scenario's. run-bench.ts forks it once per scenario; it can also be run
 * by hand: `npx tsx test/bench/run-scenario.ts 1k [--naive --naive-limit N]`.
 *
 * Starts the emulator (another child process) with the scenario's organization, quotas
 * and faults, runs the audit (or the naive baseline) here, prints ONE JSON line on
 * stdout and exits. Progress goes to stderr.
 */
import { parseArgs } from 'node:util';
import { runAuditScenario } from './audit-scenario';
import { EmulatorProcess } from './emulator-process';
import { runNaiveScenario } from './naive-audit';
import { benchFaults, orgOptions, SCENARIO_NAMES, SCENARIOS, type ScenarioName } from './scenarios';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { naive: { type: 'boolean', default: false }, 'naive-limit': { type: 'string', default: '500' } },
  });
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
