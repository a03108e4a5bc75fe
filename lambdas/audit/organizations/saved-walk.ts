/**
 * A walk's progress as plain data ({@link SavedWalk}): taken from a live walk's state, checked
 * before a walk resumes from it (it comes back from a checkpoint, which may have been
 * tampered with or written by another version), and turned back into a live state.
 */
import type { RejectedTarget, TargetType } from '../model';
import { quoteUntrustedId } from '../target-ids';
import type { RawAccount, RawOrganizationalUnit, RawRoot } from './org-tree';
import { emptyWalkState, MAX_OU_DEPTH, type FrontierEntry, type WalkState } from './walk-state';
import { SavedWalkError } from '../errors';

/** A container whose listing completed: its child OUs and accounts, as listed. */
interface ListedContainer {
  readonly parentId: string;
  readonly ous: readonly RawOrganizationalUnit[];
  readonly accounts: readonly RawAccount[];
}

/** A walk's progress as plain JSON-able data, to save in a checkpoint and resume from. */
export interface SavedWalk {
  /** Whether ListRoots completed (roots and frontier then hold its result). */
  readonly rootsListed: boolean;
  readonly roots: readonly RawRoot[];
  /** Containers fully listed, in the order their listings completed. */
  readonly listed: readonly ListedContainer[];
  readonly rejected: readonly RejectedTarget[];
  /** Containers still to list, in order; those being listed when saved come first (a listing is redone whole, never resumed mid-page). */
  readonly frontier: readonly FrontierEntry[];
}

/**
 * The depth below its root of every container a saved walk has found (roots, and OUs in
 * its listings, first discovery winning as in a live walk), checking along the way that
 * each listed container was found before its listing completed and was listed once.
 */
function savedDepths(saved: SavedWalk): Map<string, number> {
  const depths = new Map<string, number>(saved.roots.map((root) => [root.id, 0]));
  const listed = new Set<string>();
  for (const { parentId, ous } of saved.listed) {
    const depth = depths.get(parentId);
    if (listed.has(parentId)) throw new SavedWalkError(`${quoteUntrustedId(parentId)} is listed twice`);
    if (depth === undefined) {
      throw new SavedWalkError(
        `${quoteUntrustedId(parentId)} is listed, but neither a root nor an earlier listing found it`,
      );
    }
    if (depth >= MAX_OU_DEPTH && ous.length > 0) {
      throw new SavedWalkError(`${quoteUntrustedId(parentId)} has OUs listed below the deepest OU level`);
    }
    listed.add(parentId);
    for (const ou of ous) if (!depths.has(ou.id)) depths.set(ou.id, depth + 1);
  }
  return depths;
}

/**
 * Checks that the frontier holds, once each and at their depth, exactly the containers the
 * saved walk found but has not listed: one missing would silently lose its subtree.
 */
function checkSavedFrontier(saved: SavedWalk, depths: ReadonlyMap<string, number>): void {
  const listed = new Set(saved.listed.map((container) => container.parentId));
  const pending = new Set<string>();
  for (const { parentId, depth } of saved.frontier) {
    const where = `frontier entry ${quoteUntrustedId(parentId)}`;
    if (!Number.isInteger(depth) || depth < 0 || depth > MAX_OU_DEPTH) {
      throw new SavedWalkError(`${where} has depth ${depth}, outside 0..${MAX_OU_DEPTH}`);
    }
    const found = depths.get(parentId);
    if (found === undefined) throw new SavedWalkError(`${where} is neither a root nor an OU found by a listing`);
    if (found !== depth) throw new SavedWalkError(`${where} has depth ${depth}, but was found at depth ${found}`);
    if (listed.has(parentId)) throw new SavedWalkError(`${where} is already listed`);
    if (pending.has(parentId)) throw new SavedWalkError(`${where} is on the frontier twice`);
    pending.add(parentId);
  }
  for (const id of depths.keys()) {
    if (!listed.has(id) && !pending.has(id)) {
      throw new SavedWalkError(`${quoteUntrustedId(id)} was found but is neither listed nor on the frontier`);
    }
  }
}

/**
 * Checks the structure of a saved walk (its shapes and ids are the checkpoint schema's job).
 *
 * @throws SavedWalkError when it is not a walk the organization walk could have saved.
 */
export function checkSavedWalk(saved: SavedWalk): void {
  const { roots, listed, rejected, frontier } = saved;
  if (!saved.rootsListed && roots.length + listed.length + rejected.length + frontier.length > 0) {
    throw new SavedWalkError(
      'ListRoots did not complete, yet it holds roots, listings, rejected entries or a frontier',
    );
  }
  checkSavedFrontier(saved, savedDepths(saved));
}

/**
 * The live state of a walk resumed from `from`, sharing nothing with it: `queued` is every
 * container `from` found (each was put on a frontier once), `found` its number of targets.
 *
 * @throws SavedWalkError when `from` is inconsistent.
 */
export function restoreWalkState(from: SavedWalk): WalkState {
  checkSavedWalk(from);
  const state = emptyWalkState();
  state.rootsListed = from.rootsListed;
  for (const root of from.roots) {
    state.roots.push({ ...root });
    state.queued.add(root.id);
  }
  for (const { parentId, ous, accounts } of from.listed) {
    state.ousByParent.set(
      parentId,
      ous.map((ou) => ({ ...ou })),
    );
    state.accountsByParent.set(
      parentId,
      accounts.map((account) => ({ ...account })),
    );
    for (const ou of ous) state.queued.add(ou.id);
  }
  for (const rejected of from.rejected) state.rejected.push({ ...rejected });
  for (const entry of from.frontier) state.frontier.push({ ...entry });
  state.found = walkedTargets(from).length;
  return state;
}

/** A deep copy of `state` as a {@link SavedWalk}: listings in flight go first on its frontier. */
export function savedWalkOf(state: WalkState): SavedWalk {
  return {
    rootsListed: state.rootsListed,
    roots: state.roots.map((root) => ({ ...root })),
    listed: Array.from(state.ousByParent, ([parentId, ous]) => ({
      parentId,
      ous: ous.map((ou) => ({ ...ou })),
      accounts: (state.accountsByParent.get(parentId) ?? []).map((account) => ({ ...account })),
    })),
    rejected: state.rejected.map((rejected) => ({ ...rejected })),
    frontier: [...state.inFlight, ...state.frontier].map((entry) => ({ ...entry })),
  };
}

/**
 * The targets (roots, OUs, accounts with their types, in discovery order: roots, then each
 * listed container's OUs then accounts) a SavedWalk has found: what the runs that found
 * them have handed to `WalkOptions.onTargets`.
 */
export function walkedTargets(saved: SavedWalk): { id: string; type: TargetType }[] {
  const targets: { id: string; type: TargetType }[] = saved.roots.map((root) => ({ id: root.id, type: 'ROOT' }));
  // Loops, not spreads: a container can hold more accounts than a call takes arguments.
  for (const { ous, accounts } of saved.listed) {
    for (const ou of ous) targets.push({ id: ou.id, type: 'ORGANIZATIONAL_UNIT' });
    for (const account of accounts) targets.push({ id: account.id, type: 'ACCOUNT' });
  }
  return targets;
}
