/**
 * Enumerates every root, OU and account of the organization, then hands the listings to
 * {@link buildOrgTree}. One ListOrganizationalUnitsForParent and one ListAccountsForParent
 * listing per container gives each account its parent for free, so there are no
 * per-account ListParents calls (which would cost one request per account against an
 * API with no published rate).
 *
 * Every page is paced by a client-side token bucket (walk-pacer.ts): Organizations publishes
 * no request rate for its List* operations, throttles with TooManyRequestsException, and
 * shares its quota with every other caller in the organization, so the walk sends at a
 * steady, configurable rate instead of bursting into throttling and leaning on retries.
 *
 * A walk can also pause at its deadline ({@link WalkOptions.onDeadline}) and hand back its
 * progress as plain data ({@link SavedWalk}, see saved-walk.ts), from which a later
 * {@link OrganizationWalk} (e.g. in the next Lambda invocation) carries on: an organization
 * too large to list in one invocation is listed across several, each container exactly once.
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
  type OrgSnapshot,
  type RejectedTarget,
  type TargetType,
  type WalkOperation,
} from '../model';
import { WalkDeadlineError, WalkPaused, OrganizationWalkError } from '../errors';
import { isTargetIdOfType, quoteUntrustedId } from '../target-ids';
import { buildOrgTree } from './org-tree';
import { restoreWalkState, savedWalkOf, type SavedWalk } from './saved-walk';
import { listingPacer, pacer, type Pace, type WalkPacing } from './walk-pacer';
import { emptyWalkState, enqueue, MAX_OU_DEPTH, recordListing, type FrontierEntry, type WalkState } from './walk-state';
import { capText, MAX_NAME_LENGTH } from '../util/text-bounds';

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
   * cannot finish in time fails with a message saying so (or pauses, see `onDeadline`),
   * instead of being cut off by the Lambda timeout with no report and no metric. Default: none.
   */
  readonly deadline?: number;
  /**
   * What a walk does when the deadline passes with containers still to list. `'fail'`
   * (default): throws {@link WalkDeadlineError}. `'pause'`: starts no further listing,
   * lets the listings in flight settle (each stops at its next page request once
   * `pauseGraceMs` has passed too; one whose last page was in flight completes) and ends {@link OrganizationWalk.run} with
   * `PAUSED` and a {@link SavedWalk} to resume from. {@link walkOrganization} refuses `'pause'`.
   */
  readonly onDeadline?: 'fail' | 'pause';
  /**
   * With `onDeadline: 'pause'`: how long after the deadline a listing already under way
   * (at least one page listed) may go on requesting pages. A listing cut short is redone
   * whole by the next invocation, so letting it finish saves its pages; no listing
   * starts after the deadline. Default 0.
   */
  readonly pauseGraceMs?: number;
  /**
   * Called with the targets of each listing as soon as it is complete (the roots first,
   * then each container's OUs and accounts), in discovery order; lets work on them start
   * while the walk goes on. Targets here may still be part of a walk that fails.
   */
  readonly onTargets?: (targets: readonly WalkedTarget[]) => void;
}

/**
 * A target as the walk hands it to {@link WalkOptions.onTargets}.
 * @internal Exported for its tests.
 */
export interface WalkedTarget {
  readonly id: string;
  readonly type: TargetType;
}

/** How a walk ended: the whole tree, or paused at the deadline with what it has. */
export type WalkOutcome =
  { readonly status: 'DONE'; readonly org: OrgSnapshot } | { readonly status: 'PAUSED'; readonly saved: SavedWalk };

/** Bound on the pages of one listing, so a service that kept sending NextToken could not loop for ever. */
const MAX_PAGES_PER_LISTING = 100_000;

/** Default number of containers listed in parallel. */
const DEFAULT_WALK_CONCURRENCY = 4;

/**
 * MaxResults for every List* call: 20 is the documented maximum for ListRoots,
 * ListOrganizationalUnitsForParent and ListAccountsForParent ("Valid Range: Minimum
 * value of 1. Maximum value of 20.").
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccountsForParent.html
 */
export const ORGANIZATIONS_PAGE_SIZE = 20;

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
        throw new OrganizationWalkError(
          operation,
          parentId,
          `still returning NextToken after ${MAX_PAGES_PER_LISTING} pages`,
        );
      }
      await pace();
      const page = await fetchPage(nextToken);
      pages.push(page);
      nextToken = page.NextToken;
    } while (nextToken !== undefined && nextToken !== '');
  } catch (error) {
    if (error instanceof WalkDeadlineError || error instanceof WalkPaused || error instanceof OrganizationWalkError) {
      throw error;
    }
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

/** Lists one container and records it in the state (children queued included). */
type ListContainer = (entry: FrontierEntry) => Promise<void>;

/** How draining the frontier ended: nothing left to list, or paused at the deadline. */
type DrainEnd = 'DONE' | 'PAUSED';

/**
 * Lists every container on the frontier (and those it adds) with at most `concurrency`
 * listings at once, in frontier order. The first failure rejects and no further listing
 * starts. A pause starts no further listing either, but waits for those in flight to
 * settle, then puts the abandoned ones back at the front of the frontier in taken order.
 */
function drainFrontier(state: WalkState, concurrency: number, listContainer: ListContainer): Promise<DrainEnd> {
  return new Promise<DrainEnd>((resolve, reject) => {
    let active = 0;
    let stop: 'FAILED' | 'PAUSING' | undefined;
    const settled = (): void => {
      active -= 1;
      pump();
    };
    const pump = (): void => {
      if (stop === 'FAILED') return;
      if (active === 0 && (stop === 'PAUSING' || state.frontier.length === 0)) {
        // Only abandoned listings are still in flight now: completed ones removed themselves.
        state.frontier.unshift(...state.inFlight.splice(0));
        resolve(stop === 'PAUSING' ? 'PAUSED' : 'DONE');
        return;
      }
      while (stop === undefined && active < concurrency && state.frontier.length > 0) {
        const entry = state.frontier.shift()!;
        state.inFlight.push(entry);
        active += 1;
        listContainer(entry).then(settled, (error: unknown) => {
          // While pausing, a listing that fails is redone whole by the next invocation
          // anyway: pausing keeps what the others listed, failing would lose it.
          if (error instanceof WalkPaused || stop === 'PAUSING') {
            stop ??= 'PAUSING';
            settled();
            return;
          }
          stop = 'FAILED';
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      }
    };
    pump();
  });
}

/**
 * A name as the walk keeps it: cut to `MAX_NAME_LENGTH`, the bound its checkpoint and the
 * report read names back with (Organizations allows far shorter names, but the answer is untrusted).
 */
function boundedName(name: string | undefined): string | undefined {
  return name === undefined ? undefined : capText(name, MAX_NAME_LENGTH);
}

/** Lists the roots into `state` and puts them on the frontier. */
async function listRoots(client: OrganizationsClient, state: WalkState, pace: Pace, options: WalkOptions) {
  const pages = await listAll('ListRoots', null, listingPacer(pace), (NextToken) =>
    client.send(new ListRootsCommand({ MaxResults: ORGANIZATIONS_PAGE_SIZE, NextToken })),
  );
  const roots = partitionById(
    pages.flatMap((page) => page.Roots ?? []),
    'ROOT',
    '(organization)',
    state.rejected,
  ).map((root) => ({ id: root.Id, name: boundedName(root.Name) }));
  state.roots.push(...roots);
  state.rootsListed = true;
  state.found += roots.length;
  for (const root of roots) enqueue(state, { parentId: root.id, depth: 0 });
  options.onTargets?.(roots.map((root) => ({ id: root.id, type: 'ROOT' })));
  options.onProgress?.(state.found);
}

/** The {@link ListContainer} of a walk: both listings of one container, ids checked. */
function containerLister(
  client: OrganizationsClient,
  state: WalkState,
  pace: Pace,
  options: WalkOptions,
): ListContainer {
  const MaxResults = ORGANIZATIONS_PAGE_SIZE;
  return async (entry) => {
    const { parentId, depth } = entry;
    const pacePage = listingPacer(pace);
    const ouPages =
      depth < MAX_OU_DEPTH
        ? await listAll('ListOrganizationalUnitsForParent', parentId, pacePage, (NextToken) =>
            client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, MaxResults, NextToken })),
          )
        : [];
    const accountPages = await listAll('ListAccountsForParent', parentId, pacePage, (NextToken) =>
      client.send(new ListAccountsForParentCommand({ ParentId: parentId, MaxResults, NextToken })),
    );
    const ous = partitionById(
      ouPages.flatMap((page) => page.OrganizationalUnits ?? []),
      'ORGANIZATIONAL_UNIT',
      parentId,
      state.rejected,
    ).map((ou) => ({ id: ou.Id, name: boundedName(ou.Name) }));
    // Only id, name and status are copied: e-mail addresses never leave this function.
    const accounts = partitionById(
      accountPages.flatMap((page) => page.Accounts ?? []),
      'ACCOUNT',
      parentId,
      state.rejected,
    ).map((account) => ({ id: account.Id, name: boundedName(account.Name), status: accountStatusOf(account) }));
    recordListing(state, entry, ous, accounts);
    options.onTargets?.([
      ...ous.map((ou) => ({ id: ou.id, type: 'ORGANIZATIONAL_UNIT' as const })),
      ...accounts.map((account) => ({ id: account.id, type: 'ACCOUNT' as const })),
    ]);
    options.onProgress?.(state.found);
  };
}

/**
 * One walk of the organization, fresh or resumed from a {@link SavedWalk}: ListRoots, then
 * for every container its OUs and accounts, sibling subtrees in parallel with at most
 * `concurrency` containers being listed at once and every page paced by `pacing`. Entries
 * listed with an invalid id go to `rejected` instead of the tree (an OU's subtree is then
 * not walked).
 *
 * Resumed, it lists only what the saved walk had not: `onTargets` gets only the targets
 * this run finds (the saved ones were handed on by the run that found them), `onProgress`
 * counts on from the saved total, and a DONE tree is built from everything, so it equals
 * the tree an uninterrupted walk returns.
 */
export class OrganizationWalk {
  private readonly state: WalkState;
  private running: Promise<WalkOutcome> | undefined;

  /** @throws SavedWalkError when `from` is inconsistent. */
  constructor(
    private readonly client: OrganizationsClient,
    private readonly options: WalkOptions = {},
    from?: SavedWalk,
  ) {
    this.state = from === undefined ? emptyWalkState() : restoreWalkState(from);
  }

  /**
   * Runs the walk (once: later calls return the same promise), from `from` if given.
   * Resolves DONE with the whole tree, or PAUSED with the progress when `onDeadline` is
   * `'pause'` and the deadline passed with containers still to list.
   *
   * @throws OrganizationWalkError when any List* call fails; WalkDeadlineError when the
   *   deadline passes first in `'fail'` mode; OrgTreeError when the listings do not form a
   *   tree; whatever `onTargets` throws (the walk then stops).
   */
  run(): Promise<WalkOutcome> {
    this.running ??= this.walk();
    return this.running;
  }

  /**
   * A consistent deep copy of the progress right now (callable at any time, before, during
   * or after run()): listings in flight count as not done and come first on its frontier.
   */
  snapshot(): SavedWalk {
    return savedWalkOf(this.state);
  }

  private async walk(): Promise<WalkOutcome> {
    const { client, state, options } = this;
    const paced = pacer(options);
    let failed = false;
    // After a failure the listings still under way stop at their next page, so nothing
    // keeps paging Organizations for a walk that has already ended.
    const pace: Pace = async (underWay) => {
      if (failed) throw new WalkPaused();
      await paced(underWay);
    };
    try {
      if (!state.rootsListed) await listRoots(client, state, pace, options);
      const lister = containerLister(client, state, pace, options);
      const end = await drainFrontier(state, options.concurrency ?? DEFAULT_WALK_CONCURRENCY, lister);
      if (end === 'PAUSED') return { status: 'PAUSED', saved: this.snapshot() };
    } catch (error) {
      if (error instanceof WalkPaused) return { status: 'PAUSED', saved: this.snapshot() };
      failed = true;
      throw error;
    }
    return { status: 'DONE', org: buildOrgTree(state) };
  }
}
