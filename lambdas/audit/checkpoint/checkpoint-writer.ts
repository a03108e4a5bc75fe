/**
 * Writes a run's checkpoints in order, off the pipeline's path: a snapshot is taken
 * synchronously (so it is consistent), then compressed and written while the walk and the
 * fan-out go on. At most one write is in flight and the writes keep their order, so the
 * manifest always names the newest checkpoint that was written whole.
 */
import type { Clock } from '../model';
import type { Checkpoint } from './checkpoint-schema';
import type { CheckpointStore } from './checkpoint-store';
import type { AuditLogger } from '../types/audit';

/** Checkpointing done by one invocation. */
export interface CheckpointTally {
  /** Whether the invocation started from a checkpoint. */
  readonly resumed: boolean;
  readonly written: number;
  /** Compressed bytes written. */
  readonly bytes: number;
}

/** What a {@link CheckpointWriter} needs. */
export interface CheckpointWriterProps {
  readonly store: CheckpointStore;
  readonly clock: Clock;
  readonly logger?: AuditLogger;
  readonly runId: string;
  /** Sequence number of the checkpoint this invocation started from (0 for none). */
  readonly sequence: number;
  readonly resumed: boolean;
  /** Least time between two periodic checkpoints. */
  readonly intervalMs: number;
  /**
   * Epoch ms after which no periodic checkpoint starts: the invocation is ending, and its
   * last checkpoint (if it continues) should not wait behind one.
   */
  readonly deadline: number;
}

/** See the module comment. */
export class CheckpointWriter {
  private sequence: number;
  private written = 0;
  private bytes = 0;
  private lastAt: number;
  private inFlight: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly props: CheckpointWriterProps) {
    this.sequence = props.sequence;
    this.lastAt = props.clock.now();
  }

  /**
   * Starts writing `take()` when the interval has passed since the last checkpoint and no
   * write is in flight; `take` is only called then. A periodic write that fails is logged:
   * the run goes on, and the next checkpoint (or the last one written) covers it.
   */
  saveIfDue(take: () => Checkpoint): void {
    const now = this.props.clock.now();
    if (this.closed || this.inFlight !== undefined || now >= this.props.deadline) return;
    if (now - this.lastAt < this.props.intervalMs) return;
    this.lastAt = now;
    this.inFlight = this.write(take()).then(
      () => undefined,
      (error: unknown) => {
        this.props.logger?.warn('A periodic checkpoint could not be written; the run goes on', {
          runId: this.props.runId,
          error: error instanceof Error ? error.name : 'unknown',
        });
      },
    );
    void this.inFlight.finally(() => (this.inFlight = undefined));
  }

  /**
   * Starts no further periodic write and waits for the one in flight, if any: called when
   * the invocation's work has ended (or failed), so that nothing left running can write
   * after it, e.g. when Lambda thaws the execution environment for the next invocation.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.inFlight;
  }

  /** Writes `checkpoint` after any write in flight; its failure is the caller's. */
  async save(checkpoint: Checkpoint): Promise<void> {
    await this.inFlight;
    await this.write(checkpoint);
  }

  /**
   * Marks the run finished once its report is written (after any write in flight), so
   * that no later invocation resumes from its leftovers. Its failure is the caller's.
   */
  async finish(): Promise<void> {
    this.closed = true;
    await this.inFlight;
    await this.props.store.finish(this.sequence + 1);
    this.sequence += 1;
  }

  /** What this invocation wrote. */
  tally(): CheckpointTally {
    return { resumed: this.props.resumed, written: this.written, bytes: this.bytes };
  }

  private async write(checkpoint: Checkpoint): Promise<void> {
    // Advanced only once written: after a failed write the next one goes to the same slot,
    // never to the slot of the checkpoint the manifest still names.
    const sequence = this.sequence + 1;
    const bytes = await this.props.store.write(checkpoint, sequence);
    this.sequence = sequence;
    this.written += 1;
    this.bytes += bytes;
    this.props.logger?.info('Checkpoint written', { runId: this.props.runId, bytes, sequence });
  }
}
