/** {@link ReportStore} over Amazon S3. */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MAX_STORED_OBJECT_BYTES } from './bounded-read';
import { type GetOptions, type ReportStore } from './report-store';
import { ReportStoreError, ObjectTooLargeError } from '../errors';

/** True for S3's "no such key" answer (and nothing else: a missing bucket or a 403 stay errors). */
function isNoSuchKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'NoSuchKey';
}

/**
 * Reads and writes report objects in one bucket. GetObject on a missing key needs
 * `s3:ListBucket` on the bucket to come back as NoSuchKey (404) rather than
 * AccessDenied (403); without it the first run fails instead of starting fresh.
 */
export class S3ReportStore implements ReportStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /**
   * PutObject with the given Content-Type. Content-Encoding is never sent for `.gz`
   * keys: with `Content-Encoding: gzip` HTTP clients unpack the object on download,
   * while Athena must read the raw gzip file.
   */
  async put(key: string, body: Buffer, contentType: string, contentEncoding?: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ...(contentEncoding !== undefined && !key.endsWith('.gz') ? { ContentEncoding: contentEncoding } : {}),
        }),
      );
    } catch (error) {
      throw new ReportStoreError(`Cannot write s3://${this.bucket}/${key}: ${describeError(error)}`, key, {
        cause: error,
      });
    }
  }

  /** Refuses by Content-Length before reading, and stops reading once past `maxBytes` whatever the header said. */
  async get(key: string, options: GetOptions = {}): Promise<Buffer | null> {
    const maxBytes = options.maxBytes ?? MAX_STORED_OBJECT_BYTES;
    const name = `s3://${this.bucket}/${key}`;
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = response.Body;
      if (!body) return Buffer.alloc(0);
      if ((response.ContentLength ?? 0) > maxBytes) {
        destroy(body);
        throw new ObjectTooLargeError(name, maxBytes);
      }
      return isAsyncIterable(body)
        ? await readAtMost(body, maxBytes, name)
        : checkedLength(Buffer.from(await body.transformToByteArray()), maxBytes, name);
    } catch (error) {
      if (error instanceof ObjectTooLargeError) throw error;
      if (isNoSuchKey(error)) return null;
      throw new ReportStoreError(`Cannot read s3://${this.bucket}/${key}: ${describeError(error)}`, key, {
        cause: error,
      });
    }
  }

  describe(): string {
    return `s3://${this.bucket}`;
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function destroy(body: unknown): void {
  const destroyable = body as { destroy?: unknown };
  if (typeof destroyable.destroy === 'function') (destroyable.destroy as () => void).call(body);
}

function checkedLength(bytes: Buffer, maxBytes: number, name: string): Buffer {
  if (bytes.length > maxBytes) throw new ObjectTooLargeError(name, maxBytes);
  return bytes;
}

/** Collects a body stream, giving up (and closing the stream) as soon as it passes `maxBytes`. */
async function readAtMost(body: AsyncIterable<Uint8Array>, maxBytes: number, name: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > maxBytes) {
      destroy(body);
      throw new ObjectTooLargeError(name, maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

function describeError(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
