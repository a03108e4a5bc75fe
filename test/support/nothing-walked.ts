import type { SavedWalk } from '../../lambdas/audit/organizations/saved-walk';

/** An empty SavedWalk (nothing listed yet). Frozen: it is shared. */
export const NOTHING_WALKED: SavedWalk = Object.freeze({
  rootsListed: false,
  roots: Object.freeze([]),
  listed: Object.freeze([]),
  rejected: Object.freeze([]),
  frontier: Object.freeze([]),
});
