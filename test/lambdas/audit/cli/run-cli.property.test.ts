/**
 * Property-based: whatever the command line, the CLI ends with a documented exit code,
 * prints no raw control character, and writes nothing outside --out-dir, even when the
 * out-dir holds symbolic links pointing out of it.
 */
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import type { AwsClients } from '../../../../lambdas/audit/aws/clients';
import { EXIT, runCli } from '../../../../lambdas/audit/cli/run-cli';
import { fakeTime, healthyAnswers, serveAssociations, serveOrganization } from '../core/mock-aws-org';
import { isDisplaySafe } from '../../../support/is-display-safe';
import { KMSClient } from '@aws-sdk/client-kms';

const orgMock = mockClient(OrganizationsClient);
const shMock = mockClient(SecurityHubClient);
const s3Mock = mockClient(S3Client);
const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

let base: string;
let outDir: string;
let outside: string;
let baselineFile: string;
const startDir = process.cwd();

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'audit-cli-prop-'));
  // A generated relative --out-dir (e.g. "my-bucket") lands here, never in the repository.
  process.chdir(base);
  outDir = join(base, 'out');
  outside = join(base, 'outside');
  await mkdir(outDir);
  await mkdir(outside);
  // Links planted where the report layout writes: they must never be followed.
  for (const name of ['latest', 'runs', 'associations', 'audit']) await symlink(outside, join(outDir, name));
  baselineFile = join(base, 'baseline.json');
  await writeFile(baselineFile, '{"version":1,"targets":{"r-ab12":"SELF_MANAGED","r-ab12":"SELF_MANAGED"}}');
});

afterAll(async () => {
  process.chdir(startDir);
  await rm(base, { recursive: true, force: true });
});

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('\u001b[2J', '\r\nforged', '\u009b1m', '\u202e', '0x10', '1e308', '-1', 'Infinity', '', ' '),
  fc.constantFrom('14', '0.5', '20', 'audit/', '/x/', '..', 'a/../b', 'my-bucket', '2026-11-26T02:00:00Z'),
);

const option = fc.oneof(
  fc.constantFrom(
    '--prefix',
    '--max-minutes',
    '--list',
    '--schedule-time',
    '--organizations-role-arn',
    '--bucket',
    '--out-dir',
    '--baseline',
    '--exclusions',
  ),
  fc.constantFrom('--json', '--quiet', '--bogus', '-x', '--prefix=latest', '--prefix=runs/', '--', '-h'),
  hostile,
);

const argvArbitrary = fc
  .tuple(fc.array(option, { maxLength: 6 }), fc.array(hostile, { maxLength: 6 }), fc.boolean(), fc.boolean())
  .map(([options, values, withOutDir, withBaseline]) => {
    const argv: string[] = withOutDir ? ['--out-dir', outDir] : [];
    if (withBaseline) argv.push('--baseline', baselineFile);
    options.forEach((o, i) => argv.push(o, ...(values[i] === undefined ? [] : [values[i]])));
    return argv;
  });

function clients(): AwsClients {
  return {
    organizations: new OrganizationsClient(config),
    securityHub: new SecurityHubClient(config),
    s3: new S3Client(config),
    sns: new SNSClient(config),
    kms: new KMSClient(config),
    organizationsCounter: { requests: 0, throttledRequests: 0 },
    securityHubCounter: { requests: 0, throttledRequests: 0 },
    destroy: () => undefined,
  };
}

describe('runCli on arbitrary command lines', () => {
  it('exits with a documented code, prints only display-safe text, and writes nothing outside --out-dir', async () => {
    await fc.assert(
      fc.asyncProperty(argvArbitrary, async (argv) => {
        // Emptied each run, so a counterexample shrinks to the run that wrote there.
        await rm(outside, { recursive: true, force: true });
        await mkdir(outside);
        orgMock.reset();
        shMock.reset();
        s3Mock.reset();
        s3Mock.onAnyCommand().rejects(new Error('S3 is not used by these runs'));
        serveOrganization(orgMock);
        serveAssociations(shMock, healthyAnswers());
        const printed: string[] = [];
        const io = { stdout: (t: string) => void printed.push(t), stderr: (t: string) => void printed.push(t) };
        const time = fakeTime();
        const { exitCode } = await runCli(argv, {}, io, {
          clients: clients(),
          clock: time.clock,
          sleep: time.sleep,
          random: () => 0.5,
        });
        expect(Object.values(EXIT)).toContain(exitCode);
        for (const text of printed) expect(isDisplaySafe(text.replace(/\n/g, ''))).toBe(true);
        expect(await readdir(outside)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
