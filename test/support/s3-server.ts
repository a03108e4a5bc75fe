import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { startS3FaultProxy, type S3FaultProxy } from './s3-fault-proxy';

/** A real S3-compatible server (s3rver) on 127.0.0.1 with one bucket, for integration tests. */
export interface LocalS3 {
  /** Where `client` sends requests: the fault proxy when started with `faults: true`, else s3rver. */
  readonly endpoint: string;
  /** s3rver's own endpoint, past any proxy. */
  readonly serverEndpoint: string;
  readonly bucket: string;
  /** For the code under test; goes through the fault proxy when there is one. */
  readonly client: S3Client;
  /** Present when started with `faults: true`. */
  readonly faultProxy?: S3FaultProxy;
  /** Every key in the bucket, sorted. Straight to s3rver: fault rules and proxy stats do not see it. */
  listKeys(): Promise<string[]>;
  /** An object's bytes, straight from s3rver like {@link listKeys}. */
  getObject(key: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** Options of {@link startLocalS3}. */
export interface LocalS3Options {
  /** Default `audit-reports-test`. */
  readonly bucket?: string;
  /** Front s3rver with an {@link S3FaultProxy} and send `client` through it. */
  readonly faults?: boolean;
}

function clientFor(endpoint: string): S3Client {
  // s3rver accepts any credentials; path style because there is no DNS for bucket hosts.
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
}

/** Starts s3rver on an ephemeral loopback port, backed by a temporary directory, optionally behind a fault proxy. */
export async function startLocalS3(
  options: LocalS3Options & { readonly faults: true },
): Promise<LocalS3 & { readonly faultProxy: S3FaultProxy }>;
export async function startLocalS3(bucketOrOptions?: string | LocalS3Options): Promise<LocalS3>;
export async function startLocalS3(bucketOrOptions: string | LocalS3Options = {}): Promise<LocalS3> {
  const options = typeof bucketOrOptions === 'string' ? { bucket: bucketOrOptions } : bucketOrOptions;
  const bucket = options.bucket ?? 'audit-reports-test';
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  const s3rverEndpoint = `http://127.0.0.1:${port}`;
  let faultProxy: S3FaultProxy | undefined;
  try {
    if (options.faults) faultProxy = await startS3FaultProxy(s3rverEndpoint);
  } catch (error) {
    await server.close();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = faultProxy?.endpoint ?? s3rverEndpoint;
  const client = clientFor(endpoint);
  // Test assertions read past the proxy, so a rule on GETs cannot fail them.
  const direct = faultProxy ? clientFor(s3rverEndpoint) : client;
  await direct.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    serverEndpoint: s3rverEndpoint,
    bucket,
    client,
    ...(faultProxy ? { faultProxy } : {}),
    async listKeys() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await direct.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    async getObject(key) {
      const out = await direct.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    },
    async close() {
      client.destroy();
      if (direct !== client) direct.destroy();
      await faultProxy?.close();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
