/**
 * `npm start`: runs the emulator on 127.0.0.1 with a mid-sized organization, realistic
 * quotas and a few anomalies, prints how to point the audit CLI at it, and serves until
 * Ctrl-C. Options: --seed, --accounts, --ous, --port.
 */
import { parseArgs } from 'node:util';
import { emulatorEnvironment, startEmulator, type EmulatorFaults } from './index';

/**
 * Security Hub's documented quota for most operations is 10 requests/s with a burst of
 * 30; the demo uses it so the audit's client-side pacing is exercised as in production.
 */
const DEMO_FAULTS: EmulatorFaults = {
  organizations: { emptyPageFraction: 0.05 },
  securityHub: {
    quota: { ratePerSecond: 10, burst: 30 },
    unprocessed: [{ fraction: 0.03, attempts: 1, errorCode: '429', errorReason: 'Rate exceeded' }],
  },
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: 'demo' },
      accounts: { type: 'string', default: '500' },
      ous: { type: 'string', default: '60' },
      port: { type: 'string', default: '0' },
    },
  });
  const emulator = await startEmulator({
    org: {
      seed: values.seed,
      accounts: Number(values.accounts),
      ous: Number(values.ous),
      maxDepth: 4,
      // Real time, so the audit's own clock judges PENDING staleness consistently.
      now: Date.now(),
      anomalies: { failed: 3, stalePending: 2, freshPending: 2, inheritanceMismatch: 2, missing: 1 },
    },
    faults: DEMO_FAULTS,
    port: Number(values.port),
  });

  const { org } = emulator;
  console.log(`Emulated Organizations + Security Hub at ${emulator.endpoint}`);
  console.log(
    `  ${org.accounts.length} accounts, ${org.ous.length} OUs, root ${org.roots[0].id}, ${org.policies.length} policies`,
  );
  for (const [kind, ids] of Object.entries(org.anomalies))
    console.log(`  seeded ${kind}: ${ids.length ? ids.join(', ') : '-'}`);
  console.log('\nPoint SDK clients at it, e.g.:');
  for (const [key, value] of Object.entries(emulatorEnvironment(emulator))) console.log(`  export ${key}=${value}`);
  console.log('\nCtrl-C to stop.');

  const stop = async (): Promise<void> => {
    console.log('\nRequests served:', JSON.stringify(emulator.stats(), null, 2));
    await emulator.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
