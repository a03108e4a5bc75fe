/**
 * The re-check's Organizations calls, one job each: where a target is now (ListParents),
 * what it is called (DescribeAccount, DescribeOrganizationalUnit) and what a container
 * holds (ListOrganizationalUnitsForParent, ListAccountsForParent). Every call waits for
 * the re-check's own token first, so with the nightly run the two stay under the quota.
 * Every answer is untrusted: ids are checked, names bounded, e-mail never kept.
 */
import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  ListParentsCommand,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { AccountStatus, TargetType } from '../model';
import { accountStatusOf, ORGANIZATIONS_PAGE_SIZE } from '../organizations/walk-organization';
import { isTargetIdOfType } from '../target-ids';
import { capText, MAX_NAME_LENGTH } from '../util/text-bounds';
import { OrganizationsLookupError } from '../errors';
import { errorName } from '../securityhub/call-errors';

/** The Organizations client and the re-check's pacing of it. */
export interface LookupDeps {
  readonly client: Pick<OrganizationsClient, 'send'>;
  /** Waits for the re-check's next Organizations token. */
  readonly take: () => Promise<void>;
}

/** A node as a look-up or listing found it. */
export interface LiveNode {
  readonly id: string;
  readonly type: TargetType;
  readonly name: string;
  readonly accountStatus: AccountStatus | null;
}

/** "The specified child/account/OU was not found": the target is not in the organization (any more). */
const NOT_FOUND = new Set([
  'ChildNotFoundException',
  'AccountNotFoundException',
  'OrganizationalUnitNotFoundException',
]);

/** The type an id's shape says, or `null` for no target id. */
export function typeOfId(id: string): TargetType | null {
  const types: TargetType[] = ['ROOT', 'ORGANIZATIONAL_UNIT', 'ACCOUNT'];
  return types.find((type) => isTargetIdOfType(type, id)) ?? null;
}

async function call<T>(
  deps: LookupDeps,
  operation: string,
  subject: string,
  send: () => Promise<T>,
): Promise<T | null> {
  await deps.take();
  try {
    return await send();
  } catch (error) {
    if (NOT_FOUND.has(errorName(error))) return null;
    throw new OrganizationsLookupError(operation, subject, error);
  }
}

/**
 * The parent of a child (account or OU), or `null` when the organization has no such child.
 * @throws OrganizationsLookupError when the call fails or the answer names no valid parent.
 */
export async function parentOf(deps: LookupDeps, childId: string): Promise<string | null> {
  const answer = await call(deps, 'ListParents', childId, () =>
    deps.client.send(new ListParentsCommand({ ChildId: childId })),
  );
  if (answer === null) return null;
  const parentId = answer.Parents?.[0]?.Id;
  if (typeof parentId !== 'string' || (typeOfId(parentId) ?? 'ACCOUNT') === 'ACCOUNT') {
    throw new OrganizationsLookupError('ListParents', childId, new TypeError('the answer names no valid parent'));
  }
  return parentId;
}

/** What an account or OU is called and, for an account, its state; `null` when it does not exist. */
export async function describeTarget(deps: LookupDeps, id: string, type: TargetType): Promise<LiveNode | null> {
  if (type === 'ACCOUNT') {
    const answer = await call(deps, 'DescribeAccount', id, () =>
      deps.client.send(new DescribeAccountCommand({ AccountId: id })),
    );
    const account = answer?.Account;
    if (account === undefined) return null;
    return { id, type, name: capText(account.Name ?? '', MAX_NAME_LENGTH), accountStatus: accountStatusOf(account) };
  }
  if (type === 'ORGANIZATIONAL_UNIT') {
    const answer = await call(deps, 'DescribeOrganizationalUnit', id, () =>
      deps.client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: id })),
    );
    const ou = answer?.OrganizationalUnit;
    return ou === undefined ? null : { id, type, name: capText(ou.Name ?? '', MAX_NAME_LENGTH), accountStatus: null };
  }
  return { id, type, name: '', accountStatus: null };
}

/** Pages a listing may take: 50,000 accounts at 20 a page, with room. */
const MAX_PAGES = 3_000;

/**
 * The OUs and accounts directly in a container, valid ids only (the count of invalid ones is returned).
 * @throws OrganizationsLookupError when a page fails.
 */
export async function childrenOf(deps: LookupDeps, parentId: string): Promise<{ nodes: LiveNode[]; invalid: number }> {
  const nodes: LiveNode[] = [];
  let invalid = 0;
  const keep = (id: string | undefined, type: TargetType, name: string | undefined, status: AccountStatus | null) => {
    if (typeof id === 'string' && isTargetIdOfType(type, id)) {
      nodes.push({ id, type, name: capText(name ?? '', MAX_NAME_LENGTH), accountStatus: status });
    } else invalid += 1;
  };
  const config = { client: deps.client as OrganizationsClient, pageSize: ORGANIZATIONS_PAGE_SIZE };
  try {
    let pages = 0;
    await deps.take();
    for await (const page of paginateListOrganizationalUnitsForParent(config, { ParentId: parentId })) {
      for (const ou of page.OrganizationalUnits ?? []) keep(ou.Id, 'ORGANIZATIONAL_UNIT', ou.Name, null);
      if ((pages += 1) >= MAX_PAGES) break;
      await deps.take();
    }
    await deps.take();
    for await (const page of paginateListAccountsForParent(config, { ParentId: parentId })) {
      for (const account of page.Accounts ?? []) keep(account.Id, 'ACCOUNT', account.Name, accountStatusOf(account));
      if ((pages += 1) >= 2 * MAX_PAGES) break;
      await deps.take();
    }
  } catch (error) {
    throw new OrganizationsLookupError('List children', parentId, error);
  }
  return { nodes, invalid };
}
