/**
 * Lookup tables over a {@link GeneratedOrg}, built once when the emulator starts, so every
 * request is answered with map look-ups and array slices instead of scans of the whole
 * organization (which matters at 10,000+ accounts).
 */
import type { TargetType } from '../../lambdas/audit/model';
import type {
  GeneratedAccount,
  GeneratedAssociation,
  GeneratedOrg,
  GeneratedOu,
  GeneratedPolicy,
  GeneratedRoot,
} from './generated-org';

/** A container's direct children, in generation order. */
export interface ContainerChildren {
  readonly ous: GeneratedOu[];
  readonly accounts: GeneratedAccount[];
}

/** Indexes the emulator serves from. */
export interface OrgIndex {
  readonly org: GeneratedOrg;
  /** Root and OU ids to their direct children. */
  readonly children: ReadonlyMap<string, ContainerChildren>;
  /** Every target id (root, OU, account) to its type. */
  readonly targetTypes: ReadonlyMap<string, TargetType>;
  /** OU and account ids to their parent's id. */
  readonly parents: ReadonlyMap<string, string>;
  readonly rootsById: ReadonlyMap<string, GeneratedRoot>;
  /** The associations as a list, for ListConfigurationPolicyAssociations paging. */
  readonly associationList: readonly GeneratedAssociation[];
}

/**
 * The same organization with its collections writable: the emulator's write calls
 * (organizations-writes.ts, securityhub-writes.ts) change it in place, so `RunningEmulator.org`
 * stays the ground truth of what is served.
 */
export interface MutableOrg extends GeneratedOrg {
  readonly ous: GeneratedOu[];
  readonly accounts: GeneratedAccount[];
  readonly policies: GeneratedPolicy[];
  readonly associations: Map<string, GeneratedAssociation>;
  readonly expectedPolicyIds: Map<string, string>;
}

/** The indexes, writable, over a {@link MutableOrg}. */
export interface MutableOrgIndex extends OrgIndex {
  readonly org: MutableOrg;
  readonly children: Map<string, ContainerChildren>;
  readonly targetTypes: Map<string, TargetType>;
  readonly parents: Map<string, string>;
  readonly associationList: GeneratedAssociation[];
}

/**
 * A copy of `org` whose collections the emulator may change: a caller's organization (often
 * generated once and shared by several tests) is never altered by write calls.
 */
function mutableCopy(org: GeneratedOrg): MutableOrg {
  return {
    ...org,
    ous: [...org.ous],
    accounts: [...org.accounts],
    policies: [...org.policies],
    associations: new Map(org.associations),
    expectedPolicyIds: new Map(org.expectedPolicyIds),
  };
}

/**
 * Builds the indexes in one pass over a {@link mutableCopy} of the organization (`index.org`
 * is that copy, never `source`).
 */
export function buildOrgIndex(source: GeneratedOrg): MutableOrgIndex {
  const org = mutableCopy(source);
  const children = new Map<string, ContainerChildren>();
  const targetTypes = new Map<string, TargetType>();
  const rootsById = new Map<string, GeneratedRoot>();
  for (const root of org.roots) {
    children.set(root.id, { ous: [], accounts: [] });
    targetTypes.set(root.id, 'ROOT');
    rootsById.set(root.id, root);
  }
  for (const ou of org.ous) {
    children.set(ou.id, { ous: [], accounts: [] });
    targetTypes.set(ou.id, 'ORGANIZATIONAL_UNIT');
  }
  // A second pass, so a hand-built org whose OUs are not parent-first still indexes.
  for (const ou of org.ous) containerOf(children, ou.parentId, ou.id).ous.push(ou);
  for (const account of org.accounts) {
    targetTypes.set(account.id, 'ACCOUNT');
    containerOf(children, account.parentId, account.id).accounts.push(account);
  }
  const parents = new Map<string, string>([...org.ous, ...org.accounts].map((child) => [child.id, child.parentId]));
  return { org, children, targetTypes, parents, rootsById, associationList: [...org.associations.values()] };
}

function containerOf(children: Map<string, ContainerChildren>, parentId: string, childId: string): ContainerChildren {
  const found = children.get(parentId);
  if (!found) throw new Error(`${childId} names parent ${parentId}, which is neither a root nor an OU`);
  return found;
}
