/**
 * From a burst of changes to the targets to re-check: pure, no I/O. Duplicated deliveries
 * are dropped by event id; targets are de-duplicated; many accounts moved into one
 * container become one listing of that container (a move of 1,000 accounts is one subtree
 * re-check, not 1,000 look-ups); a target inside a listed subtree is not looked up again.
 * What needs the full run's tree (a policy, the whole organization) and is too broad for a
 * re-check is deferred to the nightly run, and said so.
 */
import type { Change } from '../types/recheck';
import type { KnownTree } from './known-tree';
import { ACCOUNT_ID_PATTERN } from '../target-ids';

/** What a re-check reads and looks up. */
export interface RecheckPlan {
  /** The changes acted on, one per event id, oldest first. */
  readonly changes: readonly Change[];
  /** Accounts and OUs whose place is looked up live (ListParents) before they are read. */
  readonly lookUp: readonly string[];
  /** Containers whose subtree is listed live. */
  readonly subtrees: readonly string[];
  /** Targets placed by the known tree (no listing): those of a policy or of the organization. */
  readonly placed: readonly string[];
  /** Targets an event says are gone: their absence is confirmed live before their findings close. */
  readonly gone: readonly string[];
  /** Why part of the changes is left to the nightly run; empty when nothing is. */
  readonly deferred: readonly string[];
}

/** Planning limits. */
export interface PlanOptions {
  /** Accounts moved into one container from which its listing replaces their look-ups. */
  readonly coalesceAt: number;
  /** Targets one re-check reads at most. */
  readonly maxTargets: number;
}

/** Accounts a page of ListAccountsForParent holds: from this many moves on, listing is cheaper. */
export const DEFAULT_COALESCE_AT = 20;

function uniqueChanges(changes: readonly Change[]): Change[] {
  const byId = new Map<string, Change>();
  for (const change of changes) if (!byId.has(change.eventId)) byId.set(change.eventId, change);
  return [...byId.values()].sort((a, b) => a.eventTime - b.eventTime);
}

interface Draft {
  readonly lookUp: Set<string>;
  readonly subtrees: Set<string>;
  readonly placed: Set<string>;
  readonly gone: Set<string>;
  readonly deferred: string[];
  /** Accounts moved into each container, for coalescing. */
  readonly movedInto: Map<string, string[]>;
}

function placeByTree(draft: Draft, ids: readonly string[], tree: KnownTree | null, why: string): void {
  if (tree === null) {
    draft.deferred.push(`${why}: no trusted full run to find its targets in`);
    return;
  }
  for (const id of ids) draft.placed.add(id);
}

function addChange(draft: Draft, change: Change, tree: KnownTree | null): void {
  const scope = change.scope;
  switch (scope.kind) {
    case 'ACCOUNT':
      if (scope.parentId === null) draft.lookUp.add(scope.accountId);
      else draft.movedInto.set(scope.parentId, [...(draft.movedInto.get(scope.parentId) ?? []), scope.accountId]);
      return;
    case 'ACCOUNT_GONE':
      draft.gone.add(scope.accountId);
      return;
    case 'OU_CREATED':
      draft.lookUp.add(scope.ouId);
      return;
    case 'OU_GONE':
      draft.gone.add(scope.ouId);
      return;
    case 'TARGET':
      if (ACCOUNT_ID_PATTERN.test(scope.targetId)) draft.lookUp.add(scope.targetId);
      else draft.subtrees.add(scope.targetId);
      return;
    case 'POLICY':
      placeByTree(
        draft,
        tree?.usingPolicy(scope.policyId) ?? [],
        tree,
        `${change.eventName} of policy ${scope.policyId}`,
      );
      return;
    case 'ORGANIZATION':
      placeByTree(draft, tree?.ids() ?? [], tree, change.eventName);
  }
}

/** Many moves into one container: list it; a few: look the accounts up. */
function coalesceMoves(draft: Draft, coalesceAt: number): void {
  for (const [parentId, accounts] of draft.movedInto) {
    if (new Set(accounts).size >= coalesceAt) draft.subtrees.add(parentId);
    else for (const id of accounts) draft.lookUp.add(id);
  }
}

/** Drops look-ups and placements a listed subtree covers (as far as the known tree tells). */
function withoutCovered(ids: Iterable<string>, covered: ReadonlySet<string>): string[] {
  return [...ids].filter((id) => !covered.has(id));
}

/** See the module comment. */
export function planRecheck(changes: readonly Change[], tree: KnownTree | null, options: PlanOptions): RecheckPlan {
  const unique = uniqueChanges(changes);
  const draft: Draft = {
    lookUp: new Set(),
    subtrees: new Set(),
    placed: new Set(),
    gone: new Set(),
    deferred: [],
    movedInto: new Map(),
  };
  for (const change of unique) addChange(draft, change, tree);
  coalesceMoves(draft, options.coalesceAt);
  const covered = new Set(tree === null ? draft.subtrees : [...draft.subtrees].flatMap((id) => tree.subtree(id)));
  const lookUp = withoutCovered(draft.lookUp, covered).filter((id) => !draft.gone.has(id));
  const placed = withoutCovered(draft.placed, new Set([...covered, ...lookUp]));
  const estimate =
    lookUp.length + placed.length + [...draft.subtrees].reduce((n, id) => n + (tree?.subtree(id).length ?? 1), 0);
  if (estimate > options.maxTargets) {
    // The broad part waits for the night; the accounts and OUs an event names are still read now.
    const why = `about ${estimate} targets to re-check, more than the ${options.maxTargets} a re-check reads: the nightly run covers them`;
    const kept = lookUp.slice(0, options.maxTargets);
    return {
      changes: unique,
      lookUp: kept,
      subtrees: [],
      placed: [],
      gone: [...draft.gone],
      deferred: [...draft.deferred, why],
    };
  }
  return {
    changes: unique,
    lookUp,
    subtrees: [...draft.subtrees],
    placed,
    gone: [...draft.gone],
    deferred: draft.deferred,
  };
}
