/** {@link ReportStore} over Amazon S3. */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ReportStoreError, type ReportStore } from './report-store';

export { ReportStoreError } from './report-store';

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

  async get(key: string): Promise<Buffer | null> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!response.Body) return Buffer.alloc(0);
      return Buffer.from(await response.Body.transformToByteArray());
    } catch (error) {
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

function describeError(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
