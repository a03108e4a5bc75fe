import { gzipSync } from 'node:zlib';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  MAX_CHECKPOINT_BYTES,
  sha256Hex,
} from '../../../../lambdas/audit/checkpoint/checkpoint-codec';
import { RUN_ID, sampleCheckpoint } from './checkpoint-fixtures';
import { CheckpointIntegrityError } from '../../../../lambdas/audit/errors';

const encodeJson = (value: unknown) => {
  const body = gzipSync(Buffer.from(JSON.stringify(value)));
  return { body, sha256: sha256Hex(body) };
};

describe('checkpoint codec', () => {
  it('round-trips a checkpoint through gzip JSON with its SHA-256', async () => {
    const checkpoint = sampleCheckpoint();
    const { body, sha256 } = await encodeCheckpoint(checkpoint);
    expect(body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(decodeCheckpoint(body, { sha256, runId: RUN_ID })).toEqual(checkpoint);
  });

  it('rejects bytes whose SHA-256 is not the recorded one', async () => {
    const { body, sha256 } = await encodeCheckpoint(sampleCheckpoint());
    const tampered = Buffer.from(body);
    tampered[tampered.length - 5] ^= 0xff;
    expect(() => decodeCheckpoint(tampered, { sha256, runId: RUN_ID })).toThrow(/SHA-256/);
  });

  it('rejects a checkpoint of another run', async () => {
    const { body, sha256 } = await encodeCheckpoint(sampleCheckpoint());
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

  const fetch = sampleCheckpoint().fetch;
  const walk = sampleCheckpoint().walk;
  it.each([
    ['an id that is not an Organizations id', { fetch: { ...fetch, unanswered: ['../../etc'] } }],
    ['an answer for a target the walk did not find', { fetch: { ...fetch, unanswered: ['333333333333'] } }],
    ['a target answered twice', { fetch: { ...fetch, unanswered: ['r-ab12'] } }],
    [
      'a negative attempt count',
      {
        fetch: {
          ...fetch,
          redrive: [{ targetId: '222222222222', errorCode: null, errorReason: null, attempts: -1 }],
        },
      },
    ],
    [
      'a target listed twice by the walk',
      {
        walk: {
          ...walk,
          listed: [...walk.listed, { parentId: 'r-ab12', ous: [], accounts: [{ id: '111111111111', status: null }] }],
        },
      },
    ],
    [
      'an OU id where an account id belongs',
      {
        walk: {
          ...walk,
          listed: [{ parentId: 'r-ab12', ous: [], accounts: [{ id: 'ou-ab12-22222222', status: null }] }],
        },
      },
    ],
    ['a frontier deeper than OUs nest', { walk: { ...walk, frontier: [{ parentId: 'ou-ab12-11111111', depth: 6 }] } }],
    [
      'a frontier entry the walk never found',
      { walk: { ...walk, frontier: [{ parentId: 'ou-ab12-99999999', depth: 1 }] } },
    ],
    ['an OU found but neither listed nor on the frontier', { walk: { ...walk, listed: walk.listed.slice(0, 1) } }],
    [
      'a definite unprocessed answer with a retryable code',
      {
        fetch: {
          ...fetch,
          unprocessed: [{ targetId: 'ou-ab12-11111111', errorCode: '429', errorReason: null, attempts: 1 }],
        },
      },
    ],
    [
      'a target due a re-drive with a terminal code',
      {
        fetch: { ...fetch, redrive: [{ targetId: '222222222222', errorCode: '403', errorReason: null, attempts: 1 }] },
      },
    ],
    [
      'a refused entry whose id is not quoted as the walk quotes it',
      { walk: { ...walk, rejected: [{ quotedId: '\u001b[2Jraw', type: 'ACCOUNT', parentId: 'r-ab12' }] } },
    ],
    ['another format version', { version: 1 }],
    ['an unknown field', { extra: true }],
  ])('rejects %s', (_name, change) => {
    const { body, sha256 } = encodeJson({ ...sampleCheckpoint(), ...change });
    expect(() => decodeCheckpoint(body, { sha256, runId: RUN_ID })).toThrow(CheckpointIntegrityError);
  });
});
