/** The findings step's shared types: what Security Hub holds of the audit's own findings. */
import type { TargetType } from '../model';

/**
 * One of the audit's ACTIVE findings as GetFindings returned it, validated: the target it
 * names and the timestamps the next update must respect. Timestamps are ISO 8601 strings
 * that parse, or `null` when the service sent none (or one that does not parse).
 */
export interface ActiveFinding {
  readonly id: string;
  readonly targetId: string;
  readonly targetType: TargetType;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly firstObservedAt: string | null;
  readonly lastObservedAt: string | null;
}

/**
 * The audit's ACTIVE findings read from Security Hub. `COMPLETE` when every page was
 * read; `INCOMPLETE` when a call failed, the deadline or the page bound came first, or
 * the service repeated a page token: then `findings` holds what was read, and the run
 * falls back on its history for the rest.
 */
export interface ActiveFindingsRead {
  readonly status: 'COMPLETE' | 'INCOMPLETE';
  readonly findings: readonly ActiveFinding[];
  /** GetFindings calls made. */
  readonly apiCalls: number;
  /** Findings returned that are not the audit's own ACTIVE findings, or malformed: left alone. */
  readonly ignored: number;
  /** Why the read is incomplete, escaped and bounded; `null` when complete. */
  readonly reason: string | null;
}
