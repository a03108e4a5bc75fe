/**
 * Lookup tables over a {@link GeneratedOrg}, built once when the emulator starts, so every
 * request is answered with map look-ups and array slices instead of scans of the whole
 * organization (which matters at 10,000+ accounts).
 */
import type { TargetType } from '../../lambdas/audit/model';
import type { GeneratedAccount, GeneratedAssociation, GeneratedOrg, GeneratedOu, GeneratedRoot } from './generated-org';

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

/** Builds the indexes in one pass over the organization. */
export function buildOrgIndex(org: GeneratedOrg): OrgIndex {
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
