/**
 * The previous run's rows as history's domain type. The only place that knows how a
 * report row maps to what history compares, so history never sees the Athena row type.
 */
import type { PreviousRun, PreviousTarget } from './compare-history';
import type { AssociationRow } from '../report/rows';
import { normalisePolicyId } from '../drift/baseline';

/** One previous row as history sees it. */
export function toPreviousTarget(row: AssociationRow): PreviousTarget {
  return {
    targetId: row.target_id,
    drift: row.drift,
    // A drifted row written without first_drift_seen was at least drifted at its own run time.
    firstDriftSeen: row.drift ? (row.first_drift_seen ?? row.audited_at) : null,
    // Rows of older versions may carry a policy UUID in upper case: compare it as this run reads ids.
    configurationPolicyId: row.configuration_policy_id === null ? null : normalisePolicyId(row.configuration_policy_id),
    associationStatus: row.association_status,
    associationType: row.association_type,
  };
}

/** A previous run's rows as a {@link PreviousRun}. */
export function toPreviousRun(runId: string, rows: readonly AssociationRow[]): PreviousRun {
  return { runId, targets: rows.map(toPreviousTarget) };
}
