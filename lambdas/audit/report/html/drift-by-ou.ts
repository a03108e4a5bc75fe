import type { AssociationRow } from '../rows';
import { compareWorstFirst } from '../../drift/reason-guide';

/** The drift held directly by one root or OU: its own row and its accounts'. */
export interface OuDrift {
  /** Id of the root or OU. */
  readonly id: string;
  /** Its row, when the report has one (it may not, for a target whose parent was not walked). */
  readonly row: AssociationRow | undefined;
  readonly drifted: number;
  readonly failed: number;
  readonly newDrift: number;
  /** Earliest `first_drift_seen` among its drifted targets; null when none is known. */
  readonly since: string | null;
  /** Its worst drifted target, by {@link compareWorstFirst}. */
  readonly worst: AssociationRow;
}

/** A root or OU holds itself; an account is held by its parent. */
const holderOf = (row: AssociationRow): string | null =>
  row.target_type === 'ACCOUNT' ? row.parent_id : row.target_id;

function summarize(id: string, row: AssociationRow | undefined, drifted: readonly AssociationRow[]): OuDrift {
  const seen = drifted.flatMap((r) => (r.first_drift_seen === null ? [] : [r.first_drift_seen])).sort();
  return {
    id,
    row,
    drifted: drifted.length,
    failed: drifted.filter((r) => r.drift_reasons.includes('FAILED')).length,
    newDrift: drifted.filter((r) => r.changes.includes('NEW_DRIFT')).length,
    since: seen[0] ?? null,
    worst: [...drifted].sort(compareWorstFirst)[0],
  };
}

/**
 * Which roots and OUs hold drift, worst first: ordered by their worst target, so the
 * list follows the same order as the drifted table. Pure.
 */
export function driftByOu(rows: readonly AssociationRow[]): OuDrift[] {
  const byId = new Map(rows.map((r) => [r.target_id, r]));
  const held = new Map<string, AssociationRow[]>();
  for (const row of rows) {
    const holder = row.drift ? holderOf(row) : null;
    if (holder === null) continue;
    const list = held.get(holder);
    if (list) list.push(row);
    else held.set(holder, [row]);
  }
  return [...held]
    .map(([id, drifted]) => summarize(id, byId.get(id), drifted))
    .sort((a, b) => compareWorstFirst(a.worst, b.worst));
}
