/**
 * `npm run verify` against s3rver and the emulator's KMS: three signed runs verify; a run
 * whose rows and hash were rewritten without the key is bad (MAC), and so is the chain of
 * the run that compared with it; without a key nothing is authenticated. Re-check records
 * (recheck/runs/) and the re-check state are verified too, apart from the nightly chain.
 */
import { gzipSync } from 'node:zlib';
import { KMSClient } from '@aws-sdk/client-kms';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from '../../lambdas/audit/aws/clients';
import { runVerify } from '../../lambdas/audit/cli/verify-cli';
import { recheckKeys } from '../../lambdas/audit/recheck/recheck-keys';
import { writeRecheckRecord, type RecheckRecordInput } from '../../lambdas/audit/recheck/recheck-record';
import { emptyRecheckState, mergeRecheckState, writeRecheckState } from '../../lambdas/audit/recheck/recheck-state';
import { sha256Hex } from '../../lambdas/audit/report/rows';
import { parseRunSummary, serializeRunSummary } from '../../lambdas/audit/report/summary';
import { reportKeys } from '../../lambdas/audit/store/report-store';
import { emulatorClientConfig } from '../emulator';
import { startEmulatedAudit, type EmulatedAudit } from '../support/emulated-audit';
import { recheckRow } from '../lambdas/audit/recheck/recheck-fixtures';

let audit: EmulatedAudit;
let kms: KMSClient;
let out: string[];

beforeAll(async () => {
  audit = await startEmulatedAudit({ org: { seed: 'verify', accounts: 12, ous: 3, maxDepth: 2 } });
  kms = new KMSClient({ ...emulatorClientConfig(audit.emulator), maxAttempts: 1 });
  for (const time of ['2026-11-25T02:00:00Z', '2026-11-26T02:00:00Z', '2026-11-27T02:00:00Z']) {
    await audit.run({ scheduledTime: time });
  }
});

afterAll(async () => {
  kms.destroy();
  await audit.close();
});

function verify(...argv: string[]): Promise<number> {
  out = [];
  const clients = { s3: audit.s3.client, kms, destroy: () => undefined } as unknown as AwsClients;
  const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
  return runVerify(['--bucket', audit.s3.bucket, ...argv], {}, io, clients);
}

describe('npm run verify', () => {
  it('verifies every signed run, the chain and latest/: exit 0', async () => {
    await expect(verify('--mac-key-id', audit.emulator.kms.keyId)).resolves.toBe(0);
    expect(out.filter((l) => l.startsWith('verified'))).toHaveLength(4);
    expect(out.at(-1)).toBe('4 verified, 0 unsigned, 0 bad');
    await expect(verify('--mac-key-id', audit.emulator.kms.keyId, '--since', '2026-11-27')).resolves.toBe(0);
    expect(out.at(-1)).toBe('2 verified, 0 unsigned, 0 bad');
  });

  it('without a key nothing is authenticated: exit 1; a bad option: exit 3', async () => {
    await expect(verify()).resolves.toBe(1);
    expect(out.at(-1)).toBe('0 verified, 0 unsigned, 4 bad');
    await expect(verify('--since', 'yesterday')).resolves.toBe(3);
  });

  it('a run rewritten with its hash recomputed (no key) is bad, and so is the chain that leads to it', async () => {
    const keys = reportKeys('', '20261126T020000Z', '2026-11-26');
    const summary = parseRunSummary(await audit.s3.getObject(keys.run));
    const rows = gzipSync(Buffer.from(''));
    const put = (key: string, body: Buffer) =>
      audit.s3.client.send(new PutObjectCommand({ Bucket: audit.s3.bucket, Key: key, Body: body }));
    await put(keys.associations, rows);
    await put(keys.run, serializeRunSummary({ ...summary, associations_sha256: sha256Hex(rows) }));
    await expect(verify('--mac-key-id', audit.emulator.kms.keyId)).resolves.toBe(1);
    expect(out.find((l) => l.includes('20261126T020000Z') && l.startsWith('bad'))).toMatch(/MAC/);
    expect(out.find((l) => l.includes('20261127T020000Z'))).toMatch(/^bad .*chain: previous run 20261126T020000Z/);
    expect(out.at(-1)).toBe('2 verified, 0 unsigned, 2 bad');
  });

  it('verifies the re-check records and state, and marks bad a record whose rows were rewritten', async () => {
    const ids = ['recheck-20261127T101500Z-0a1b2c', 'recheck-20261127T111500Z-0a1b2d'];
    const input = (recheckId: string): RecheckRecordInput => ({
      recheckId,
      fullRunId: '20261127T020000Z',
      stateStatus: 'OK',
      startedAt: '2026-11-27T10:15:00.000Z',
      finishedAt: '2026-11-27T10:16:00.000Z',
      events: [
        { eventId: `event-${recheckId}`, eventName: 'MoveAccount', eventTime: Date.parse('2026-11-27T10:14:00Z') },
      ],
      rows: [recheckRow('111111111111', ['FAILED'], { run_id: recheckId })],
      deferred: 0,
      badEvents: 0,
    });
    for (const id of ids) await writeRecheckRecord(audit.store, '', audit.mac, input(id));
    const state = emptyRecheckState('20261127T020000Z', '2026-11-27T11:16:00.000Z');
    const rows = [recheckRow('111111111111', [], { run_id: ids[1] })];
    await writeRecheckState(audit.store, '', audit.mac, mergeRecheckState(state, rows, '2026-11-27T11:16:00.000Z'));

    await expect(verify('--mac-key-id', audit.emulator.kms.keyId)).resolves.toBe(1);
    expect(out.filter((l) => /^verified +recheck/.test(l))).toEqual([
      `verified ${ids[0]}`,
      `verified ${ids[1]}`,
      'verified recheck/state.json',
    ]);

    const rewritten = gzipSync(Buffer.from(''));
    await audit.s3.client.send(
      new PutObjectCommand({ Bucket: audit.s3.bucket, Key: recheckKeys('', ids[0]).associations, Body: rewritten }),
    );
    await expect(verify('--mac-key-id', audit.emulator.kms.keyId)).resolves.toBe(1);
    expect(out.find((l) => l.includes(ids[0]))).toMatch(/^bad .*associations_sha256/);
    expect(out.at(-1)).toBe('4 verified, 0 unsigned, 3 bad');
  });
});
