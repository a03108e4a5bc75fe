/**
 * The live state of an organization walk and the steps that change it. Shared by the walk
 * (walk-organization.ts), which fills it in, and the saved-walk logic (saved-walk.ts),
 * which turns it into plain data and back; kept apart so neither imports the other.
 */
import type { RejectedTarget } from '../model';
import type { RawAccount, RawOrganizationalUnit, RawRoot } from './org-tree';

/**
 * Deepest OU level below a root: "OU maximum nesting in a root: Five levels of OUs deep
 * under a root" (Quotas for AWS Organizations, a hard limit). OUs at this level cannot
 * have child OUs, so the walk does not ask for them: in a deep organization that saves a
 * large share of the ListOrganizationalUnitsForParent calls.
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 */
export const MAX_OU_DEPTH = 5;

/** A root or OU whose children are still to be listed, with its depth below the root (root: 0). */
export interface FrontierEntry {
  readonly parentId: string;
  readonly depth: number;
}

/**
 * Everything a walk has found and still has to do. A SavedWalk (saved-walk.ts) is its
 * plain-data form: see `OrganizationWalk.snapshot` and the resume in `restoreWalkState`.
 */
export interface WalkState {
  /** Whether ListRoots completed. */
  rootsListed: boolean;
  readonly roots: RawRoot[];
  /** Insertion order is the order listings completed: `SavedWalk.listed` relies on it. */
  readonly ousByParent: Map<string, RawOrganizationalUnit[]>;
  readonly accountsByParent: Map<string, RawAccount[]>;
  readonly rejected: RejectedTarget[];
  /** Containers to list next, in order. */
  readonly frontier: FrontierEntry[];
  /** Containers being listed, in the order they were taken from the frontier. */
  readonly inFlight: FrontierEntry[];
  /**
   * Containers ever put on the frontier. Guards against the service listing a container
   * twice (or in a loop): buildOrgTree reports that as an error, the walk just must not
   * recurse forever.
   */
  readonly queued: Set<string>;
  /** Targets found so far. */
  found: number;
}

/** A fresh walk's state. */
export function emptyWalkState(): WalkState {
  return {
    rootsListed: false,
    roots: [],
    ousByParent: new Map(),
    accountsByParent: new Map(),
    rejected: [],
    frontier: [],
    inFlight: [],
    queued: new Set(),
    found: 0,
  };
}

/** Puts a container on the frontier, unless it has been put there before. */
export function enqueue(state: WalkState, entry: FrontierEntry): void {
  if (state.queued.has(entry.parentId)) return;
  state.queued.add(entry.parentId);
  state.frontier.push(entry);
}

/**
 * Records a completed listing and queues its child OUs in one synchronous step, so that
 * whoever looks at the state next (a snapshot taken from onTargets included) sees the
 * container listed and its children on the frontier, or neither.
 */
export function recordListing(
  state: WalkState,
  entry: FrontierEntry,
  ous: RawOrganizationalUnit[],
  accounts: RawAccount[],
): void {
  state.ousByParent.set(entry.parentId, ous);
  state.accountsByParent.set(entry.parentId, accounts);
  state.found += ous.length + accounts.length;
  const index = state.inFlight.indexOf(entry);
  if (index >= 0) state.inFlight.splice(index, 1);
  for (const ou of ous) enqueue(state, { parentId: ou.id, depth: entry.depth + 1 });
}
