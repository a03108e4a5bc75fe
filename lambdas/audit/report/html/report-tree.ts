import type { AssociationRow } from '../rows';

/** Drift counts of a subtree (the node and everything below it). */
export interface TreeCounts {
  readonly targets: number;
  readonly drifted: number;
  readonly excluded: number;
  readonly failed: number;
}

/** A root or OU with its subtree's counts, its child OUs and its own accounts. */
export interface ReportTreeNode {
  readonly row: AssociationRow;
  readonly counts: TreeCounts;
  readonly children: readonly ReportTreeNode[];
  /** Accounts directly in this root or OU. */
  readonly accounts: readonly AssociationRow[];
}

/** The organization as the report saw it: roots, plus targets whose parent is not in the report. */
export interface ReportTree {
  readonly roots: readonly ReportTreeNode[];
  /** Targets that could not be placed (parent missing, or a cycle); listed so none is lost. */
  readonly unplaced: readonly AssociationRow[];
}

const countsOf = (rows: readonly AssociationRow[]): TreeCounts => ({
  targets: rows.length,
  drifted: rows.filter((r) => r.drift).length,
  excluded: rows.filter((r) => r.audit_result === 'EXCLUDED').length,
  failed: rows.filter((r) => r.association_status === 'FAILED').length,
});

const add = (a: TreeCounts, b: TreeCounts): TreeCounts => ({
  targets: a.targets + b.targets,
  drifted: a.drifted + b.drifted,
  excluded: a.excluded + b.excluded,
  failed: a.failed + b.failed,
});

const byName = (a: AssociationRow, b: AssociationRow) =>
  a.target_name.localeCompare(b.target_name) || a.target_id.localeCompare(b.target_id);

/**
 * Builds the tree from the report rows alone (each row names its parent), so the HTML
 * shows exactly what the report holds: every row appears once, in the tree or in
 * `unplaced`. Pure.
 */
export function buildReportTree(rows: readonly AssociationRow[]): ReportTree {
  const children = new Map<string, AssociationRow[]>();
  for (const row of rows) {
    if (row.parent_id === null) continue;
    const siblings = children.get(row.parent_id);
    if (siblings) siblings.push(row);
    else children.set(row.parent_id, [row]);
  }
  const placed = new Set<string>();
  const build = (row: AssociationRow): ReportTreeNode => {
    placed.add(row.target_id);
    const below = (children.get(row.target_id) ?? []).filter((c) => !placed.has(c.target_id)).sort(byName);
    const accounts = below.filter((c) => c.target_type === 'ACCOUNT');
    accounts.forEach((a) => placed.add(a.target_id));
    const childNodes = below.filter((c) => c.target_type !== 'ACCOUNT' && !placed.has(c.target_id)).map(build);
    const counts = childNodes.reduce((sum, c) => add(sum, c.counts), countsOf([row, ...accounts]));
    return { row, counts, children: childNodes, accounts };
  };
  const roots = rows
    .filter((r) => r.target_type === 'ROOT')
    .sort(byName)
    .map(build);
  return { roots, unplaced: rows.filter((r) => !placed.has(r.target_id)) };
}
