/**
 * Pure assembly of the organization tree from what the walk listed. Kept apart from the
 * SDK calls so the path, ordering and consistency rules are testable with plain data.
 */
import type { AccountStatus, OrgSnapshot, OrgTarget, RejectedTarget } from '../model';
import { OrgTreeError } from '../errors';

/** A root as ListRoots returned it (only the fields we keep). */
export interface RawRoot {
  readonly id: string;
  readonly name?: string;
}

/** An OU as ListOrganizationalUnitsForParent returned it. */
export interface RawOrganizationalUnit {
  readonly id: string;
  readonly name?: string;
}

/** An account as ListAccountsForParent returned it, already reduced: no e-mail address. */
export interface RawAccount {
  readonly id: string;
  readonly name?: string;
  readonly status: AccountStatus | null;
}

/** Everything the walk listed, keyed by the parent (root or OU) id it was listed for. */
export interface RawOrganizationWalk {
  readonly roots: readonly RawRoot[];
  readonly ousByParent: ReadonlyMap<string, readonly RawOrganizationalUnit[]>;
  readonly accountsByParent: ReadonlyMap<string, readonly RawAccount[]>;
  /** Entries the walk refused for their ids; passed through. Default none. */
  readonly rejected?: readonly RejectedTarget[];
}

interface Container {
  readonly id: string;
  readonly type: 'ROOT' | 'ORGANIZATIONAL_UNIT';
  readonly name: string;
  readonly parentId: string | null;
  readonly ouPath: string;
  /** Ids from the root down to this container, for cycle detection. */
  readonly ancestors: ReadonlySet<string>;
}

/** Claims each id once; a second claim means the walk listed one target twice. */
type ClaimId = (id: string, where: string) => void;

/** A fresh claim function over its own set of seen ids. */
function idClaimer(): ClaimId {
  const seen = new Set<string>();
  return (id, where) => {
    if (seen.has(id)) {
      throw new OrgTreeError('DUPLICATE_ID', id, `Organization walk listed ${id} more than once (again ${where})`);
    }
    seen.add(id);
  };
}

/** A root as the top container of its own subtree: its path and ancestry start with itself. */
function rootContainer(root: RawRoot): Container {
  return {
    id: root.id,
    type: 'ROOT',
    name: root.name ?? '',
    parentId: null,
    ouPath: root.id,
    ancestors: new Set([root.id]),
  };
}

/** The target for a container itself; containers have no account status. */
function containerTarget(container: Container): OrgTarget {
  return {
    id: container.id,
    type: container.type,
    name: container.name,
    parentId: container.parentId,
    ouPath: container.ouPath,
    accountStatus: null,
  };
}

/** The accounts listed directly under a container, as targets, each id claimed. */
function accountTargets(walk: RawOrganizationWalk, container: Container, claim: ClaimId): OrgTarget[] {
  return (walk.accountsByParent.get(container.id) ?? []).map((account) => {
    claim(account.id, `as an account under ${container.id}`);
    return {
      id: account.id,
      type: 'ACCOUNT',
      name: account.name ?? '',
      parentId: container.id,
      // Accounts are not part of any OU path: theirs ends with the holding container.
      ouPath: container.ouPath,
      accountStatus: account.status,
    };
  });
}

/**
 * The OUs listed directly under a container, in listed order, each id claimed.
 *
 * @throws OrgTreeError `CYCLE` when an OU is one of the container's own ancestors.
 */
function childContainers(walk: RawOrganizationWalk, container: Container, claim: ClaimId): Container[] {
  return (walk.ousByParent.get(container.id) ?? []).map((ou) => {
    // Checked before the claim so a cycle is reported as CYCLE, not as a duplicate id.
    if (container.ancestors.has(ou.id)) {
      throw new OrgTreeError(
        'CYCLE',
        ou.id,
        `Organization walk found ${ou.id} below itself (under ${container.ouPath})`,
      );
    }
    claim(ou.id, `as an OU under ${container.id}`);
    return {
      id: ou.id,
      type: 'ORGANIZATIONAL_UNIT',
      name: ou.name ?? '',
      parentId: container.id,
      ouPath: `${container.ouPath}/${ou.id}`,
      ancestors: new Set([...container.ancestors, ou.id]),
    };
  });
}

/**
 * A listing for a parent we never reached means the walk and the tree disagree
 * (e.g. an OU cycle detached from every root); silently dropping it would lose targets.
 *
 * @throws OrgTreeError `UNREACHABLE_PARENT` for the first such parent.
 */
function assertEveryParentReached(walk: RawOrganizationWalk, visited: ReadonlySet<string>): void {
  for (const parentId of [...walk.ousByParent.keys(), ...walk.accountsByParent.keys()]) {
    if (!visited.has(parentId)) {
      throw new OrgTreeError(
        'UNREACHABLE_PARENT',
        parentId,
        `Organization walk has children listed for ${parentId}, which no root reaches`,
      );
    }
  }
}

/**
 * Builds the targets in walk order, depth first: a container (root or OU), then its
 * accounts, then each child OU's subtree; so every parent precedes its children. Sibling
 * order is the order the API listed them in, which keeps the output stable run to run.
 *
 * @throws OrgTreeError when an id appears twice (`DUPLICATE_ID`), an OU contains one of
 *   its own ancestors (`CYCLE`), or a listing belongs to a parent the tree never reaches
 *   (`UNREACHABLE_PARENT`).
 */
export function buildOrgTree(walk: RawOrganizationWalk): OrgSnapshot {
  const targets: OrgTarget[] = [];
  const visited = new Set<string>();
  const claim = idClaimer();
  // All roots are claimed before any subtree, so a root id reused below is the duplicate.
  for (const root of walk.roots) claim(root.id, 'as a root');

  // Explicit stack instead of recursion: Organizations bounds the depth (5 OU levels), but
  // malformed listings should fail with an OrgTreeError, never a stack overflow.
  // Pushed in reverse throughout so containers pop, and are emitted, in listed order.
  const stack: Container[] = walk.roots.map(rootContainer).reverse();
  while (stack.length > 0) {
    const container = stack.pop()!;
    visited.add(container.id);
    targets.push(containerTarget(container));
    // A loop, not a spread: a root can hold more accounts than a call takes arguments.
    for (const account of accountTargets(walk, container, claim)) targets.push(account);
    stack.push(...childContainers(walk, container, claim).reverse());
  }

  assertEveryParentReached(walk, visited);
  return { rootIds: walk.roots.map((r) => r.id), targets, rejected: walk.rejected ?? [] };
}
