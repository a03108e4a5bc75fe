/**
 * What a re-check changed: its freshly judged rows compared with what was known of each
 * target (the last full run's row, overlaid by the re-check state). The rules are
 * history's own (`targetHistory` in `compare-history.ts`), so a re-check and the next
 * nightly run call the same transition by the same name. Pure.
 */
import { targetHistory } from '../history/compare-history';
import { toPreviousTarget } from '../history/previous-run';
import type { AssociationRow } from '../report/rows';

/** The outcome of {@link compareWithKnown}. */
export interface KnownComparison {
  /** Every row, with `changes` and `first_drift_seen` recomputed against the known state. */
  readonly rows: readonly AssociationRow[];
  /** Rows with any change (NEW_DRIFT, RESOLVED or CHANGED): what the re-check publishes. */
  readonly changed: readonly AssociationRow[];
  readonly newDrift: readonly AssociationRow[];
  readonly resolved: readonly AssociationRow[];
}

/**
 * One re-checked row against its known row. The first drift time of continued drift is
 * the known one; of new drift, the row's own time (the re-check's), whatever first drift
 * time the row arrived with, so a re-check never claims drift started before it saw it.
 */
function againstKnown(row: AssociationRow, known: AssociationRow | undefined): AssociationRow {
  const now = toPreviousTarget(row);
  const history = targetHistory(
    { drift: now.drift, association: now },
    known === undefined ? undefined : toPreviousTarget(known),
    row.audited_at,
  );
  return { ...row, changes: history.changes, first_drift_seen: history.firstDriftSeen };
}

/**
 * Recomputes the changes of freshly evaluated rows against what was known. A target the
 * known state does not hold is new to it: NEW_DRIFT when it drifts, no change otherwise.
 * @param known the last full run's row of a target overlaid by the re-check state, or undefined.
 */
export function compareWithKnown(
  rows: readonly AssociationRow[],
  known: (targetId: string) => AssociationRow | undefined,
): KnownComparison {
  const compared = rows.map((row) => againstKnown(row, known(row.target_id)));
  return {
    rows: compared,
    changed: compared.filter((r) => r.changes.length > 0),
    newDrift: compared.filter((r) => r.changes.includes('NEW_DRIFT')),
    resolved: compared.filter((r) => r.changes.includes('RESOLVED')),
  };
}
