import {
  GetObjectCommand,
  NoSuchBucket,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ReportStore } from '../../../../lambdas/audit/store/s3-report-store';
import { ObjectTooLargeError, ReportStoreError } from '../../../../lambdas/audit/errors';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

/** What GetObject's Body offers; enough of the SDK's stream mixin for the store. */
const bodyOf = (text: string) => ({ transformToByteArray: () => Promise.resolve(new Uint8Array(Buffer.from(text))) });

describe('S3ReportStore', () => {
  beforeEach(() => s3.reset());

  it('puts with Content-Type and never sets Content-Encoding on .gz objects', async () => {
    s3.on(PutObjectCommand).resolves({});
    const store = new S3ReportStore(client, 'reports');
    await store.put('associations/dt=2026-11-26/r.jsonl.gz', Buffer.from('gz'), 'application/gzip', 'gzip');
    await store.put('runs/dt=2026-11-26/r.json', Buffer.from('{}'), 'application/json');
    await store.put('notes.txt', Buffer.from('x'), 'text/plain', 'identity');
    const inputs = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({
      Bucket: 'reports',
      Key: 'associations/dt=2026-11-26/r.jsonl.gz',
      Body: Buffer.from('gz'),
      ContentType: 'application/gzip',
    });
    expect(inputs[1]).toEqual({
      Bucket: 'reports',
      Key: 'runs/dt=2026-11-26/r.json',
      Body: Buffer.from('{}'),
      ContentType: 'application/json',
    });
    expect(inputs[2]).toMatchObject({ ContentEncoding: 'identity' });
  });

  it('gets the object bytes', async () => {
    s3.on(GetObjectCommand, { Bucket: 'reports', Key: 'latest/run.json' }).resolves({
      Body: bodyOf('{"a":1}') as never,
    });
    expect((await new S3ReportStore(client, 'reports').get('latest/run.json'))?.toString()).toBe('{"a":1}');
  });

  it('refuses an object whose Content-Length is over the limit, without reading it', async () => {
    const body = { ...bodyOf('x'.repeat(10)), destroy: jest.fn() };
    s3.on(GetObjectCommand).resolves({ Body: body as never, ContentLength: 11 });
    const error = await new S3ReportStore(client, 'reports').get('big.json', { maxBytes: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectTooLargeError);
    expect((error as Error).message).toBe('s3://reports/big.json: object is too large (over 10 bytes); not read');
    expect(body.destroy).toHaveBeenCalled();
  });

  it('stops streaming past the limit even when Content-Length understates the object', async () => {
    let served = 0;
    async function* chunks() {
      for (let i = 0; i < 1000; i += 1) {
        served += 1;
        yield await Promise.resolve(new Uint8Array(1024));
      }
    }
    s3.on(GetObjectCommand).resolves({ Body: chunks() as never, ContentLength: 1 });
    await expect(new S3ReportStore(client, 'reports').get('big.gz', { maxBytes: 4096 })).rejects.toThrow(
      ObjectTooLargeError,
    );
    expect(served).toBe(5);
    s3.on(GetObjectCommand).resolves({ Body: bodyOf('x'.repeat(4096)) as never });
    expect(await new S3ReportStore(client, 'reports').get('ok.json', { maxBytes: 4096 })).toHaveLength(4096);
  });

  it('returns null on NoSuchKey', async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }),
    );
    expect(await new S3ReportStore(client, 'reports').get('latest/run.json')).toBeNull();
  });

  it('does not mistake a missing bucket or AccessDenied for a missing key', async () => {
    const store = new S3ReportStore(client, 'reports');
    s3.on(GetObjectCommand).rejects(
      new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } }),
    );
    await expect(store.get('latest/run.json')).rejects.toThrow(ReportStoreError);
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      message: 'Access Denied',
      $metadata: { httpStatusCode: 403 },
    });
    s3.on(GetObjectCommand).rejects(denied);
    const error = (await store.get('latest/run.json').catch((e: unknown) => e)) as ReportStoreError;
    expect(error).toBeInstanceOf(ReportStoreError);
    expect(error.message).toBe('Cannot read s3://reports/latest/run.json: AccessDenied: Access Denied');
    expect(error.cause).toBe(denied);
    expect(error.key).toBe('latest/run.json');
  });

  it('wraps put failures with the key and cause', async () => {
    const cause = new Error('socket hang up');
    s3.on(PutObjectCommand).rejects(cause);
    const error = (await new S3ReportStore(client, 'reports')
      .put('runs/x.json', Buffer.from('x'), 'application/json')
      .catch((e: unknown) => e)) as ReportStoreError;
    expect(error).toBeInstanceOf(ReportStoreError);
    expect(error.message).toBe('Cannot write s3://reports/runs/x.json: socket hang up');
    expect(error.cause).toBe(cause);
  });

  it('describes itself as the bucket', () => {
    expect(new S3ReportStore(client, 'reports').describe()).toBe('s3://reports');
  });
});
