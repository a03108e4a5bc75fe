/**
 * Where a run's checkpoint lives, and writing and reading it atomically. The data goes to
 * one of two slots, then a small manifest names the slot and records its SHA-256: the
 * manifest is written only after the data, so an invocation that dies mid-write leaves
 * the previous manifest pointing at the previous, intact slot. Two slots bound what a run
 * keeps, and a lifecycle rule on the prefix removes what finished runs leave behind.
 *
 * The manifest carries a MAC bound to its key, the run and the state machine execution;
 * since it records the slot's SHA-256, it authenticates the slot too. A run whose report
 * is written marks its manifest finished, so a later invocation for the same schedule time
 * reads the live organization instead of the finished run's leftovers.
 */
import { z } from 'zod';
import { type ReportStore } from '../store/report-store';
import { RUN_ID_PATTERN } from '../report/run-id';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec';
import type { Checkpoint } from './checkpoint-schema';
import { CheckpointIntegrityError } from '../errors';
import { MAC_PATTERN, type MacContext, type ObjectMac } from '../store/object-mac';

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
  /** State machine execution that wrote it; `null` for a direct invocation. */
  execution: z.string().max(2048).nullable(),
  /** True once the run's report is written: nothing left to resume. */
  finished: z.boolean(),
  mac: z.string().regex(MAC_PATTERN).nullable(),
});
/** A checkpoint manifest as written and read. */
export type Manifest = z.infer<typeof manifestSchema>;

/** Keys of one run's checkpoint objects. */
export function checkpointKeys(prefix: string, runId: string): { manifest: string; slots: readonly [string, string] } {
  if (!RUN_ID_PATTERN.test(runId)) throw new CheckpointIntegrityError(`unsafe run id ${JSON.stringify(runId)}`);
  const dir = `${prefix}${CHECKPOINT_DIR}/${runId}`;
  return { manifest: `${dir}/manifest.json`, slots: [`${dir}/slot-0.json.gz`, `${dir}/slot-1.json.gz`] };
}

/**
 * The bytes a manifest's MAC covers: its fields in a fixed order, `mac` left out.
 * @internal Exported for its tests.
 */
export function manifestMacContent(m: Manifest): Buffer {
  const { runId, slot, sha256, bytes, sequence, execution, finished } = m;
  return Buffer.from(JSON.stringify({ runId, slot, sha256, bytes, sequence, execution, finished }), 'utf8');
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
    private readonly signing: { readonly mac: ObjectMac; readonly execution: string | null },
  ) {
    this.keys = checkpointKeys(prefix, runId);
  }

  private context(): MacContext {
    const { runId, keys, signing } = this;
    return { kind: 'checkpoint-manifest', key: keys.manifest, runId, execution: signing.execution };
  }

  /**
   * The run's latest checkpoint; `null` when it has none, `'finished'` when its report is written.
   * @throws CheckpointIntegrityError when one exists but cannot be trusted (unsigned, another
   *   execution, inconsistent).
   * @throws MacServiceError when the key service fails.
   */
  async read(): Promise<StoredCheckpoint | 'finished' | null> {
    const raw = await this.store.get(this.keys.manifest);
    if (raw === null) return null;
    const manifest = await this.authenticManifest(raw);
    if (manifest.finished) return 'finished';
    if (manifest.execution !== this.signing.execution) {
      throw new CheckpointIntegrityError(
        `checkpoint belongs to execution ${JSON.stringify(manifest.execution)}, not ${JSON.stringify(this.signing.execution)}`,
      );
    }
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
    await this.putManifest({ slot, sha256, bytes: body.length, sequence, finished: false });
    return body.length;
  }

  /**
   * Marks the run finished (its report is written) as checkpoint number `sequence`: the
   * manifest names no slot any more, so nothing of this run is resumed from again.
   */
  async finish(sequence: number): Promise<void> {
    await this.putManifest({ slot: 0, sha256: '0'.repeat(64), bytes: 0, sequence, finished: true });
  }

  private async putManifest(fields: Omit<Manifest, 'runId' | 'execution' | 'mac'>): Promise<void> {
    const unsigned: Manifest = { runId: this.runId, execution: this.signing.execution, ...fields, mac: null };
    const mac = await this.signing.mac.sign(this.context(), manifestMacContent(unsigned));
    const body = Buffer.from(JSON.stringify({ ...unsigned, mac }));
    await this.store.put(this.keys.manifest, body, 'application/json');
  }

  /** The manifest, parsed, of this run and carrying a valid MAC for this key and execution. */
  private async authenticManifest(raw: Buffer): Promise<Manifest> {
    const manifest = this.parseManifest(raw);
    const context = { ...this.context(), execution: manifest.execution };
    const verdict = await this.signing.mac.verify(context, manifestMacContent(manifest), manifest.mac);
    if (!verdict.valid)
      throw new CheckpointIntegrityError(`checkpoint manifest is not authenticated: ${verdict.reason}`);
    return manifest;
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
