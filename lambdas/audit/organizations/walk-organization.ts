/**
 * Enumerates every root, OU and account of the organization, then hands the listings to
 * {@link buildOrgTree}. One ListOrganizationalUnitsForParent and one ListAccountsForParent
 * listing per container gives each account its parent for free, so there are no
 * per-account ListParents calls (which would cost one request per account against an
 * API with no published rate).
 *
 * Every page is paced by a client-side token bucket: Organizations publishes no request
 * rate for its List* operations, throttles with TooManyRequestsException, and shares its
 * quota with every other caller in the organization, so the walk sends at a steady,
 * configurable rate instead of bursting into throttling and leaning on retries.
 */
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  ACCOUNT_STATES,
  type AccountStatus,
  type Clock,
  type OrgSnapshot,
  type RejectedTarget,
  type Sleep,
  type TargetType,
} from '../model';
import { AuditError, isAccessError } from '../errors';
import { isTargetIdOfType, quoteUntrustedId } from '../target-ids';
import { displaySafe } from '../util/display-text';
import { systemClock } from '../util/system-clock';
import { TokenBucket } from '../util/token-bucket';
import { buildOrgTree, type RawAccount, type RawOrganizationalUnit, type RawRoot } from './org-tree';

/** Options for {@link walkOrganization}. */
export interface WalkOptions {
  /** Containers listed at the same time; default {@link DEFAULT_WALK_CONCURRENCY}. */
  readonly concurrency?: number;
  /** Called after each container is listed with the number of targets found so far. */
  readonly onProgress?: (targetsFound: number) => void;
  /** Client-side pacing of the List* requests; default: unpaced (tests, small organizations). */
  readonly pacing?: WalkPacing;
  /**
   * Epoch ms on `pacing.clock` after which no further page is requested: a walk that
   * cannot finish in time fails with a message saying so, instead of being cut off by the
   * Lambda timeout with no report and no metric. Default: none.
   */
  readonly deadline?: number;
  /**
   * Called with the targets of each listing as soon as it is complete (the roots first,
   * then each container's OUs and accounts), in discovery order; lets work on them start
   * while the walk goes on. Targets here may still be part of a walk that fails.
   */
  readonly onTargets?: (targets: readonly WalkedTarget[]) => void;
}

/** A target as the walk hands it to {@link WalkOptions.onTargets}. */
export interface WalkedTarget {
  readonly id: string;
  readonly type: TargetType;
}

/** Token bucket settings for the walk's requests, with the clock and sleep it runs on. */
export interface WalkPacing {
  readonly requestsPerSecond: number;
  readonly burst: number;
  readonly clock: Clock;
  readonly sleep: Sleep;
}

/**
 * Deepest OU level below a root: "OU maximum nesting in a root: Five levels of OUs deep
 * under a root" (Quotas for AWS Organizations, a hard limit). OUs at this level cannot
 * have child OUs, so the walk does not ask for them: in a deep organization that saves a
 * large share of the ListOrganizationalUnitsForParent calls.
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 */
export const MAX_OU_DEPTH = 5;

/** Bound on the pages of one listing, so a service that kept sending NextToken could not loop for ever. */
export const MAX_PAGES_PER_LISTING = 100_000;

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

/**
 * A List* call failed (after the SDK's retries); the walk cannot produce a complete tree.
 * PERMISSION when the caller may not read the organization (or it has none), else TRANSIENT.
 */
export class OrganizationWalkError extends AuditError {
  constructor(
    readonly operation: WalkOperation,
    /** Parent the call listed children of; `null` for ListRoots. */
    readonly parentId: string | null,
    cause: unknown,
  ) {
    const reason = displaySafe(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause), 500);
    super(
      isAccessError(cause) ? 'PERMISSION' : 'TRANSIENT',
      parentId === null
        ? `Organizations ${operation} failed: ${reason}`
        : `Organizations ${operation} failed for parent ${parentId}: ${reason}`,
      { cause },
    );
  }
}

/** The run's deadline came before the organization was listed; not wrapped as a failed call. */
export class WalkDeadlineError extends AuditError {
  constructor(readonly pagesListed: number) {
    super(
      'TRANSIENT',
      `The run's deadline came after ${pagesListed} Organizations pages, before the organization was listed; ` +
        'raise ORGANIZATIONS_REQUESTS_PER_SECOND if your organization allows it, or see the README on very large organizations',
    );
  }
}

/**
 * The account's state as Organizations names it: `State` (ACTIVE, SUSPENDED,
 * PENDING_CLOSURE, CLOSED, PENDING_ACTIVATION), reported unchanged. The older `Status`
 * (retired on 2026-09-09 per the API documentation) is read only when `State` is
 * absent, as in answers from before `State` existed. A value the audit does not know
 * maps to `null` rather than a guess.
 */
export function accountStatusOf(account: Pick<Account, 'Status' | 'State'>): AccountStatus | null {
  const value: unknown = account.State ?? account.Status;
  return (ACCOUNT_STATES as readonly unknown[]).includes(value) ? (value as AccountStatus) : null;
}

interface ListPage {
  readonly NextToken?: string;
}

/**
 * Every page of one listing, in order. An empty page that still carries a NextToken (which
 * Organizations documents it may return) does not end the listing; only a page without
 * one does.
 */
async function listAll<P extends ListPage>(
  operation: WalkOperation,
  parentId: string | null,
  pace: () => Promise<void>,
  fetchPage: (nextToken: string | undefined) => Promise<P>,
): Promise<P[]> {
  const pages: P[] = [];
  let nextToken: string | undefined;
  try {
    do {
      if (pages.length >= MAX_PAGES_PER_LISTING) {
        throw new Error(`still returning NextToken after ${MAX_PAGES_PER_LISTING} pages`);
      }
      await pace();
      const page = await fetchPage(nextToken);
      pages.push(page);
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
  } catch (error) {
    if (error instanceof WalkDeadlineError) throw error;
    throw new OrganizationWalkError(operation, parentId, error);
  }
  return pages;
}

/**
 * Splits listed entries into those with a valid id of their kind and the rest. An entry
 * without a valid id cannot be audited, and its id must not reach a request, key or row.
 */
function partitionById<T extends { Id?: string }>(
  items: readonly T[],
  type: TargetType,
  parentId: string,
  rejected: RejectedTarget[],
): (T & { Id: string })[] {
  const valid: (T & { Id: string })[] = [];
  for (const item of items) {
    if (typeof item.Id === 'string' && isTargetIdOfType(type, item.Id)) valid.push(item as T & { Id: string });
    else rejected.push({ quotedId: quoteUntrustedId(item.Id ?? '(no id)'), type, parentId });
  }
  return valid;
}

/** A root or OU whose children are still to be listed, with its depth below the root (root: 0). */
export interface FrontierEntry {
  readonly parentId: string;
  readonly depth: number;
}

/**
 * Everything a walk has found and still has to do. Plain arrays, maps and sets of plain
 * records, so it could be written out between pages (maps and sets as entry arrays) and a
 * walk resumed from it; the containers being listed when it was written go back on the
 * frontier (a listing is redone whole, never resumed mid-page).
 */
export interface WalkState {
  readonly roots: RawRoot[];
  readonly ousByParent: Map<string, RawOrganizationalUnit[]>;
  readonly accountsByParent: Map<string, RawAccount[]>;
  readonly rejected: RejectedTarget[];
  /** Containers to list next, in order. */
  readonly frontier: FrontierEntry[];
  /**
   * Containers ever put on the frontier. Guards against the service listing a container
   * twice (or in a loop): buildOrgTree reports that as an error, the walk just must not
   * recurse forever.
   */
  readonly queued: Set<string>;
  /** Targets found so far. */
  found: number;
}

/** Lists one container, records it in the state and returns its child OUs to walk. */
type ListContainer = (entry: FrontierEntry) => Promise<readonly FrontierEntry[]>;

/**
 * Lists every container on the frontier (and those it adds) with at most `concurrency`
 * listings at once, in frontier order. The first failure rejects and no further listing starts.
 */
function drainFrontier(state: WalkState, concurrency: number, listContainer: ListContainer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let active = 0;
    let failed = false;
    const pump = (): void => {
      if (failed) return;
      if (active === 0 && state.frontier.length === 0) {
        resolve();
        return;
      }
      while (active < concurrency && state.frontier.length > 0) {
        const entry = state.frontier.shift()!;
        active += 1;
        listContainer(entry).then(
          (children) => {
            active -= 1;
            for (const child of children) enqueue(state, child);
            pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }
    };
    pump();
  });
}

function enqueue(state: WalkState, entry: FrontierEntry): void {
  if (state.queued.has(entry.parentId)) return;
  state.queued.add(entry.parentId);
  state.frontier.push(entry);
}

/** Lists the roots into `state` and puts them on the frontier. */
async function listRoots(client: OrganizationsClient, state: WalkState, pace: Pace, options: WalkOptions) {
  const pages = await listAll('ListRoots', null, pace, (NextToken) =>
    client.send(new ListRootsCommand({ MaxResults: ORGANIZATIONS_PAGE_SIZE, NextToken })),
  );
  const roots = partitionById(
    pages.flatMap((page) => page.Roots ?? []),
    'ROOT',
    '(organization)',
    state.rejected,
  ).map((root) => ({ id: root.Id, name: root.Name }));
  state.roots.push(...roots);
  state.found += roots.length;
  options.onTargets?.(roots.map((root) => ({ id: root.id, type: 'ROOT' })));
  options.onProgress?.(state.found);
  for (const root of roots) enqueue(state, { parentId: root.id, depth: 0 });
}

/** The {@link ListContainer} of a walk: both listings of one container, ids checked. */
function containerLister(
  client: OrganizationsClient,
  state: WalkState,
  pace: Pace,
  options: WalkOptions,
): ListContainer {
  const MaxResults = ORGANIZATIONS_PAGE_SIZE;
  return async ({ parentId, depth }) => {
    const ouPages =
      depth < MAX_OU_DEPTH
        ? await listAll('ListOrganizationalUnitsForParent', parentId, pace, (NextToken) =>
            client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, MaxResults, NextToken })),
          )
        : [];
    const accountPages = await listAll('ListAccountsForParent', parentId, pace, (NextToken) =>
      client.send(new ListAccountsForParentCommand({ ParentId: parentId, MaxResults, NextToken })),
    );
    const ous = partitionById(
      ouPages.flatMap((page) => page.OrganizationalUnits ?? []),
      'ORGANIZATIONAL_UNIT',
      parentId,
      state.rejected,
    ).map((ou) => ({ id: ou.Id, name: ou.Name }));
    // Only id, name and status are copied: e-mail addresses never leave this function.
    const accounts = partitionById(
      accountPages.flatMap((page) => page.Accounts ?? []),
      'ACCOUNT',
      parentId,
      state.rejected,
    ).map((account) => ({ id: account.Id, name: account.Name, status: accountStatusOf(account) }));
    state.ousByParent.set(parentId, ous);
    state.accountsByParent.set(parentId, accounts);
    state.found += ous.length + accounts.length;
    options.onTargets?.([
      ...ous.map((ou) => ({ id: ou.id, type: 'ORGANIZATIONAL_UNIT' as const })),
      ...accounts.map((account) => ({ id: account.id, type: 'ACCOUNT' as const })),
    ]);
    options.onProgress?.(state.found);
    return ous.map((ou) => ({ parentId: ou.id, depth: depth + 1 }));
  };
}

/** The pacing step before every page: a token, then the deadline check. */
type Pace = () => Promise<void>;

function pacer(options: WalkOptions): Pace {
  const bucket =
    options.pacing && new TokenBucket({ ...options.pacing, ratePerSecond: options.pacing.requestsPerSecond });
  const clock = options.pacing?.clock ?? systemClock;
  const { deadline } = options;
  let pages = 0;
  return async () => {
    await bucket?.take();
    if (deadline !== undefined && clock.now() > deadline) throw new WalkDeadlineError(pages);
    pages += 1;
  };
}

/** A fresh walk's state. */
export function emptyWalkState(): WalkState {
  return {
    roots: [],
    ousByParent: new Map(),
    accountsByParent: new Map(),
    rejected: [],
    frontier: [],
    queued: new Set(),
    found: 0,
  };
}

/**
 * Walks the whole organization: ListRoots, then for every container its OUs and accounts,
 * sibling subtrees in parallel with at most `concurrency` containers being listed at once
 * and every page paced by `pacing`. Entries listed with an invalid id are returned in
 * `rejected` instead of `targets` (an OU's subtree is then not walked).
 *
 * @throws OrganizationWalkError when any List* call fails; WalkDeadlineError when the
 *   deadline passes first; OrgTreeError when the listings do not form a tree; whatever
 *   `onTargets` throws (the walk then stops).
 */
export async function walkOrganization(client: OrganizationsClient, options: WalkOptions = {}): Promise<OrgSnapshot> {
  const state = emptyWalkState();
  const pace = pacer(options);
  await listRoots(client, state, pace, options);
  await drainFrontier(
    state,
    options.concurrency ?? DEFAULT_WALK_CONCURRENCY,
    containerLister(client, state, pace, options),
  );
  return buildOrgTree(state);
}
