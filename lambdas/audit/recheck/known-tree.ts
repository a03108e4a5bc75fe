/**
 * What the re-check knows of the organization before it lists anything: the last full
 * run's verified rows, overlaid by what re-checks since then established. It places the
 * targets an event names and finds every target of a subtree or applying a policy, so
 * most re-checks cost no Organizations call at all.
 */
import type { AssociationRow } from '../report/rows';

/** Rows by target id, parents before children, as the tree lists them. */
export class KnownTree {
  private readonly rows = new Map<string, AssociationRow>();
  private readonly childrenOf = new Map<string, string[]>();

  /** `base` (the full run) first; `overlay` rows (later re-checks) replace a target's row. */
  constructor(base: readonly AssociationRow[], overlay: Iterable<AssociationRow> = []) {
    for (const row of base) this.rows.set(row.target_id, row);
    for (const row of overlay) this.rows.set(row.target_id, row);
    for (const row of this.rows.values()) {
      if (row.parent_id === null) continue;
      const siblings = this.childrenOf.get(row.parent_id) ?? [];
      siblings.push(row.target_id);
      this.childrenOf.set(row.parent_id, siblings);
    }
  }

  /** Number of known targets. */
  get size(): number {
    return this.rows.size;
  }

  /** The known row of a target. */
  get(id: string): AssociationRow | undefined {
    return this.rows.get(id);
  }

  /** Every known target id. */
  ids(): string[] {
    return [...this.rows.keys()];
  }

  /** The target and everything below it, parents first; a cycle in a forged overlay cannot loop. */
  subtree(id: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const queue = [id];
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      out.push(next);
      queue.push(...(this.childrenOf.get(next) ?? []));
    }
    return out;
  }

  /** Targets whose known association, expected or baseline policy is `policyId` (ids compare case-insensitively). */
  usingPolicy(policyId: string): string[] {
    const wanted = policyId.toLowerCase();
    const uses = (value: string | null) => value !== null && value.toLowerCase() === wanted;
    return [...this.rows.values()]
      .filter((r) => uses(r.configuration_policy_id) || uses(r.expected_policy_id) || uses(r.baseline_policy_id))
      .map((r) => r.target_id);
  }
}
