/**
 * The CLI end to end against the demo organization (what `npm start` audits), with the
 * shipped baseline and exclusions. Clients come from the standard SDK chain, pointed at
 * the emulator and s3rver by the AWS_ENDPOINT_URL_<SERVICE> variables, exactly as a user
 * would point the CLI at any endpoint. Time is virtual (clock and sleep overrides).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { EXIT, runCli } from '../../lambdas/audit/cli/run-cli';
import { DRIFT_REASONS } from '../../lambdas/audit/model';
import { reportKeys } from '../../lambdas/audit/store/report-store';
import { DEMO_ORGANIZATION, demoFaults } from '../demo/demo-organization';
import {
  generateOrganization,
  localAwsEnvironment,
  startEmulator,
  type GeneratedOrg,
  type RunningEmulator,
} from '../emulator';
import { AUDIT_EPOCH, allTargetIds, duplicates, parseWrittenRows, withEnv } from '../support/emulated-audit';
import { FastForwardClock } from '../support/fast-forward-clock';
import { runQueryCli } from '../tools/query/query-cli';
import { startLocalS3, type LocalS3 } from '../support/s3-server';

jest.setTimeout(60_000);

const DEMO_DIR = join(__dirname, '..', 'demo');
const BASELINE = join(DEMO_DIR, 'baseline.json');
const EXCLUSIONS = join(DEMO_DIR, 'exclusions.json');
const SCHEDULE = '2026-11-26T02:00:00Z';
const RUN_ID = '20261126T020000Z';
const KEYS = reportKeys('', RUN_ID, '2026-11-26');
/** Excluded until 2099 in the shipped exclusions file. */
const EXCLUDED_ACCOUNT = '319577865995';
/** Its exclusion expired on 2025-06-30. */
const EXPIRED_EXCLUSION_ACCOUNT = '659670066685';

let org: GeneratedOrg;
let emulator: RunningEmulator;
let s3: LocalS3;
let outDir: string;
let stdout: string[];
let stderr: string[];

const io = {
  stdout: (text: string) => void stdout.push(text),
  stderr: (text: string) => void stderr.push(text),
};

/** The user's shell: endpoints, static keys s3rver accepts, no profile or config files. */
function shellEnvironment(): Record<string, string | undefined> {
  return {
    ...localAwsEnvironment(emulator, s3),
    // The audit's HMAC key in the emulator's KMS: every run signs and verifies.
    MAC_KEY_ID: emulator.kms.keyId,
  };
}

/** Runs the CLI in the shell environment with virtual time from `start`. */
function cliAt(start: number, ...argv: string[]) {
  const clock = new FastForwardClock(start);
  return withEnv(shellEnvironment(), () =>
    runCli(argv, process.env, io, { clock, sleep: clock.sleep, random: () => 0.5 }),
  );
}

/** Runs the CLI in the shell environment with virtual time from {@link AUDIT_EPOCH}. */
const cli = (...argv: string[]) => cliAt(AUDIT_EPOCH, ...argv);

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

beforeAll(async () => {
  org = generateOrganization({ ...DEMO_ORGANIZATION, now: AUDIT_EPOCH });
  emulator = await startEmulator({ org, faults: demoFaults(org) });
  s3 = await startLocalS3();
});

afterAll(async () => {
  await emulator?.close();
  await s3?.close();
});

beforeEach(async () => {
  emulator.setFaults(demoFaults(org));
  outDir = await mkdtemp(join(tmpdir(), 'audit-cli-it-'));
  stdout = [];
  stderr = [];
});

afterEach(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('the CLI against the demo organization', () => {
  it('writes the Hive layout to --out-dir, shows every drift reason and exits 2 for the unreadable account', async () => {
    const result = await cli(
      '--out-dir',
      outDir,
      '--baseline',
      BASELINE,
      '--exclusions',
      EXCLUSIONS,
      '--schedule-time',
      SCHEDULE,
      '--list',
      '100',
    );
    expect(stderr.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(result.exitCode).toBe(EXIT.incompleteOrError);
    const summary = result.summary!;
    const total = allTargetIds(org).length;
    expect(summary).toMatchObject({
      run_id: RUN_ID,
      run_status: 'INCOMPLETE',
      targets_enumerated: total,
      targets_reported: total,
      drift_failed: DEMO_ORGANIZATION.anomalies!.failed,
      drift_pending_stale: DEMO_ORGANIZATION.anomalies!.stalePending,
      drift_missing: DEMO_ORGANIZATION.anomalies!.missing,
      drift_inheritance_mismatch: DEMO_ORGANIZATION.anomalies!.inheritanceMismatch,
      // The one account demoFaults makes unreadable for ever ("403", terminal).
      drift_unprocessed: 1,
      deadline_reached: false,
    });
    expect(summary.drift_baseline_mismatch).toBeGreaterThan(0);
    expect(summary.excluded).toBeGreaterThan(0);
    expect(summary.redrive_attempts).toBeGreaterThanOrEqual(1);

    expect(await listFiles(outDir)).toEqual([KEYS.associations, KEYS.html, KEYS.latestRun, KEYS.run].sort());
    const rows = parseWrittenRows(await readFile(join(outDir, KEYS.associations)));
    expect(rows).toHaveLength(total);
    expect(duplicates(rows.map((r) => r.target_id))).toEqual([]);
    const byId = new Map(rows.map((r) => [r.target_id, r]));
    expect(byId.get(EXCLUDED_ACCOUNT)).toMatchObject({
      audit_result: 'EXCLUDED',
      drift: false,
      exclusion_expires: '2099-12-31',
      exclusion_expired: false,
    });
    expect(byId.get(EXPIRED_EXCLUSION_ACCOUNT)).toMatchObject({
      exclusion_expires: '2025-06-30',
      exclusion_expired: true,
    });
    // Written signed with the emulator's KMS key; the printed summary is the content the MAC covers.
    expect(JSON.parse(await readFile(join(outDir, KEYS.run), 'utf8'))).toEqual({
      ...(JSON.parse(JSON.stringify(summary)) as object),
      mac: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) as unknown,
    });

    // The human summary names every reason with a non-zero count, and the excluded target.
    const text = stdout.join('\n');
    for (const reason of DRIFT_REASONS) {
      expect(text).toMatch(new RegExp(`^${reason}\\s+[1-9]\\d*$`, 'm'));
    }
    expect(text).toMatch(new RegExp(`^\\S+\\s+EXCLUDED\\s+\\S+ \\(${EXCLUDED_ACCOUNT}\\)\\s`, 'm'));
    expect(text).toContain(`${outDir}/${KEYS.associations}`);
    expect(text).toContain(`HTML report: ${outDir}/${KEYS.html}`);
    const html = await readFile(join(outDir, KEYS.html), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // A run to a directory knows no partition, Region or bucket: no console links.
    expect(html).not.toContain('class="console"');
    expect(stderr.some((l) => l.startsWith('reading associations'))).toBe(true);
  });

  it('writes to a bucket with --bucket, reaching s3rver through AWS_ENDPOINT_URL_S3', async () => {
    const result = await cli(
      '--bucket',
      s3.bucket,
      '--baseline',
      BASELINE,
      '--exclusions',
      EXCLUSIONS,
      '--schedule-time',
      SCHEDULE,
      '--json',
      '--quiet',
    );
    expect(stderr).toEqual([]);
    expect(result.exitCode).toBe(EXIT.incompleteOrError);
    const printed = JSON.parse(stdout.join('')) as { summary: unknown; rows: { target_id: string }[] };
    expect(printed.summary).toEqual(JSON.parse(JSON.stringify(result.summary)));
    expect(printed.rows.map((r) => r.target_id)).toContain(EXCLUDED_ACCOUNT);
    expect(await s3.listKeys()).toEqual([KEYS.associations, KEYS.html, KEYS.latestRun, KEYS.run].sort());
    const rows = parseWrittenRows(await s3.getObject(KEYS.associations));
    expect(rows.map((r) => r.target_id).sort()).toEqual(allTargetIds(org).sort());
    expect(JSON.parse((await s3.getObject(KEYS.latestRun)).toString('utf8'))).toMatchObject({
      run_id: RUN_ID,
      run_status: 'INCOMPLETE',
    });
  });

  it('exits 3 with a clear message and writes nothing for a missing or malformed baseline', async () => {
    const missing = await cli('--out-dir', outDir, '--baseline', join(outDir, 'no-such-baseline.json'));
    expect(missing.exitCode).toBe(EXIT.badInput);
    expect(missing.summary).toBeUndefined();
    expect(stderr.join('\n')).toContain(`error: --baseline ${join(outDir, 'no-such-baseline.json')}: no such file`);

    stderr = [];
    const malformed = join(outDir, 'baseline.json');
    await writeFile(malformed, '{"version": 2, "targets": {}}');
    const bad = await cli('--out-dir', outDir, '--baseline', malformed, '--quiet');
    expect(bad.exitCode).toBe(EXIT.badInput);
    expect(stderr.join('\n')).toMatch(
      new RegExp(`^error: Invalid baseline ${malformed}: version: unsupported version 2; expected 1`),
    );
    expect(await listFiles(outDir)).toEqual(['baseline.json']);
  });

  it('writes reports that npm run query answers: drift-latest-run lists exactly the drifted targets', async () => {
    // The queries read the last days by today's date, as in Athena: the run is last night's.
    const lastNight = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 22 * 3_600_000;
    const argv = ['--out-dir', outDir, '--baseline', BASELINE, '--exclusions', EXCLUSIONS, '--quiet'];
    const result = await cliAt(lastNight, ...argv, '--schedule-time', new Date(lastNight).toISOString());
    expect(result.summary?.drifted).toBeGreaterThan(5);
    const dt = new Date(lastNight).toISOString().slice(0, 10);
    const runId = `${dt.replace(/-/g, '')}T020000Z`;
    const written = parseWrittenRows(await readFile(join(outDir, reportKeys('', runId, dt).associations)));

    stdout = [];
    stderr = [];
    expect(await runQueryCli(['drift-latest-run', '--reports', outDir], io)).toBe(0);
    const [header, ...lines] = stdout.join('\n').split('\n');
    expect(header).toMatch(/^run_id\s+target_id\s/);
    const listed = lines.map((line) => line.split(/\s+/)[1]).sort();
    expect(listed).toEqual(
      written
        .filter((r) => r.drift === true)
        .map((r) => r.target_id)
        .sort(),
    );
    expect(stderr).toEqual([`${listed.length} rows`]);
  });
});
