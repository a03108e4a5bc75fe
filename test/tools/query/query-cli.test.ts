import { createHmac } from 'node:crypto';
import { GenerateMacCommand, KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
/**
 * `npm run query` over reports the audit CLI wrote: two nightly runs (yesterday and the
 * day before, since the queries bound `dt` by today's date as Athena does) against the
 * mocked organization, the second with one association turned FAILED.
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { readNamedQueryFiles, QUERIES_DIRECTORY } from '../../../infra/constructs/report-catalog';
import { EXIT, runCli } from '../../../lambdas/audit/cli/run-cli';
import {
  ACCOUNT_IN_OU,
  OU,
  P1,
  fakeTime,
  healthyAnswers,
  serveAssociations,
  serveOrganization,
} from '../../lambdas/audit/core/mock-aws-org';
import { isDisplaySafe } from '../../support/is-display-safe';
import { QUERY_USAGE, runQueryCli } from './query-cli';

const orgMock = mockClient(OrganizationsClient);
const shMock = mockClient(SecurityHubClient);
const kmsMock = mockClient(KMSClient);
const hmac = (message: Uint8Array | undefined) =>
  createHmac('sha256', 'query-test')
    .update(message ?? new Uint8Array())
    .digest();
kmsMock.on(GenerateMacCommand).callsFake((input: { Message?: Uint8Array }) => ({ Mac: hmac(input.Message) }));
kmsMock.on(VerifyMacCommand).callsFake((input: { Message?: Uint8Array; Mac?: Uint8Array }) => ({
  MacValid: Buffer.from(input.Mac ?? []).equals(hmac(input.Message)),
}));
const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

const DAY_MS = 86_400_000;
const NIGHT_2 = Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS + 2 * 3_600_000;
const NIGHT_1 = NIGHT_2 - DAY_MS;
const runIdOf = (time: number) => `${new Date(time).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;

let reports: string;
let stdout: string[];
let stderr: string[];
const io = {
  stdout: (text: string) => void stdout.push(text),
  stderr: (text: string) => void stderr.push(text),
};
const query = (...argv: string[]) => runQueryCli(argv, io);

/** One audit run at `time` into `reports`, through the CLI. */
async function auditAt(time: number, answers: ReturnType<typeof healthyAnswers>) {
  serveAssociations(shMock, answers);
  const clients = {
    organizations: new OrganizationsClient(config),
    securityHub: new SecurityHubClient(config),
    s3: new S3Client(config),
    sns: new SNSClient(config),
    kms: new KMSClient(config),
    organizationsCounter: { requests: 0, throttledRequests: 0 },
    securityHubCounter: { requests: 0, throttledRequests: 0 },
    destroy: () => undefined,
  };
  const clock = fakeTime(time);
  // Signed like a deployed run, so the second run trusts the first (KMS stands in with a local HMAC).
  const argv = [
    '--out-dir',
    reports,
    '--schedule-time',
    new Date(time).toISOString(),
    '--quiet',
    '--mac-key-id',
    'alias/audit-mac',
  ];
  const ignore = { stdout: () => undefined, stderr: () => undefined };
  return runCli(argv, {}, ignore, { clients, clock: clock.clock, sleep: clock.sleep, random: () => 0.5 });
}

/** The table's rows below its header, as header -> cell. */
function tableRows(text: string): Record<string, string>[] {
  const [header, ...lines] = text.split('\n');
  const names = header.split(/\s{2,}/);
  return lines.map((line) => Object.fromEntries(line.split(/\s{2,}/).map((cell, i) => [names[i], cell])));
}

beforeAll(async () => {
  reports = await mkdtemp(join(tmpdir(), 'query-cli-'));
  serveOrganization(orgMock);
  expect((await auditAt(NIGHT_1, healthyAnswers())).exitCode).toBe(EXIT.ok);
  const broken = healthyAnswers();
  broken.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
  expect((await auditAt(NIGHT_2, broken)).exitCode).toBe(EXIT.drift);
});

afterAll(async () => {
  await rm(reports, { recursive: true, force: true });
});

beforeEach(() => {
  stdout = [];
  stderr = [];
});

describe('npm run query', () => {
  it('runs drift-latest-run over the report directory and prints the drifted target as a table', async () => {
    expect(await query('drift-latest-run', '--reports', reports)).toBe(0);
    expect(stdout).toHaveLength(1);
    const rows = tableRows(stdout[0]);
    expect(rows).toEqual([
      expect.objectContaining({
        run_id: runIdOf(NIGHT_2),
        target_id: ACCOUNT_IN_OU,
        target_type: 'ACCOUNT',
        association_status: 'FAILED',
        drift_reasons: 'FAILED',
      }),
    ]);
    expect(rows[0].ou_path).toContain(OU);
    expect(stderr).toEqual(['1 row']);
  });

  it('compares the two runs: new-drift-since-previous-run names the account that turned FAILED', async () => {
    expect(await query('new-drift-since-previous-run', '--reports', reports)).toBe(0);
    expect(tableRows(stdout[0])).toEqual([
      expect.objectContaining({ target_id: ACCOUNT_IN_OU, previous_run_id: runIdOf(NIGHT_1) }),
    ]);
  });

  it('runs every named query the stack installs without an error', async () => {
    for (const { name } of readNamedQueryFiles(QUERIES_DIRECTORY)) {
      stdout = [];
      stderr = [];
      expect([name, await query(name, '--reports', reports)]).toEqual([name, 0]);
      expect(stdout).toHaveLength(1);
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toMatch(/^\d+ rows?$/);
      expect(isDisplaySafe(stdout[0].replace(/\n/g, ''))).toBe(true);
    }
    // The 30-day trend has one line per run.
    stdout = [];
    await query('failed-and-drift-trend-30-days', '--reports', reports);
    expect(tableRows(stdout[0]).map((r) => r.run_id)).toEqual([runIdOf(NIGHT_1), runIdOf(NIGHT_2)]);
  });

  it('--list names every query in infra/queries with what it answers', async () => {
    expect(await query('--list')).toBe(0);
    const listed = tableRows(stdout[0]);
    expect(listed.map((r) => r.Query)).toEqual(readNamedQueryFiles(QUERIES_DIRECTORY).map((q) => q.name));
    expect(listed.find((r) => r.Query === 'stale-pending')?.Answers).toMatch(/^Associations still PENDING/);
  });

  it('rejects an unknown query name, listing the names and the nearest one, exit 3', async () => {
    expect(await query('drift-latest', '--reports', reports)).toBe(3);
    expect(stdout).toEqual([]);
    expect(stderr[0]).toMatch(
      /^error: Unknown query "drift-latest" \(did you mean drift-latest-run\?\); the named queries: departed-targets, drift-latest-run, .*stale-pending\n\nUsage: npm run query/,
    );
  });

  it('shows a hostile query name escaped', async () => {
    expect(await query('\u001b[2Jx', '--reports', reports)).toBe(3);
    expect(stderr[0]).toContain('Unknown query "\\x1b[2Jx"');
  });

  it.each([
    ['no --reports', () => ['drift-latest-run'], /^error: --reports DIR: the report directory is required/],
    [
      'a --reports that does not exist',
      () => ['drift-latest-run', '--reports', join(reports, 'nope')],
      /^error: --reports ".*nope": no such directory/,
    ],
    [
      'a --reports that is not a report directory',
      () => ['drift-latest-run', '--reports', join(reports, 'runs')],
      /^error: --reports ".*runs": not a report directory \(no associations\/ in it\)/,
    ],
    ['no query name', () => ['--reports', reports], /^error: Give exactly one query NAME/],
    ['two query names', () => ['stale-pending', 'drift-latest-run', '--reports', reports], /^error: Give exactly one/],
    [
      'a mistyped option',
      () => ['stale-pending', '--report', reports],
      /^error: Unknown option "--report"; did you mean --reports\?/,
    ],
  ])('exits 3 with a clear message on %s', async (_name, argv, message) => {
    expect(await query(...argv())).toBe(3);
    expect(stdout).toEqual([]);
    expect(stderr[0]).toMatch(message);
    expect(stderr[0]).toContain(QUERY_USAGE);
  });

  it('rejects a directory with the table folders but unreadable report files, exit 2', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'query-cli-broken-'));
    try {
      await mkdir(join(broken, 'associations', 'dt=2026-01-01'), { recursive: true });
      await mkdir(join(broken, 'runs', 'dt=2026-01-01'), { recursive: true });
      expect(await query('drift-latest-run', '--reports', broken)).toBe(2);
      expect(stderr[0]).toMatch(/^error: query drift-latest-run over .* failed: /);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('prints the usage for --help, exit 0', async () => {
    expect(await query('--help')).toBe(0);
    expect(stdout).toEqual([QUERY_USAGE]);
  });
});
