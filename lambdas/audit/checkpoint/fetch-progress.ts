/**
 * The fan-out's progress as a checkpoint can hold it: which targets have a definite
 * answer, which are still to ask for, and which wait for another re-drive round. Pure
 * bookkeeping over the results of `fetchAssociations` calls on slices of the targets.
 */
import type { Association, FetchResult, UnprocessedTarget } from '../model';
import { DEADLINE_EXCEEDED, isRetryableErrorCode } from '../securityhub/unprocessed-errors';

/** Mutable progress of a run's fan-out. */
export interface FetchProgress {
  readonly associations: Map<string, Association>;
  /** Definite "unprocessed" answers (terminal, or re-drives used up). */
  readonly unprocessed: Map<string, UnprocessedTarget>;
  /** Never asked for yet, in walk order. */
  readonly pending: string[];
  /** Asked, answered with a retryable error, due another round: their last answer. */
  readonly redrive: Map<string, UnprocessedTarget>;
}

/** Progress of a run that has asked for nothing yet. */
export function freshProgress(targetIds: readonly string[]): FetchProgress {
  return { associations: new Map(), unprocessed: new Map(), pending: [...targetIds], redrive: new Map() };
}

/**
 * Folds the result of one `fetchAssociations` call (with no re-drive rounds of its own)
 * for `asked` into `progress`. A target the call never sent (DEADLINE_EXCEEDED, no
 * attempt) goes back where it came from; one answered with a retryable error waits for
 * a re-drive round; an association, a terminal error, or no mention at all (MISSING) is
 * definite. Returns the ids that were not sent, for the caller to put back.
 */
export function foldFetchResult(progress: FetchProgress, asked: readonly string[], result: FetchResult): string[] {
  const notSent: string[] = [];
  for (const id of asked) {
    const before = progress.redrive.get(id);
    progress.redrive.delete(id);
    const association = result.associations.get(id);
    const unprocessed = result.unprocessed.get(id);
    if (association !== undefined) {
      progress.associations.set(id, association);
    } else if (unprocessed === undefined) {
      // Asked and not mentioned in the answer: MISSING, as in an uninterrupted run.
    } else if (unprocessed.errorCode === DEADLINE_EXCEEDED && unprocessed.attempts === 0) {
      notSent.push(id);
      // A re-driven target keeps its last real error, as fetchAssociations does.
      if (before !== undefined) progress.redrive.set(id, before);
    } else {
      const total = { ...unprocessed, attempts: unprocessed.attempts + (before?.attempts ?? 0) };
      if (isRetryableErrorCode(unprocessed.errorCode)) progress.redrive.set(id, total);
      else progress.unprocessed.set(id, total);
    }
  }
  return notSent;
}

/**
 * Ends the fan-out as it stands: re-drive candidates keep their last error, targets never
 * asked become DEADLINE_EXCEEDED, as `fetchAssociations` reports them at its deadline.
 */
export function settleProgress(progress: FetchProgress): void {
  for (const [id, last] of progress.redrive) progress.unprocessed.set(id, last);
  progress.redrive.clear();
  for (const id of progress.pending) {
    progress.unprocessed.set(id, {
      targetId: id,
      errorCode: DEADLINE_EXCEEDED,
      errorReason: 'Not requested: the run deadline came first',
      attempts: 0,
    });
  }
  progress.pending.length = 0;
}
