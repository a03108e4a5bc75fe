/**
 * `npm start`: audits the built-in emulated organization with the real CLI core and real
 * SDK clients over HTTP on 127.0.0.1, writing the report to ./reports/. Needs no AWS
 * account. Exits 0 whenever the audit ran to its report: drift, and an INCOMPLETE run
 * caused by the seeded unreadable account, are what the demo is meant to show.
 */
import { join, resolve } from 'node:path';
import { runCli } from '../../lambdas/audit/cli/run-cli';
import { emulatorEnvironment, generateOrganization, startEmulator } from '../emulator';
import { DEMO_ORGANIZATION, demoFaults } from './demo-organization';

async function main(): Promise<number> {
  const org = generateOrganization({ ...DEMO_ORGANIZATION, now: Date.now() });
  // A fixed KMS key, so a second `npm start` verifies the first one's reports and shows history at work.
  const emulator = await startEmulator({ org, faults: demoFaults(org), kmsSeed: 'demo' });
  try {
    // The standard SDK variables route every client to the emulator, exactly as a user
    // would point the CLI at any other endpoint; static keys keep the SDK from looking
    // for real credentials on this machine.
    Object.assign(process.env, emulatorEnvironment(emulator), { MAC_KEY_ID: emulator.kms.keyId });
    delete process.env.AWS_PROFILE;
    process.stderr.write(
      `Emulated organization at ${emulator.endpoint}: ${org.accounts.length} accounts, ${org.ous.length} OUs, ` +
        `root ${org.roots[0].id}\n`,
    );
    const here = __dirname;
    const result = await runCli(
      [
        '--out-dir',
        'reports',
        '--baseline',
        join(here, 'baseline.json'),
        '--exclusions',
        join(here, 'exclusions.json'),
      ],
      process.env,
      {
        stdout: (text) => process.stdout.write(`${text}\n`),
        stderr: (text) => process.stderr.write(`${text}\n`),
      },
    );
    if (result.summary === undefined) {
      return 2;
    }
    process.stdout.write(
      `\nDemo finished (the audit's own exit code would be ${result.exitCode}: ` +
        `1 = drift found, 2 = incomplete). Files are under ./reports/.\n` +
        (result.htmlReport ? `Open the HTML report in a browser: ${resolve(result.htmlReport)}\n` : ''),
    );
    return 0;
  } finally {
    await emulator.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
