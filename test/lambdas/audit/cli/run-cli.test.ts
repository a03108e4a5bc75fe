import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../../../lambdas/audit/aws/clients';
import { USAGE } from '../../../../lambdas/audit/cli/args';
import { EXIT, runCli, type CliOverrides } from '../../../../lambdas/audit/cli/run-cli';
import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { parseRunSummary } from '../../../../lambdas/audit/report/summary';
import {
  ACCOUNT_AT_ROOT,
  ACCOUNT_IN_OU,
  P1,
  P2,
  fakeTime,
  healthyAnswers,
  serveAssociations,
  serveOrganization,
  type Answer,
} from '../core/mock-aws-org';
import { isDisplaySafe } from '../../../support/is-display-safe';
import { parseWrittenRows } from '../../../support/emulated-audit';
import { KMSClient } from '@aws-sdk/client-kms';

const orgMock = mockClient(OrganizationsClient);
const shMock = mockClient(SecurityHubClient);
const s3Mock = mockClient(S3Client);
const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

let outDir: string;
let answers: Map<string, Answer>;
let stdout: string[];
let stderr: string[];
let clients: AwsClients & { destroy: jest.Mock };

const io = {
  stdout: (text: string) => void stdout.push(text),
  stderr: (text: string) => void stderr.push(text),
};

function overrides(): CliOverrides {
  const time = fakeTime();
  return { clients, clock: time.clock, sleep: time.sleep, random: () => 0.5 };
}

/** Runs the CLI with the tuning defaults (no tuning variables in the environment). */
const cli = (...argv: string[]) => runCli(argv, {}, io, overrides());

beforeEach(async () => {
  orgMock.reset();
  shMock.reset();
  s3Mock.reset();
  serveOrganization(orgMock);
  answers = healthyAnswers();
  serveAssociations(shMock, answers);
  outDir = await mkdtemp(join(tmpdir(), 'audit-cli-'));
  stdout = [];
  stderr = [];
  clients = {
    organizations: new OrganizationsClient(config),
    securityHub: new SecurityHubClient(config),
    s3: new S3Client(config),
    sns: new SNSClient(config),
    kms: new KMSClient(config),
    organizationsCounter: { requests: 0, throttledRequests: 0 },
    securityHubCounter: { requests: 0, throttledRequests: 0 },
    destroy: jest.fn(),
  };
});

afterEach(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('runCli', () => {
  it('exits 0 on a complete run without drift: table on stdout, progress on stderr, report in --out-dir', async () => {
    const result = await cli('--out-dir', outDir, '--schedule-time', '2026-11-26T02:00:00Z');
    expect(result.exitCode).toBe(EXIT.ok);
    expect(result.summary).toMatchObject({ run_id: '20261126T020000Z', run_status: 'COMPLETE', drifted: 0 });

    expect(stdout).toHaveLength(1);
    expect(stdout[0]).toMatch(/^Run 20261126T020000Z {2}COMPLETE/);
    expect(stdout[0]).toContain(`Report: ${outDir}/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz`);
    expect(stdout.join('\n')).not.toMatch(/walking|reading associations|writing the report/);

    expect(stderr).toContain('walking the organization: 1 targets found');
    expect(stderr.some((l) => l.startsWith('reading associations: '))).toBe(true);
    expect(stderr).toContain('writing the report');
    expect(stderr.join('\n')).not.toContain('Run 20261126T020000Z');

    const latest = parseRunSummary(await readFile(join(outDir, 'latest', 'run.json')));
    expect(latest.run_id).toBe('20261126T020000Z');
    // Injected clients belong to the caller.
    expect(clients.destroy.mock.calls).toHaveLength(0);
  });

  it('exits 1 when drift is found', async () => {
    answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
    const result = await cli('--out-dir', outDir);
    expect(result.exitCode).toBe(EXIT.drift);
    expect(result.summary).toMatchObject({ run_status: 'COMPLETE', drifted: 1, drift_failed: 1 });
    expect(stdout[0]).toMatch(/HIGH +DRIFT new +name-111111111111 \(111111111111\) +FAILED/);
    expect(stdout[0]).toContain(
      `aws securityhub start-configuration-policy-association --configuration-policy-identifier 11111111-1111-4111-8111-111111111111 --target '{"AccountId":"111111111111"}'`,
    );
  });

  it('without a MAC key: writes unsigned, never trusts history, and says so on stderr', async () => {
    await cli('--out-dir', outDir);
    const second = await cli('--out-dir', outDir);
    expect(second.summary).toMatchObject({ previous_run_status: 'UNTRUSTED', mac: null });
    expect(second.summary?.previous_run_reason).toMatch(/no MAC key is configured/);
    expect(stderr.some((line) => line.startsWith('warning: no MAC key'))).toBe(true);
    expect(parseRunSummary(await readFile(join(outDir, 'latest', 'run.json'))).mac).toBeNull();
  });

  it('exits 1 on drift against a --baseline file', async () => {
    const baseline = join(outDir, 'baseline.json');
    await writeFile(baseline, JSON.stringify({ version: 1, targets: { [ACCOUNT_AT_ROOT]: P2 } }));
    const result = await cli('--out-dir', join(outDir, 'reports'), '--baseline', baseline);
    expect(result.exitCode).toBe(EXIT.drift);
    expect(result.summary).toMatchObject({ drifted: 1, drift_baseline_mismatch: 1 });
  });

  it('exits 2 on an incomplete run, even with drift', async () => {
    answers.set(ACCOUNT_IN_OU, { kind: 'unprocessed', errorCode: 'AccessDeniedException' });
    const result = await cli('--out-dir', outDir);
    expect(result.exitCode).toBe(EXIT.incompleteOrError);
    expect(result.summary).toMatchObject({ run_status: 'INCOMPLETE', drift_unprocessed: 1, drifted: 1 });
    // The audit ran to its report: it is printed and written.
    expect(stdout[0]).toMatch(/INCOMPLETE/);
    expect(parseRunSummary(await readFile(join(outDir, 'latest', 'run.json'))).run_status).toBe('INCOMPLETE');
  });

  it('exits 3 with a clear message when the --baseline file does not exist, before calling AWS', async () => {
    const missing = join(outDir, 'no-such-baseline.json');
    const result = await cli('--out-dir', outDir, '--baseline', missing);
    expect(result).toEqual({ exitCode: EXIT.badInput });
    expect(stderr).toEqual([`error: --baseline ${missing}: no such file`]);
    expect(stdout).toEqual([]);
    expect(orgMock.calls()).toHaveLength(0);
    expect(shMock.calls()).toHaveLength(0);
  });

  it('exits 3 with the error message when a document names unknown targets', async () => {
    const baseline = join(outDir, 'baseline.json');
    await writeFile(baseline, JSON.stringify({ version: 1, targets: { '999999999999': P2 } }));
    const result = await cli('--out-dir', join(outDir, 'reports'), '--baseline', baseline);
    expect(result).toEqual({ exitCode: EXIT.badInput });
    expect(stderr.at(-1)).toBe(`error: ${baseline}: 1 target id is not in the organization: 999999999999`);
  });

  it('prints the error and the usage to stderr on a usage error, exit 3', async () => {
    const result = await cli('--out-dir', outDir, '--bogus');
    expect(result).toEqual({ exitCode: EXIT.badInput });
    expect(stdout).toEqual([]);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^error: .*--bogus/);
    expect(stderr[0]).toContain(USAGE);
    expect(orgMock.calls()).toHaveLength(0);
  });

  it('requires exactly one destination', async () => {
    const result = await cli();
    expect(result.exitCode).toBe(EXIT.badInput);
    expect(stderr[0]).toMatch(/^error: Give exactly one of --bucket NAME or --out-dir DIR\n\nUsage:/);
  });

  it('prints the usage to stdout for --help, exit 0', async () => {
    const result = await cli('--help');
    expect(result).toEqual({ exitCode: EXIT.ok });
    expect(stdout).toEqual([USAGE]);
    expect(stderr).toEqual([]);
  });

  it.each([['--json'], ['--format', 'json']])(
    '%s prints one JSON document on stdout (summary, report, flagged rows), progress on stderr',
    async (...format) => {
      answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
      const result = await cli('--out-dir', outDir, ...format, '--schedule-time', '2026-11-26T02:00:00Z');
      expect(result.exitCode).toBe(EXIT.drift);
      expect(stdout).toHaveLength(1);
      const printed = JSON.parse(stdout[0]) as { summary: unknown; report: unknown; rows: AssociationRow[] };
      expect(printed.summary).toEqual(JSON.parse(JSON.stringify(result.summary)));
      expect(printed.report).toEqual({
        associations: `${outDir}/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz`,
        html: result.htmlReport,
      });
      // The drifted row in full, as the report has it; the OK rows are not repeated.
      const written = parseWrittenRows(
        await readFile(join(outDir, 'associations/dt=2026-11-26/20261126T020000Z.jsonl.gz')),
      );
      expect(printed.rows).toEqual(written.filter((r) => r.target_id === ACCOUNT_IN_OU));
      expect(stderr.some((l) => l.startsWith('reading associations: '))).toBe(true);
    },
  );

  it('--format jsonl prints one line per drifted or excluded target, every one even past --list', async () => {
    answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
    const exclusions = join(outDir, 'exclusions.json');
    await writeFile(
      exclusions,
      JSON.stringify({
        version: 1,
        exclusions: [{ targetId: ACCOUNT_AT_ROOT, reason: 'CHG-1', expires: '2099-01-01' }],
      }),
    );
    const baseline = join(outDir, 'baseline.json');
    await writeFile(baseline, JSON.stringify({ version: 1, targets: { [ACCOUNT_AT_ROOT]: P2 } }));
    const argv = ['--out-dir', join(outDir, 'r'), '--exclusions', exclusions, '--baseline', baseline, '--list', '0'];
    const result = await cli(...argv, '--format', 'jsonl', '--quiet');
    expect(result.exitCode).toBe(EXIT.drift);
    expect(stdout).toHaveLength(1);
    const rows = stdout[0].split('\n').map((line) => JSON.parse(line) as AssociationRow);
    expect(rows.map((r) => [r.target_id, r.audit_result])).toEqual([
      [ACCOUNT_IN_OU, 'DRIFT'],
      [ACCOUNT_AT_ROOT, 'EXCLUDED'],
    ]);
  });

  it('--format jsonl prints nothing at all when nothing drifted', async () => {
    const result = await cli('--out-dir', outDir, '--format', 'jsonl', '--quiet');
    expect(result.exitCode).toBe(EXIT.ok);
    expect(stdout).toEqual([]);
  });

  it('--format csv prints a header and the drifted rows, a hostile value defused and escaped', async () => {
    answers.set(ACCOUNT_IN_OU, {
      kind: 'association',
      policyId: P1,
      type: 'INHERITED',
      status: 'FAILED',
      message: '=cmd|"/C calc"!A0\u001b[2J',
    });
    const result = await cli('--out-dir', outDir, '--format', 'csv');
    expect(result.exitCode).toBe(EXIT.drift);
    expect(stdout).toHaveLength(1);
    const [header, line, ...rest] = stdout[0].split('\n');
    expect(rest).toEqual([]);
    expect(header.split(',')).toContain('association_status_message');
    expect(line).toContain(`,${ACCOUNT_IN_OU},`);
    expect(line).toContain(`,"'=cmd|""/C calc""!A0\\x1b[2J",`);
    expect(isDisplaySafe(stdout[0].replace(/\n/g, ''))).toBe(true);
    expect(stdout[0]).not.toContain('HTML report');
  });

  it('--quiet prints no progress', async () => {
    await cli('--out-dir', outDir, '--quiet');
    expect(stderr).toEqual([]);
    expect(stdout).toHaveLength(1);
  });

  it('takes tuning from the environment and rejects bad tuning with exit 3', async () => {
    const result = await runCli(['--out-dir', outDir], { BATCH_GROUP_SIZE: '0' }, io, overrides());
    expect(result.exitCode).toBe(EXIT.badInput);
    expect(stderr.at(-1)).toMatch(/^error: Invalid configuration: BATCH_GROUP_SIZE: /);
    expect(orgMock.calls()).toHaveLength(0);
  });

  it.each([
    ['a file as --out-dir', async () => ['--out-dir', await aFile('x')], /--out-dir .*: not a directory/],
    ['a directory as --baseline', () => ['--out-dir', outDir, '--baseline', outDir], /not a regular file/],
    [
      'a FIFO where latest/run.json should be in --out-dir',
      async () => {
        await mkdir(join(outDir, 'latest'));
        execFileSync('mkfifo', [join(outDir, 'latest', 'run.json')]);
        return ['--out-dir', outDir, '--quiet'];
      },
      /^error: --out-dir .*latest\/run\.json is a FIFO; a report folder holds only directories and regular files/,
    ],
    [
      'a baseline that is not UTF-8',
      async () => ['--out-dir', outDir, '--baseline', await aFile(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
      /^error: Invalid baseline .*: not UTF-8 text$/,
    ],
    [
      'a baseline with a duplicate key',
      async () => [
        '--out-dir',
        outDir,
        '--baseline',
        await aFile(`{"version":1,"targets":{"r-ab12":"SELF_MANAGED","r-ab12":"SELF_MANAGED"}}`),
      ],
      /duplicate key "r-ab12"/,
    ],
    [
      'a schedule time that is not ISO 8601',
      () => ['--out-dir', outDir, '--schedule-time', 'tomorrow'],
      /^error: --schedule-time: /,
    ],
    ['a malformed role ARN', () => ['--out-dir', outDir, '--organizations-role-arn', 'role'], /organizations-role-arn/],
  ] as [string, () => string[] | Promise<string[]>, RegExp][])(
    'exits 3 on %s, before any AWS call',
    async (_name, argv, message) => {
      const result = await cli(...(await argv()));
      expect(result).toEqual({ exitCode: EXIT.badInput });
      expect(stderr[0]).toMatch(message);
      expect(orgMock.calls()).toHaveLength(0);
      expect(shMock.calls()).toHaveLength(0);
      expect(s3Mock.calls()).toHaveLength(0);
    },
  );

  it.each([
    [
      'access is denied',
      Object.assign(new Error('You are not authorized'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
      /^error: permission denied: .*You are not authorized\n.*lack a permission.*"Least privilege" in README\.md\.$/s,
    ],
    [
      'no credentials are found',
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      /^error: no usable AWS credentials: .*Could not load credentials from any providers\n.*aws sso login.*AWS_PROFILE.*AWS_ACCESS_KEY_ID/s,
    ],
    [
      'the credentials expired',
      Object.assign(new Error('The security token included in the request is expired'), {
        name: 'ExpiredTokenException',
      }),
      /^error: no usable AWS credentials: .*expired\n.*aws sso login/s,
    ],
    [
      'no Region is set',
      new Error('Region is missing'),
      /^error: no AWS Region: .*Region is missing\nSet AWS_REGION to the Security Hub home Region/s,
    ],
  ])('says what is wrong and how to fix it when %s, exit 2', async (_name, error, message) => {
    orgMock.onAnyCommand().rejects(error);
    const result = await cli('--out-dir', outDir, '--quiet');
    expect(result).toEqual({ exitCode: EXIT.incompleteOrError });
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(message);
    for (const other of ['permission denied', 'no usable AWS credentials', 'no AWS Region'].filter(
      (title) => !stderr[0].startsWith(`error: ${title}`),
    )) {
      expect(stderr[0]).not.toContain(other);
    }
  });

  it('suggests the nearest option for a mistyped one', async () => {
    const result = await cli('--out-dir', outDir, '--fromat', 'csv');
    expect(result).toEqual({ exitCode: EXIT.badInput });
    expect(stderr[0]).toMatch(/^error: Unknown option "--fromat"; did you mean --format\?\n\nUsage:/);
  });

  it('shows an error message from outside display-safe', async () => {
    orgMock.onAnyCommand().rejects(Object.assign(new Error('boom\u001b[2J\r\nforged'), { name: 'InternalFailure' }));
    const result = await cli('--out-dir', outDir, '--quiet');
    expect(result.exitCode).toBe(EXIT.incompleteOrError);
    expect(isDisplaySafe(stderr.join(''))).toBe(true);
    expect(stderr.join('')).toContain('boom\\x1b[2J\\x0d\\x0aforged');
  });
});

let fileCount = 0;
/** A file in the test's temporary directory with this content. */
async function aFile(content: string | Buffer): Promise<string> {
  fileCount += 1;
  const path = join(outDir, `input-${fileCount}`);
  await writeFile(path, content);
  return path;
}
