/**
 * Judges the re-checked targets exactly as the nightly run would (same drift rules,
 * baseline, exclusions, row builder), but compares each with what is known of it: the
 * last full run's row, overlaid by later re-checks. A target the known state does not
 * have, or known state that could not be trusted, makes its drift new drift: a re-check
 * alerts more, never less.
 */
import type { Baseline, Exclusion, FetchResult, OrgSnapshot } from '../model';
import { evaluateDrift } from '../drift/drift-rules';
import { compareWithHistory } from '../history/compare-history';
import { toPreviousRun } from '../history/previous-run';
import { buildAssociationRows, type AssociationRow } from '../report/rows';
import type { KnownTree } from './known-tree';

/** What the evaluation needs besides the targets. */
export interface RecheckJudgement {
  readonly recheckId: string;
  /** The re-check's time, ISO 8601: its rows' `audited_at`. */
  readonly auditedAt: string;
  /** The clock, epoch ms: the reference for PENDING_STALE and exclusion expiry. */
  readonly now: number;
  readonly pendingStaleMs: number;
  readonly baseline?: Baseline;
  readonly exclusions?: readonly Exclusion[];
  readonly policyNames?: ReadonlyMap<string, string>;
}

/** One row per target of `org`, its `changes` against the known state. */
export function evaluateRecheck(
  org: OrgSnapshot,
  fetched: FetchResult,
  known: KnownTree | null,
  judgement: RecheckJudgement,
): AssociationRow[] {
  const findings = evaluateDrift({
    org,
    associations: fetched.associations,
    unprocessed: fetched.unprocessed,
    baseline: judgement.baseline,
    exclusions: judgement.exclusions,
    now: judgement.now,
    pendingStaleMs: judgement.pendingStaleMs,
  });
  const knownRows = org.targets.flatMap((t) => {
    const row = known?.get(t.id);
    return row === undefined ? [] : [row];
  });
  const previous = known === null ? null : toPreviousRun('known-state', knownRows);
  // departedTargets is meaningless here (the re-check reads a part of the organization): unused.
  const history = compareWithHistory(findings, previous, judgement.auditedAt);
  return buildAssociationRows(
    findings,
    history.byTarget,
    { runId: judgement.recheckId, auditedAt: judgement.auditedAt },
    { policyNames: judgement.policyNames },
  );
}
