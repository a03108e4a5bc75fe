/**
 * `npm run verify -- --bucket NAME [--prefix P] [--since DATE]` (or `--out-dir DIR`):
 * checks every run in range with the audit's own code (see `history/verify-runs.ts`), then
 * every re-check record and the re-check state (`recheck/verify-rechecks.ts`), and
 * prints one line per run or record: verified, unsigned or bad, with the reason. Exit 0 when every
 * run is verified, 1 when any is unsigned or bad, 2 on an error, 3 on bad usage.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createAwsClients, type AwsClients } from '../aws/clients';
import { KmsObjectMac } from '../aws/kms-mac';
import { UsageError } from '../errors';
import { verifyRuns, type RunVerdict } from '../history/verify-runs';
import { recheckRunsPrefix } from '../recheck/recheck-keys';
import { verifyRechecks } from '../recheck/verify-rechecks';
import { bucketNameProblem, macKeyIdProblem, normalizeReportPrefix, reportPrefixProblem } from '../input-validators';
import { REPORT_LAYOUT } from '../report/schema';
import { DirReportStore } from '../store/dir-report-store';
import { UNSIGNED } from '../store/object-mac';
import { S3ReportStore } from '../store/s3-report-store';
import { blankToUndefined } from '../util/coerce';
import { displaySafe } from '../util/display-text';
import type { CliIo } from './run-cli';

/** Shown by `--help`. */
const VERIFY_USAGE = `Usage: npm run verify -- (--bucket NAME | --out-dir DIR) [--prefix P] [--since YYYY-MM-DD] [--mac-key-id KEY]

Checks every run in range with the audit's own code: the MAC of its summary (KMS VerifyMac),
its associations object against the recorded SHA-256 and counts, and the chain to the
previous run it compared with; then latest/run.json; then every re-check record
(recheck/runs/: its MAC, its rows against the recorded SHA-256 and count) and
recheck/state.json. Without a MAC key (--mac-key-id or
MAC_KEY_ID) nothing can be authenticated. Exit 0: all verified; 1: any unsigned or bad;
2: an error; 3: bad usage.`;

interface VerifyArgs {
  readonly bucket?: string;
  readonly outDir?: string;
  readonly prefix: string;
  readonly since?: string;
  readonly macKeyId?: string;
}

function check(flag: string, raw: string | undefined, problemOf: (v: string) => string | undefined): void {
  const problem = raw === undefined ? undefined : problemOf(raw);
  if (problem !== undefined) throw new UsageError(`${flag}: ${problem}, got "${displaySafe(raw ?? '', 60)}"`);
}

function parseVerifyArgs(argv: readonly string[], env: NodeJS.ProcessEnv): VerifyArgs | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      bucket: { type: 'string' },
      'out-dir': { type: 'string' },
      prefix: { type: 'string' },
      since: { type: 'string' },
      'mac-key-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return 'help';
  if ((values.bucket === undefined) === (values['out-dir'] === undefined)) {
    throw new UsageError('Give exactly one of --bucket NAME or --out-dir DIR');
  }
  const macKeyId = values['mac-key-id'] ?? blankToUndefined<string | undefined>(env.MAC_KEY_ID);
  check('--bucket', values.bucket, bucketNameProblem);
  check('--prefix', values.prefix, reportPrefixProblem);
  check('--since', values.since, (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? undefined : 'expected YYYY-MM-DD'));
  check('--mac-key-id', macKeyId, macKeyIdProblem);
  const { bucket, since } = values;
  return { bucket, outDir: values['out-dir'], prefix: normalizeReportPrefix(values.prefix ?? ''), since, macKeyId };
}

/** Every key below `prefix` in the bucket (ListObjectsV2, paginated). */
async function listS3(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key])));
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

/** Every dated object key under `<dir>/<folder>` (`<prefix>runs/`, `<prefix>recheck/runs/`; one level of `dt=` folders). */
async function listDir(dir: string, folder: string): Promise<string[]> {
  const runs = folder.replace(/\/$/, '');
  const partitions = await readdir(join(dir, runs), { withFileTypes: true }).catch(() => []);
  const keys: string[] = [];
  for (const partition of partitions.filter((d) => d.isDirectory())) {
    const files = await readdir(join(dir, runs, partition.name), { withFileTypes: true });
    keys.push(...files.filter((f) => f.isFile()).map((f) => `${runs}/${partition.name}/${f.name}`));
  }
  return keys;
}

function verdictLine(v: RunVerdict): string {
  return `${v.status.padEnd(8)} ${displaySafe(v.run, 80)}${v.reason === null ? '' : `  ${displaySafe(v.reason, 300)}`}`;
}

async function verify(args: VerifyArgs, io: CliIo, clients: AwsClients): Promise<number> {
  const outDir = args.outDir === undefined ? undefined : resolve(args.outDir);
  const store = outDir !== undefined ? new DirReportStore(outDir) : new S3ReportStore(clients.s3, args.bucket!);
  // The nightly runs and the re-check records, listed the same way.
  const list = (folder: string) =>
    outDir !== undefined ? listDir(outDir, folder) : listS3(clients.s3, args.bucket!, folder);
  const runKeys = await list(`${args.prefix}${REPORT_LAYOUT.runsDir}/`);
  const recordKeys = await list(recheckRunsPrefix(args.prefix));
  if (args.macKeyId === undefined)
    io.stderr('warning: no MAC key (--mac-key-id or MAC_KEY_ID): nothing can be authenticated');
  const mac = args.macKeyId === undefined ? UNSIGNED : new KmsObjectMac(clients.kms, args.macKeyId);
  const common = { store, mac, prefix: args.prefix, since: args.since, now: Date.now() };
  const verdicts = [
    ...(await verifyRuns({ ...common, runKeys })),
    ...(await verifyRechecks({ ...common, recordKeys })),
  ];
  for (const v of verdicts) io.stdout(verdictLine(v));
  const count = (status: RunVerdict['status']) => verdicts.filter((v) => v.status === status).length;
  io.stdout(`${count('verified')} verified, ${count('unsigned')} unsigned, ${count('bad')} bad`);
  return verdicts.every((v) => v.status === 'verified') ? 0 : 1;
}

/** The verify command; returns the exit code. `clients` replaces the SDK clients (tests). */
export async function runVerify(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
  clients?: AwsClients,
): Promise<number> {
  let args: VerifyArgs | 'help';
  try {
    args = parseVerifyArgs(argv, env);
  } catch (error) {
    io.stderr(`error: ${displaySafe(error instanceof Error ? error.message : String(error), 300)}\n\n${VERIFY_USAGE}`);
    return 3;
  }
  if (args === 'help') {
    io.stdout(VERIFY_USAGE);
    return 0;
  }
  const own = clients ?? createAwsClients();
  try {
    return await verify(args, io, own);
  } catch (error) {
    io.stderr(
      `error: ${displaySafe(error instanceof Error ? `${error.name}: ${error.message}` : String(error), 1000)}`,
    );
    return 2;
  } finally {
    if (clients === undefined) own.destroy();
  }
}
