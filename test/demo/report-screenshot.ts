/**
 * `npm run screenshot`: builds the sample HTML report (six nights against the emulated
 * organization, hostile names included) and saves the top of the page, as headless
 * Chromium renders it, to docs/report-screenshot.png for the README.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { probeReport } from '../support/chromium-probe';
import { buildSampleReport } from '../support/sample-html-report';

async function main(): Promise<void> {
  const docs = join(__dirname, '..', '..', 'docs');
  await mkdir(docs, { recursive: true });
  const sample = await buildSampleReport(6);
  const screenshot = join(docs, 'report-screenshot.png') as `${string}.png`;
  const result = await probeReport(sample.html, screenshot);
  if (result.requests.length > 0 || result.consoleErrors.length > 0 || result.pageErrors.length > 0) {
    throw new Error(`the report misbehaved in the browser: ${JSON.stringify(result)}`);
  }
  process.stdout.write(`${screenshot}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
