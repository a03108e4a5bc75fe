/**
 * The S3 fault proxy, seen by the real SDK S3Client: injected errors parse as S3's own,
 * the SDK's retries get through, and forwarded requests reach s3rver unchanged.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { parseS3Path, type S3FaultProxy } from '../support/s3-fault-proxy';
import { startLocalS3, type LocalS3 } from '../support/s3-server';

jest.setTimeout(30_000);

type FaultyS3 = LocalS3 & { readonly faultProxy: S3FaultProxy };

let s3: FaultyS3;
const clients: S3Client[] = [];

beforeAll(async () => {
  s3 = await startLocalS3({ faults: true });
});

afterEach(() => {
  s3.faultProxy.setRules([]);
  s3.faultProxy.resetStats();
  for (const c of clients.splice(0)) c.destroy();
});

afterAll(async () => {
  await s3?.close();
});

/** A client through the proxy; retries are the SDK's, with their real (short, jittered) delays. */
function client(maxAttempts?: number, endpoint = s3.endpoint): S3Client {
  const c = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });
  clients.push(c);
  return c;
}

const put = (c: S3Client, key: string, body: string | Buffer | Readable = `body of ${key}`) =>
  c.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, ContentType: 'application/json' }));

async function errorOf(promise: Promise<unknown>): Promise<S3ServiceException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof S3ServiceException)) throw new Error(`expected an S3ServiceException, got ${String(error)}`);
  return error;
}

describe('S3 fault proxy', () => {
  it('forwards everything untouched when there are no rules', async () => {
    await put(s3.client, 'plain/a.json', '{"a":1}');
    expect((await s3.getObject('plain/a.json')).toString()).toBe('{"a":1}');
    const out = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'plain/a.json' }));
    expect(out.ContentType).toBe('application/json');
    expect(await out.Body!.transformToString()).toBe('{"a":1}');
    expect(s3.faultProxy.stats()).toEqual({ 'plain/a.json': { putsSucceeded: 1, putsFailed: 0, injectedFailures: 0 } });
  });

  it('answers the first matching PUT with S3 InternalError 500, which a single-attempt client sees', async () => {
    s3.faultProxy.setRules([{ method: 'PUT', keyPattern: /^latest\//, failures: 1 }]);
    const error = await errorOf(put(client(1), 'latest/run.json'));
    expect(error.name).toBe('InternalError');
    expect(error.message).toBe('We encountered an internal error. Please try again.');
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(error.$metadata.requestId).toMatch(/^[0-9A-F]{16}$/);
    expect(error.$fault).toBe('server');
    expect(await s3.listKeys()).not.toContain('latest/run.json');

    // The one failure is used up: the next PUT passes.
    await put(client(1), 'latest/run.json');
    expect(s3.faultProxy.stats()['latest/run.json']).toEqual({ putsSucceeded: 1, putsFailed: 1, injectedFailures: 1 });
  });

  it('answers with SlowDown 503 when asked', async () => {
    s3.faultProxy.setRules([{ keyPattern: /slow/, failures: 1, status: 503 }]);
    const error = await errorOf(put(client(1), 'a/slow.json'));
    expect(error.name).toBe('SlowDown');
    expect(error.$metadata.httpStatusCode).toBe(503);
  });

  it('lets the default retries get a PUT that fails once through, written exactly once', async () => {
    s3.faultProxy.setRules([{ method: 'PUT', keyPattern: /^runs\//, failures: 1 }]);
    const out = await put(client(), 'runs/dt=2026-11-26/20261126T020000Z.json', '{"run":1}');
    expect(out.$metadata.attempts).toBe(2);
    expect(s3.faultProxy.stats()['runs/dt=2026-11-26/20261126T020000Z.json']).toEqual({
      putsSucceeded: 1,
      putsFailed: 1,
      injectedFailures: 1,
    });
    // The key is decoded for the pattern and the stats ('=' travels as %3D).
    expect((await s3.getObject('runs/dt=2026-11-26/20261126T020000Z.json')).toString()).toBe('{"run":1}');
  });

  it("fails every attempt with 'forever', and nothing reaches s3rver", async () => {
    s3.faultProxy.setRules([{ method: 'PUT', keyPattern: /^associations\//, failures: 'forever' }]);
    const error = await errorOf(put(client(), 'associations/x.jsonl.gz', Buffer.alloc(4096, 1)));
    expect(error.name).toBe('InternalError');
    expect(error.$metadata.attempts).toBe(3); // the SDK's default maxAttempts
    expect(s3.faultProxy.stats()['associations/x.jsonl.gz']).toEqual({
      putsSucceeded: 0,
      putsFailed: 3,
      injectedFailures: 3,
    });
    expect(await s3.listKeys()).not.toContain('associations/x.jsonl.gz');
  });

  it('passes keys and methods a rule does not match', async () => {
    s3.faultProxy.setRules([
      { method: 'PUT', keyPattern: /^latest\//, failures: 'forever' },
      { method: 'GET', keyPattern: /^other\//, failures: 'forever' },
    ]);
    await put(client(1), 'other/ok.json', 'ok');
    await put(client(1), 'not-latest/run.json', 'ok');
    // GET on a PUT-only key pattern passes too.
    await put(s3.client, 'seed.json', 'x'); // no rule matches: forwarded
    const got = await client(1).send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'seed.json' }));
    expect(await got.Body!.transformToString()).toBe('x');
    expect(s3.faultProxy.stats()).toEqual({
      'other/ok.json': { putsSucceeded: 1, putsFailed: 0, injectedFailures: 0 },
      'not-latest/run.json': { putsSucceeded: 1, putsFailed: 0, injectedFailures: 0 },
      'seed.json': { putsSucceeded: 1, putsFailed: 0, injectedFailures: 0 },
    });
    // ... while the GET rule does fail GETs.
    expect(
      (await errorOf(client(1).send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'other/ok.json' })))).name,
    ).toBe('InternalError');
  });

  it('pipes a streamed aws-chunked upload byte for byte, and fails one the same way', async () => {
    const payload = randomBytes(256 * 1024);
    const stream = () => Readable.from([payload.subarray(0, 100_000), payload.subarray(100_000)]);
    const c = client(1);
    // A stream body: the SDK frames it aws-chunked with a trailing checksum. s3rver does not
    // unframe it, so the check is that the proxy stores exactly what s3rver stores directly.
    await c.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'big/stream.bin', Body: stream(), ContentLength: payload.length }),
    );
    await client(1, s3.serverEndpoint).send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'big/direct.bin', Body: stream(), ContentLength: payload.length }),
    );
    const viaProxy = await s3.getObject('big/stream.bin');
    expect(viaProxy.length).toBeGreaterThanOrEqual(payload.length);
    expect(viaProxy.equals(await s3.getObject('big/direct.bin'))).toBe(true);
    expect(viaProxy.includes(payload.subarray(0, 1024))).toBe(true);

    s3.faultProxy.setRules([{ method: 'PUT', keyPattern: /^big\/again/, failures: 2 }]);
    for (const body of [payload, stream()]) {
      const error = await errorOf(
        c.send(
          new PutObjectCommand({ Bucket: s3.bucket, Key: 'big/again.bin', Body: body, ContentLength: payload.length }),
        ),
      );
      expect(error.name).toBe('InternalError');
    }
    expect(await s3.listKeys()).not.toContain('big/again.bin');
    expect(s3.faultProxy.stats()['big/again.bin']).toEqual({ putsSucceeded: 0, putsFailed: 2, injectedFailures: 2 });
  });

  it('reads and writes keys that need URL encoding', async () => {
    const key = 'odd keys/ä+b=c&d.json';
    s3.faultProxy.setRules([{ method: 'PUT', keyPattern: /^odd keys\/ä\+b=c&d\.json$/, failures: 1 }]);
    const out = await put(client(), key, 'odd');
    expect(out.$metadata.attempts).toBe(2);
    expect((await s3.getObject(key)).toString()).toBe('odd');
    expect(s3.faultProxy.stats()[key]).toEqual({ putsSucceeded: 1, putsFailed: 1, injectedFailures: 1 });
  });

  it('rejects a failure count that is not a count', () => {
    expect(() => s3.faultProxy.setRules([{ keyPattern: /x/, failures: -1 }])).toThrow(/non-negative integer/);
    expect(() => s3.faultProxy.setRules([{ keyPattern: /x/, failures: 1.5 }])).toThrow(/non-negative integer/);
  });
});

describe('parseS3Path', () => {
  it('splits a path-style URL into bucket and decoded key', () => {
    expect(parseS3Path('/bucket/a/dt%3D2026-11-26/x.json?x-id=PutObject')).toEqual({
      bucket: 'bucket',
      key: 'a/dt=2026-11-26/x.json',
    });
    expect(parseS3Path('/bucket?list-type=2')).toEqual({ bucket: 'bucket', key: '' });
    expect(parseS3Path('/bucket/')).toEqual({ bucket: 'bucket', key: '' });
    expect(parseS3Path('/bucket/%E0%A4%A')).toBeNull();
  });
});
