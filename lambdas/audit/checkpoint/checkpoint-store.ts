/**
 * Where a run's checkpoint lives, and writing and reading it atomically. The data goes to
 * one of two slots, then a small manifest names the slot and records its SHA-256: the
 * manifest is written only after the data, so an invocation that dies mid-write leaves
 * the previous manifest pointing at the previous, intact slot. Two slots bound what a run
 * keeps, and a lifecycle rule on the prefix removes what finished runs leave behind.
 */
import { z } from 'zod';
import { type ReportStore } from '../store/report-store';
import { RUN_ID_PATTERN } from '../report/run-id';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec';
import type { Checkpoint } from './checkpoint-schema';
import { CheckpointIntegrityError } from '../errors';

/** Folder of every checkpoint under the report prefix; not a table location Athena reads. */
export const CHECKPOINT_DIR = 'checkpoints';

/** Largest manifest read back. */
const MAX_MANIFEST_BYTES = 4_096;

const manifestSchema = z.strictObject({
  runId: z.string().regex(RUN_ID_PATTERN),
  slot: z.union([z.literal(0), z.literal(1)]),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  /** Increases with every checkpoint of the run. */
  sequence: z.number().int().nonnegative(),
});
type Manifest = z.infer<typeof manifestSchema>;

/** Keys of one run's checkpoint objects. */
export function checkpointKeys(prefix: string, runId: string): { manifest: string; slots: readonly [string, string] } {
  if (!RUN_ID_PATTERN.test(runId)) throw new CheckpointIntegrityError(`unsafe run id ${JSON.stringify(runId)}`);
  const dir = `${prefix}${CHECKPOINT_DIR}/${runId}`;
  return { manifest: `${dir}/manifest.json`, slots: [`${dir}/slot-0.json.gz`, `${dir}/slot-1.json.gz`] };
}

/** A checkpoint read back, with the manifest sequence the next write continues from. */
export interface StoredCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly sequence: number;
}

/** Reads and writes one run's checkpoints in a report store. */
export class CheckpointStore {
  private readonly keys: ReturnType<typeof checkpointKeys>;

  constructor(
    private readonly store: ReportStore,
    prefix: string,
    private readonly runId: string,
  ) {
    this.keys = checkpointKeys(prefix, runId);
  }

  /**
   * The run's latest checkpoint, or `null` when it has none.
   * @throws CheckpointIntegrityError when one exists but cannot be trusted.
   */
  async read(): Promise<StoredCheckpoint | null> {
    const raw = await this.store.get(this.keys.manifest);
    if (raw === null) return null;
    const manifest = this.parseManifest(raw);
    const body = await this.store.get(this.keys.slots[manifest.slot]);
    if (body === null)
      throw new CheckpointIntegrityError(`checkpoint slot ${manifest.slot} named by the manifest is missing`);
    if (body.length !== manifest.bytes) {
      throw new CheckpointIntegrityError(`checkpoint is ${body.length} bytes, the manifest recorded ${manifest.bytes}`);
    }
    return {
      checkpoint: decodeCheckpoint(body, { sha256: manifest.sha256, runId: this.runId }),
      sequence: manifest.sequence,
    };
  }

  /**
   * Writes `checkpoint` as number `sequence` (one more than the last) into the slot the
   * current manifest does not name, then the manifest. Returns the compressed size.
   */
  async write(checkpoint: Checkpoint, sequence: number): Promise<number> {
    if (checkpoint.runId !== this.runId) throw new CheckpointIntegrityError('checkpoint of another run');
    const { body, sha256 } = await encodeCheckpoint(checkpoint);
    const slot = (sequence % 2) as 0 | 1;
    await this.store.put(this.keys.slots[slot], body, 'application/json', 'gzip');
    const manifest: Manifest = { runId: this.runId, slot, sha256, bytes: body.length, sequence };
    await this.store.put(this.keys.manifest, Buffer.from(JSON.stringify(manifest)), 'application/json');
    return body.length;
  }

  private parseManifest(raw: Buffer): Manifest {
    if (raw.length > MAX_MANIFEST_BYTES) throw new CheckpointIntegrityError('checkpoint manifest is too large');
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new CheckpointIntegrityError('checkpoint manifest is not JSON', { cause: error });
    }
    const result = manifestSchema.safeParse(json);
    if (!result.success) throw new CheckpointIntegrityError('checkpoint manifest does not match its schema');
    if (result.data.runId !== this.runId) {
      throw new CheckpointIntegrityError(`checkpoint manifest belongs to run ${result.data.runId}, not ${this.runId}`);
    }
    return result.data;
  }
}
