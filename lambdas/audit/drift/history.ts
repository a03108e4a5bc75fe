/**
 * Comparison with the previous run's snapshot. Pure: findings and the previous rows
 * in, per-target changes and the carried-forward first-drift time out.
 */
import { CHANGE_KINDS, type ChangeKind } from '../model';
import type { AssociationRow } from '../report/rows';
import type { TargetFinding } from './drift-rules';

/** The columns of a previous row that history looks at. */
export type PreviousRow = Pick<
  AssociationRow,
  | 'target_id'
  | 'audited_at'
  | 'drift'
  | 'first_drift_seen'
  | 'configuration_policy_id'
  | 'association_status'
  | 'association_type'
>;

/** What history adds to one target's row. */
export interface TargetHistory {
  /** In {@link CHANGE_KINDS} order. */
  readonly changes: readonly ChangeKind[];
  /** Run time drift was first seen in the current unbroken stretch of drift; `null` when not drifted. */
  readonly firstDriftSeen: string | null;
}

export interface HistoryResult {
  /** One entry per finding, by target id. */
  readonly byTarget: ReadonlyMap<string, TargetHistory>;
  /** Target ids of the previous run that the organization no longer has, sorted. */
  readonly departedTargets: readonly string[];
}

/** True when the row carries any association state at all (it was neither unprocessed nor missing). */
function hasState(
  row: Pick<PreviousRow, 'configuration_policy_id' | 'association_status' | 'association_type'>,
): boolean {
  return row.configuration_policy_id !== null || row.association_status !== null || row.association_type !== null;
}

/**
 * Compares this run's findings with the previous run's rows.
 *
 * - NEW_DRIFT: drifted now, and not drifted in the previous run or absent from it
 *   (also on the very first run, when there are no previous rows).
 * - RESOLVED: drifted in the previous run, not now (EXCLUDED counts as not drifted).
 * - CHANGED: policy id, association status or association type differs from the
 *   previous row. Compared only when both runs know the target's association state,
 *   so a target that was unprocessed or missing on one side is not reported as
 *   changed (its UNPROCESSED/MISSING reason already tells that story).
 * - first drift time: kept from the previous row while drift continues, the current
 *   run time when drift starts, `null` when not drifted.
 *
 * @param runTime this run's time (ISO 8601), the `audited_at` of its rows.
 */
export function applyHistory(
  findings: readonly TargetFinding[],
  previousRows: readonly PreviousRow[] | null,
  runTime: string,
): HistoryResult {
  const previous = new Map<string, PreviousRow>();
  for (const row of previousRows ?? []) {
    if (!previous.has(row.target_id)) previous.set(row.target_id, row);
  }

  const byTarget = new Map<string, TargetHistory>();
  const current = new Set<string>();
  for (const finding of findings) {
    const id = finding.target.id;
    current.add(id);
    const before = previous.get(id);
    const wasDrift = before?.drift === true;
    const found = new Set<ChangeKind>();
    if (finding.drift && !wasDrift) found.add('NEW_DRIFT');
    if (!finding.drift && wasDrift) found.add('RESOLVED');
    const association = finding.association;
    if (before && association && hasState(before)) {
      const now = {
        configuration_policy_id: association.configurationPolicyId,
        association_status: association.associationStatus,
        association_type: association.associationType,
      };
      if (
        hasState(now) &&
        (now.configuration_policy_id !== before.configuration_policy_id ||
          now.association_status !== before.association_status ||
          now.association_type !== before.association_type)
      ) {
        found.add('CHANGED');
      }
    }
    const firstDriftSeen = !finding.drift
      ? null
      : wasDrift
        ? (before?.first_drift_seen ?? before?.audited_at ?? runTime)
        : runTime;
    byTarget.set(id, { changes: CHANGE_KINDS.filter((c) => found.has(c)), firstDriftSeen });
  }

  const departedTargets = [
    ...new Set((previousRows ?? []).map((r) => r.target_id).filter((id) => !current.has(id))),
  ].sort();
  return { byTarget, departedTargets };
}
