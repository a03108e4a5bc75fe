/**
 * `npm run screenshot`: the demo's organization (the one `npm start` audits, with its
 * baseline, exclusions and faults) audited on three nights, where two of its FAILED
 * accounts fail only on the last night; then the first screen of the last night's HTML
 * report, as headless Chromium renders it on a phone and on a desktop, saved to
 * docs/report-phone.png and docs/report-desktop.png for the README.
 */
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { emulatorClientConfig, generateOrganization, startEmulator, type GeneratedOrg } from '../emulator';
import { AUDIT_EPOCH, startEmulatedAudit } from '../support/emulated-audit';
import { probeReport } from '../support/chromium-probe';
import { VIEWPORTS } from '../support/report-viewports';
import { DEMO_ORGANIZATION, demoFaults } from './demo-organization';

const NIGHTS = 3;
const DAY_MS = 86_400_000;

/** Night `n` of the demo: before the last night, all but the first seeded FAILED account apply their policy. */
function night(org: GeneratedOrg, n: number): GeneratedOrg {
  if (n === NIGHTS - 1) return org;
  const associations = new Map(org.associations);
  for (const id of org.anomalies.failed.slice(1)) {
    associations.set(id, { ...associations.get(id)!, associationStatus: 'SUCCESS', associationStatusMessage: null });
  }
  return { ...org, associations };
}

/** The last night's HTML report. */
async function demoReport(): Promise<string> {
  const org = generateOrganization({ ...DEMO_ORGANIZATION, now: AUDIT_EPOCH });
  const audit = await startEmulatedAudit({ org });
  const document = async (name: string) => ({ source: name, text: await readFile(join(__dirname, name), 'utf8') });
  const baseline = await document('baseline.json');
  const exclusions = await document('exclusions.json');
  try {
    let htmlKey = '';
    for (let n = 0; n < NIGHTS; n++) {
      const nightOrg = night(org, n);
      const emulator = await startEmulator({ org: nightOrg, faults: demoFaults(nightOrg) });
      const config = emulatorClientConfig(emulator);
      const organizations = new OrganizationsClient(config);
      const securityHub = new SecurityHubClient(config);
      try {
        const scheduledTime = new Date(AUDIT_EPOCH + n * DAY_MS).toISOString();
        const console = { partition: 'aws', region: 'us-east-1', bucket: 'securityhub-config-audit-reports' } as const;
        const outcome = await audit.run({
          scheduledTime,
          baseline,
          exclusions,
          console,
          deps: { organizations, securityHub },
        });
        htmlKey = outcome.report.htmlKey;
      } finally {
        organizations.destroy();
        securityHub.destroy();
        await emulator.close();
      }
    }
    return (await audit.s3.getObject(htmlKey)).toString('utf8');
  } finally {
    await audit.close();
  }
}

async function main(): Promise<void> {
  const docs = join(__dirname, '..', '..', 'docs');
  await mkdir(docs, { recursive: true });
  const desktop = join(docs, 'report-desktop.png') as `${string}.png`;
  const phone = join(docs, 'report-phone.png') as `${string}.png`;
  const result = await probeReport(await demoReport(), { desktop, phone });
  const overflow = Object.values(result.layout).filter((l) => l.scrollWidth > l.innerWidth);
  if (result.requests.length + result.consoleErrors.length + result.pageErrors.length + overflow.length > 0) {
    throw new Error(`the report misbehaved in the browser: ${JSON.stringify(result)}`);
  }
  process.stdout.write(`${desktop} (${VIEWPORTS.desktop.width} px)\n${phone} (${VIEWPORTS.phone.width} px)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
