/**
 * Enumerates every root, OU and account of the organization with the List* paginators,
 * then hands the listings to {@link buildOrgTree}. One ListOrganizationalUnitsForParent
 * and one ListAccountsForParent listing per container gives each account its parent for
 * free, so there are no per-account ListParents calls (which would cost one request per
 * account against an API with no published rate).
 */
import {
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListRoots,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { AccountStatus, OrgSnapshot } from '../model';
import { createLimiter } from '../util/map-concurrent';
import { buildOrgTree, type RawAccount, type RawOrganizationalUnit, type RawRoot } from './org-tree';

/** Options for {@link walkOrganization}. */
export interface WalkOptions {
  /** Containers listed at the same time; default {@link DEFAULT_WALK_CONCURRENCY}. */
  readonly concurrency?: number;
  /** Called after each container is listed with the number of targets found so far. */
  readonly onProgress?: (targetsFound: number) => void;
}

/** Default number of containers listed in parallel. */
export const DEFAULT_WALK_CONCURRENCY = 4;

/**
 * MaxResults for every List* call: 20 is the documented maximum for ListRoots,
 * ListOrganizationalUnitsForParent and ListAccountsForParent ("Valid Range: Minimum
 * value of 1. Maximum value of 20.").
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccountsForParent.html
 */
export const ORGANIZATIONS_PAGE_SIZE = 20;

/** The Organizations operations the walk calls. */
export type WalkOperation = 'ListRoots' | 'ListOrganizationalUnitsForParent' | 'ListAccountsForParent';

/** A List* call failed (after the SDK's retries); the walk cannot produce a complete tree. */
export class OrganizationWalkError extends Error {
  override readonly name = 'OrganizationWalkError';

  constructor(
    readonly operation: WalkOperation,
    /** Parent the call listed children of; `null` for ListRoots. */
    readonly parentId: string | null,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(
      parentId === null
        ? `Organizations ${operation} failed: ${reason}`
        : `Organizations ${operation} failed for parent ${parentId}: ${reason}`,
      { cause },
    );
  }
}

/**
 * Account status, preferring the long-standing `Status` field and falling back to the
 * newer `State` (Organizations retires `Status` on 2026-09-09 per the SDK model docs).
 * `State` has more values than the report's {@link AccountStatus}:
 * - CLOSED: a closed account stays in the organization for up to 90 days and the old
 *   `Status` reported it as SUSPENDED, so SUSPENDED it is (it cannot be configured).
 * - PENDING_ACTIVATION: the account exists and is joining; treated as ACTIVE so that a
 *   missing association on it is reported rather than excused.
 * Anything unknown maps to `null` rather than a guess.
 */
export function accountStatusOf(account: Pick<Account, 'Status' | 'State'>): AccountStatus | null {
  switch (account.Status) {
    case 'ACTIVE':
    case 'SUSPENDED':
    case 'PENDING_CLOSURE':
      return account.Status;
    default:
      break;
  }
  switch (account.State) {
    case 'ACTIVE':
    case 'SUSPENDED':
    case 'PENDING_CLOSURE':
      return account.State;
    case 'CLOSED':
      return 'SUSPENDED';
    case 'PENDING_ACTIVATION':
      return 'ACTIVE';
    default:
      return null;
  }
}

async function collect<T>(operation: WalkOperation, parentId: string | null, pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  try {
    // The paginator keeps going while NextToken is set, so an empty page with a token
    // (which Organizations may return) does not end the listing early.
    for await (const page of pages) out.push(page);
  } catch (error) {
    throw new OrganizationWalkError(operation, parentId, error);
  }
  return out;
}

/**
 * Walks the whole organization: ListRoots, then for every container its OUs and accounts,
 * sibling subtrees in parallel with at most `concurrency` containers being listed at once.
 *
 * @throws OrganizationWalkError when any List* call fails; OrgTreeError when the listings
 *   do not form a tree.
 */
export async function walkOrganization(client: OrganizationsClient, options: WalkOptions = {}): Promise<OrgSnapshot> {
  const concurrency = options.concurrency ?? DEFAULT_WALK_CONCURRENCY;
  const limit = createLimiter(concurrency);
  const paginatorConfig = { client, pageSize: ORGANIZATIONS_PAGE_SIZE };

  const rootPages = await collect('ListRoots', null, paginateListRoots(paginatorConfig, {}));
  const roots: RawRoot[] = rootPages
    .flatMap((page) => page.Roots ?? [])
    .filter((root): root is typeof root & { Id: string } => typeof root.Id === 'string')
    .map((root) => ({ id: root.Id, name: root.Name }));

  const ousByParent = new Map<string, RawOrganizationalUnit[]>();
  const accountsByParent = new Map<string, RawAccount[]>();
  let found = roots.length;
  let failed = false;
  options.onProgress?.(found);

  const listContainer = async (parentId: string): Promise<RawOrganizationalUnit[]> => {
    // Once one listing failed the walk's result is an error; don't spend more requests.
    if (failed) return [];
    const ouPages = await collect(
      'ListOrganizationalUnitsForParent',
      parentId,
      paginateListOrganizationalUnitsForParent(paginatorConfig, { ParentId: parentId }),
    );
    const accountPages = await collect(
      'ListAccountsForParent',
      parentId,
      paginateListAccountsForParent(paginatorConfig, { ParentId: parentId }),
    );
    const ous = ouPages
      .flatMap((page) => page.OrganizationalUnits ?? [])
      .filter((ou): ou is typeof ou & { Id: string } => typeof ou.Id === 'string')
      .map((ou) => ({ id: ou.Id, name: ou.Name }));
    // Only id, name and status are copied: e-mail addresses never leave this function.
    const accounts = accountPages
      .flatMap((page) => page.Accounts ?? [])
      .filter((account): account is typeof account & { Id: string } => typeof account.Id === 'string')
      .map((account) => ({ id: account.Id, name: account.Name, status: accountStatusOf(account) }));
    ousByParent.set(parentId, ous);
    accountsByParent.set(parentId, accounts);
    found += ous.length + accounts.length;
    options.onProgress?.(found);
    return ous;
  };

  // Guards against the service listing a container twice (or in a loop): buildOrgTree
  // reports that as an error, the walk just must not recurse forever.
  const started = new Set<string>();
  const visit = async (parentId: string): Promise<void> => {
    if (started.has(parentId)) return;
    started.add(parentId);
    const children = await limit(async () => {
      try {
        return await listContainer(parentId);
      } catch (error) {
        // Set inside the slot, before the limiter starts the next waiting container.
        failed = true;
        throw error;
      }
    });
    await Promise.all(children.map((child) => visit(child.id)));
  };

  await Promise.all(roots.map((root) => visit(root.id)));
  return buildOrgTree({ roots, ousByParent, accountsByParent });
}
