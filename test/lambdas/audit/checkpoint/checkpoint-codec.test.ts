import { gzipSync } from 'node:zlib';
import {
  CheckpointIntegrityError,
  decodeCheckpoint,
  encodeCheckpoint,
  MAX_CHECKPOINT_BYTES,
  sha256Hex,
} from '../../../../lambdas/audit/checkpoint/checkpoint-codec';
import { RUN_ID, sampleCheckpoint } from './checkpoint-fixtures';

const encodeJson = (value: unknown) => {
  const body = gzipSync(Buffer.from(JSON.stringify(value)));
  return { body, sha256: sha256Hex(body) };
};

describe('checkpoint codec', () => {
  it('round-trips a checkpoint through gzip JSON with its SHA-256', () => {
    const checkpoint = sampleCheckpoint();
    const { body, sha256 } = encodeCheckpoint(checkpoint);
    expect(body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(decodeCheckpoint(body, { sha256, runId: RUN_ID })).toEqual(checkpoint);
  });

  it('rejects bytes whose SHA-256 is not the recorded one', () => {
    const { body, sha256 } = encodeCheckpoint(sampleCheckpoint());
    const tampered = Buffer.from(body);
    tampered[tampered.length - 5] ^= 0xff;
    expect(() => decodeCheckpoint(tampered, { sha256, runId: RUN_ID })).toThrow(/SHA-256/);
  });

  it('rejects a checkpoint of another run', () => {
    const { body, sha256 } = encodeCheckpoint(sampleCheckpoint());
    expect(() => decodeCheckpoint(body, { sha256, runId: '20261127T020000Z' })).toThrow(/belongs to run/);
  });

  it('rejects oversized bytes before hashing or inflating them', () => {
    const body = Buffer.alloc(MAX_CHECKPOINT_BYTES + 1);
    expect(() => decodeCheckpoint(body, { sha256: sha256Hex(body), runId: RUN_ID })).toThrow(/more than/);
  });

  it('rejects bytes that are not gzip', () => {
    const body = Buffer.from('{"not":"gzip"}');
    expect(() => decodeCheckpoint(body, { sha256: sha256Hex(body), runId: RUN_ID })).toThrow(CheckpointIntegrityError);
  });

  it.each([
    ['an id that is not an Organizations id', { pending: ['../../etc'] }],
    ['an answer for a target the walk did not find', { pending: ['333333333333'] }],
    ['a target listed twice', { pending: ['111111111111', '111111111111'] }],
    [
      'a negative attempt count',
      { redrive: [{ targetId: '222222222222', errorCode: null, errorReason: null, attempts: -1 }] },
    ],
    ['another format version', { version: 2 }],
    ['an unknown field', { extra: true }],
  ])('rejects %s', (_name, change) => {
    const { body, sha256 } = encodeJson({ ...sampleCheckpoint(), ...change });
    expect(() => decodeCheckpoint(body, { sha256, runId: RUN_ID })).toThrow(CheckpointIntegrityError);
  });

  it('rejects a target whose id does not match its type', () => {
    const checkpoint = sampleCheckpoint();
    const targets = checkpoint.org.targets.map((t) =>
      t.id === '111111111111' ? { ...t, type: 'ORGANIZATIONAL_UNIT' } : t,
    );
    const { body, sha256 } = encodeJson({ ...checkpoint, org: { ...checkpoint.org, targets } });
    expect(() => decodeCheckpoint(body, { sha256, runId: RUN_ID })).toThrow(/does not match/);
  });
});
