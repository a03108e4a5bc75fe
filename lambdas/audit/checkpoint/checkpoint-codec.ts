/**
 * A checkpoint's bytes: gzip-compressed JSON, with a SHA-256 of the compressed bytes that
 * is recorded alongside (in the manifest) and checked before anything is decompressed.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import { SavedWalkError, CheckpointIntegrityError } from '../errors';
import { checkSavedWalk } from '../organizations/saved-walk';
import { checkpointSchema, type Checkpoint } from './checkpoint-schema';

/**
 * Largest compressed checkpoint read back; the largest organization the quotas allow needs a few MB.
 * @internal Exported for its tests.
 */
export const MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;
/** Largest decompressed checkpoint: bounds a gzip bomb before JSON.parse sees it. */
const MAX_CHECKPOINT_INFLATED_BYTES = 256 * 1024 * 1024;

/** An encoded checkpoint. */
export interface EncodedCheckpoint {
  readonly body: Buffer;
  /** Lower-case hex SHA-256 of `body`. */
  readonly sha256: string;
}

/**
 * Hex SHA-256 of some bytes.
 * @internal Exported for its tests.
 */
export const sha256Hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const gzipAsync = promisify(gzip);

/**
 * Serializes and compresses a checkpoint (level 6: most of the gain for a fraction of level
 * 9's time). The compression runs on libuv's thread pool, so the pipeline's calls go on meanwhile.
 */
export async function encodeCheckpoint(checkpoint: Checkpoint): Promise<EncodedCheckpoint> {
  const body = await gzipAsync(Buffer.from(JSON.stringify(checkpoint), 'utf8'), { level: 6 });
  return { body, sha256: sha256Hex(body) };
}

/**
 * Checks size and checksum, decompresses with a bound, parses and validates a checkpoint,
 * and checks that it belongs to `runId`.
 * @throws CheckpointIntegrityError on any mismatch.
 */
export function decodeCheckpoint(
  body: Buffer,
  expected: { readonly sha256: string; readonly runId: string },
): Checkpoint {
  if (body.length > MAX_CHECKPOINT_BYTES) {
    throw new CheckpointIntegrityError(`checkpoint is ${body.length} bytes, more than ${MAX_CHECKPOINT_BYTES}`);
  }
  const actual = sha256Hex(body);
  if (actual !== expected.sha256) {
    throw new CheckpointIntegrityError(`checkpoint SHA-256 ${actual} does not match the recorded ${expected.sha256}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(body, { maxOutputLength: MAX_CHECKPOINT_INFLATED_BYTES }).toString('utf8'));
  } catch (error) {
    throw new CheckpointIntegrityError('checkpoint is not gzip-compressed JSON within the size bound', {
      cause: error,
    });
  }
  const result = checkpointSchema.safeParse(parsed);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new CheckpointIntegrityError(
      `checkpoint does not match its schema: ${first?.path.join('.') ?? ''} ${first?.message ?? ''}`.slice(0, 500),
    );
  }
  if (result.data.runId !== expected.runId) {
    throw new CheckpointIntegrityError(`checkpoint belongs to run ${result.data.runId}, not ${expected.runId}`);
  }
  try {
    checkSavedWalk(result.data.walk);
  } catch (error) {
    if (!(error instanceof SavedWalkError)) throw error;
    throw new CheckpointIntegrityError(`checkpoint walk is not one a walk could have saved: ${error.message}`, {
      cause: error,
    });
  }
  return result.data;
}
