/**
 * Per-target bookkeeping of the fan-out: which targets it knows, how often each was asked
 * for, and the latest outcome of each. Every known target is in at most one of
 * `associations` and `unprocessed`; in neither when the latest answer did not mention it
 * (MISSING downstream). Plain maps of plain records, so the state could be written out
 * (e.g. as `[...map.entries()]` JSON) and read back for a resumed run.
 */
import type { Association, UnprocessedTarget } from '../model';
import type { TargetOutcome } from './association-answers';
import type { FetchTarget } from './fetch-types';
import { DEADLINE_EXCEEDED, isRetryableErrorCode } from './unprocessed-errors';
import { InvariantError } from '../errors';
import { capNullable, MAX_ID_LENGTH, MAX_SERVICE_TEXT_LENGTH } from '../util/text-bounds';

/**
 * The answers of a fan-out as a resumable run saves them. A known target in none of the
 * lists has not been answered yet (never asked, not sent, or its call was in flight) and
 * is asked again by the fan-out that resumes.
 */
export interface LedgerProgress {
  /** Definite: an association. */
  readonly associations: readonly Association[];
  /** Definite: unprocessed with a terminal code. */
  readonly unprocessed: readonly UnprocessedTarget[];
  /** Unprocessed with a retryable code: due another re-drive round, with the calls so far. */
  readonly redrive: readonly UnprocessedTarget[];
  /** Asked, and the answer mentioned them in neither list (MISSING downstream). */
  readonly unanswered: readonly string[];
}

/** A known target and the number of calls that asked for it. */
export interface TargetEntry {
  readonly target: FetchTarget;
  attempts: number;
}

/** See the module comment. */
export class TargetLedger {
  /** Known targets in the order they were added; the first occurrence of an id wins. */
  readonly entries = new Map<string, TargetEntry>();
  readonly associations = new Map<string, Association>();
  readonly unprocessed = new Map<string, UnprocessedTarget>();
  /** Targets that have had an outcome at least once, for progress reporting. */
  readonly settled = new Set<string>();

  /** Adds targets; returns those not known before (a target asked for twice is counted once). */
  add(targets: readonly FetchTarget[]): TargetEntry[] {
    const added: TargetEntry[] = [];
    for (const target of targets) {
      if (this.entries.has(target.id)) continue;
      const entry = { target, attempts: 0 };
      this.entries.set(target.id, entry);
      added.push(entry);
    }
    return added;
  }

  /** Targets known so far. */
  get total(): number {
    return this.entries.size;
  }

  /** The entries of `ids`, which must be known. */
  entriesOf(ids: readonly string[]): TargetEntry[] {
    return ids.map((id) => {
      const entry = this.entries.get(id);
      if (entry === undefined) throw new InvariantError(`target ${id} is not in the fan-out's ledger`);
      return entry;
    });
  }

  /** The answers so far (see {@link LedgerProgress}); a copy, consistent at the moment it is taken. */
  progress(): LedgerProgress {
    const progress = { associations: [] as Association[], unprocessed: [] as UnprocessedTarget[] };
    const redrive: UnprocessedTarget[] = [];
    const unanswered: string[] = [];
    for (const id of this.entries.keys()) {
      const association = this.associations.get(id);
      const unprocessed = this.unprocessed.get(id);
      if (association !== undefined) progress.associations.push(association);
      else if (unprocessed === undefined) {
        if (this.settled.has(id)) unanswered.push(id);
      } else if (unprocessed.errorCode === DEADLINE_EXCEEDED) {
        // Never sent: not an answer.
      } else if (isRetryableErrorCode(unprocessed.errorCode)) redrive.push(unprocessed);
      else progress.unprocessed.push(unprocessed);
    }
    return { ...progress, redrive, unanswered };
  }

  /**
   * Known targets (`targets`, in order) with the answers `saved` of an earlier invocation.
   * Returns the entries with no answer yet, to ask for, and the ids due a re-drive round.
   * Must be called on an empty ledger.
   */
  restore(targets: readonly FetchTarget[], saved: LedgerProgress): { pending: TargetEntry[]; redrive: string[] } {
    if (this.entries.size > 0) throw new InvariantError('restoring into a ledger in use');
    this.add(targets);
    const answered = (id: string, attempts: number): void => {
      const entry = this.entriesOf([id])[0];
      entry.attempts = attempts;
      this.settled.add(id);
    };
    for (const a of saved.associations) {
      answered(a.targetId, 0);
      this.associations.set(a.targetId, a);
    }
    for (const u of [...saved.unprocessed, ...saved.redrive]) {
      answered(u.targetId, u.attempts);
      this.unprocessed.set(u.targetId, u);
    }
    for (const id of saved.unanswered) answered(id, 0);
    const pending = [...this.entries.values()].filter((entry) => !this.settled.has(entry.target.id));
    return { pending, redrive: saved.redrive.map((u) => u.targetId) };
  }

  /** A call asking for `group` is being sent. */
  recordSent(group: readonly TargetEntry[]): void {
    for (const entry of group) entry.attempts += 1;
  }

  /**
   * Applies an answer's outcomes to `group`. Returns the ids to ask for again: those
   * unprocessed with a retryable code. Targets the answer did not mention lose what an
   * older answer said.
   */
  applyOutcomes(group: readonly TargetEntry[], outcomes: ReadonlyMap<string, TargetOutcome>): string[] {
    const retry: string[] = [];
    for (const { target } of group) {
      const outcome = outcomes.get(target.id);
      if (outcome === undefined) {
        this.associations.delete(target.id);
        this.unprocessed.delete(target.id);
      } else if (outcome.kind === 'FOUND') {
        this.unprocessed.delete(target.id);
        this.associations.set(target.id, outcome.association);
      } else {
        this.markUnprocessed(target.id, outcome.errorCode, outcome.errorReason);
        if (isRetryableErrorCode(outcome.errorCode)) retry.push(target.id);
      }
    }
    return retry;
  }

  /** Every target of `group` is unprocessed with this error; returns those worth asking again. */
  failGroup(group: readonly TargetEntry[], errorCode: string, errorReason: string | null): string[] {
    for (const { target } of group) this.markUnprocessed(target.id, errorCode, errorReason);
    return isRetryableErrorCode(errorCode) ? group.map((entry) => entry.target.id) : [];
  }

  /** Targets of a group never sent keep what they knew, or get DEADLINE_EXCEEDED. */
  markNotSent(group: readonly TargetEntry[]): void {
    for (const { target } of group) {
      // A re-driven target keeps its last real error: more useful than "deadline".
      if (!this.unprocessed.has(target.id) && !this.associations.has(target.id)) {
        this.markUnprocessed(target.id, DEADLINE_EXCEEDED, 'Not requested: the run deadline came first');
      }
    }
  }

  /** Marks `group` as having had an outcome; returns how many targets have had one. */
  settle(group: readonly TargetEntry[]): number {
    for (const { target } of group) this.settled.add(target.id);
    return this.settled.size;
  }

  private markUnprocessed(id: string, errorCode: string | null, errorReason: string | null): void {
    this.associations.delete(id);
    const attempts = this.entries.get(id)?.attempts ?? 0;
    // Cut here, where every unprocessed outcome passes, to the bounds the checkpoint and report read back.
    this.unprocessed.set(id, {
      targetId: id,
      errorCode: capNullable(errorCode, MAX_ID_LENGTH),
      errorReason: capNullable(errorReason, MAX_SERVICE_TEXT_LENGTH),
      attempts,
    });
  }
}
