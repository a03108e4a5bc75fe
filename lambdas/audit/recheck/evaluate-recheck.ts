/**
 * Judges the re-checked targets exactly as the nightly run would (same drift rules,
 * baseline, exclusions, row builder). Their changes are computed afterwards, against what
 * is known of each target (`recheck-changes.ts`).
 */
import type { Baseline, Exclusion, FetchResult, OrgSnapshot } from '../model';
import { evaluateDrift } from '../drift/drift-rules';
import { compareWithHistory } from '../history/compare-history';
import { buildAssociationRows, type AssociationRow } from '../report/rows';

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

/** One row per target of `org`; its `changes` are as against no history, until compared with the known state. */
export function evaluateRecheck(org: OrgSnapshot, fetched: FetchResult, judgement: RecheckJudgement): AssociationRow[] {
  const findings = evaluateDrift({
    org,
    associations: fetched.associations,
    unprocessed: fetched.unprocessed,
    baseline: judgement.baseline,
    exclusions: judgement.exclusions,
    now: judgement.now,
    pendingStaleMs: judgement.pendingStaleMs,
  });
  const history = compareWithHistory(findings, null, judgement.auditedAt);
  return buildAssociationRows(
    findings,
    history.byTarget,
    { runId: judgement.recheckId, auditedAt: judgement.auditedAt },
    { policyNames: judgement.policyNames },
  );
}
