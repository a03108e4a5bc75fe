import {
  AccessDeniedException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
  TooManyRequestsException,
  type Account,
  type ListAccountsForParentCommandInput,
  type ListOrganizationalUnitsForParentCommandInput,
  type ListRootsCommandInput,
  type OrganizationalUnit,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import fc from 'fast-check';
import {
  accountStatusOf,
  OrganizationWalk,
  ORGANIZATIONS_PAGE_SIZE,
  type WalkedTarget,
  type WalkOptions,
  type WalkOutcome,
} from '../../../../lambdas/audit/organizations/walk-organization';
import { walkedTargets, type SavedWalk } from '../../../../lambdas/audit/organizations/saved-walk';
import { OrganizationWalkError, WalkDeadlineError, OrgTreeError } from '../../../../lambdas/audit/errors';
import { walkOrganization } from '../../../support/walk-whole-organization';
import { NOTHING_WALKED } from '../../../support/nothing-walked';

/**
 * A fake organization served through the mock: children per parent, pages of
 * MaxResults items with opaque tokens, and optional empty pages (with a NextToken)
 * before the real ones, as Organizations may return.
 */
interface FakeOrg {
  readonly roots: string[];
  readonly ous: Record<string, OrganizationalUnit[]>;
  readonly accounts: Record<string, Account[]>;
  /** Parent id -> number of empty pages served before its first real page. */
  readonly emptyPagesBefore?: Record<string, number>;
}

function page<T>(items: T[], parent: string, token: string | undefined, size: number, emptyPages: number) {
  // Tokens: "<parent>|empty|<n>" for empty pages, "<parent>|<offset>" for real ones.
  let offset = 0;
  if (token === undefined && emptyPages > 0) return { items: [], next: `${parent}|empty|1` };
  if (token?.includes('|empty|')) {
    const n = Number(token.split('|')[2]);
    return n < emptyPages
      ? { items: [], next: `${parent}|empty|${n + 1}` }
      : { items: items.slice(0, size), next: items.length > size ? `${parent}|${size}` : undefined };
  }
  if (token !== undefined) offset = Number(token.split('|')[1]);
  const slice = items.slice(offset, offset + size);
  return { items: slice, next: offset + size < items.length ? `${parent}|${offset + size}` : undefined };
}

const orgMock = mockClient(OrganizationsClient);

function serve(org: FakeOrg, hooks: { beforeEach?: () => Promise<void> } = {}) {
  orgMock.on(ListRootsCommand).callsFake(async (input: ListRootsCommandInput) => {
    await hooks.beforeEach?.();
    const p = page(org.roots, 'roots', input.NextToken, input.MaxResults ?? 20, 0);
    return { Roots: p.items.map((id) => ({ Id: id, Name: 'Root', Arn: `arn:${id}` })), NextToken: p.next };
  });
  orgMock
    .on(ListOrganizationalUnitsForParentCommand)
    .callsFake(async (input: ListOrganizationalUnitsForParentCommandInput) => {
      await hooks.beforeEach?.();
      const parent = input.ParentId!;
      const p = page(
        org.ous[parent] ?? [],
        parent,
        input.NextToken,
        input.MaxResults ?? 20,
        org.emptyPagesBefore?.[parent] ?? 0,
      );
      return { OrganizationalUnits: p.items, NextToken: p.next };
    });
  orgMock.on(ListAccountsForParentCommand).callsFake(async (input: ListAccountsForParentCommandInput) => {
    await hooks.beforeEach?.();
    const parent = input.ParentId!;
    const p = page(
      org.accounts[parent] ?? [],
      parent,
      input.NextToken,
      input.MaxResults ?? 20,
      org.emptyPagesBefore?.[parent] ?? 0,
    );
    return { Accounts: p.items, NextToken: p.next };
  });
}

/** Serves `org` and records the most calls in flight at once (each call yields once). */
function serveCountingInFlight(org: FakeOrg): { readonly max: number } {
  let now = 0;
  const seen = { max: 0 };
  serve(org, {
    beforeEach: async () => {
      now += 1;
      seen.max = Math.max(seen.max, now);
      await new Promise<void>((resolve) => setImmediate(resolve));
      now -= 1;
    },
  });
  return seen;
}

const account = (id: string, extra: Partial<Account> = {}): Account => ({
  Id: id,
  Name: `acct-${id}`,
  Email: `owner+${id}@example.com`,
  Arn: `arn:aws:organizations::000000000000:account/o-x/${id}`,
  Status: 'ACTIVE',
  ...extra,
});

/** Root with a chain of five nested OUs, a sibling OU, and accounts at every level. */
function deepOrg(): FakeOrg {
  const chain = ['ou-test-000000l1', 'ou-test-000000l2', 'ou-test-000000l3', 'ou-test-000000l4', 'ou-test-000000l5'];
  const ous: Record<string, OrganizationalUnit[]> = {
    'r-root': [
      { Id: 'ou-test-000000l1', Name: 'L1' },
      { Id: 'ou-test-0000side', Name: 'Side' },
    ],
  };
  chain.slice(0, -1).forEach((id, i) => {
    ous[id] = [{ Id: chain[i + 1], Name: `L${i + 2}` }];
  });
  const accounts: Record<string, Account[]> = {
    'r-root': [account('100000000000')],
    'ou-test-0000side': Array.from({ length: 45 }, (_, i) => account(String(200000000000 + i))),
  };
  chain.forEach((id, i) => {
    accounts[id] = [account(String(300000000000 + i), i === 4 ? { Status: 'SUSPENDED' } : {})];
  });
  return { roots: ['r-root'], ous, accounts };
}

beforeEach(() => {
  orgMock.reset();
});

describe('walkOrganization', () => {
  it('walks nested OUs five levels deep with paths and parents, and keeps no e-mail', async () => {
    serve(deepOrg());
    const snapshot = await walkOrganization(new OrganizationsClient({}));

    expect(snapshot.rootIds).toEqual(['r-root']);
    expect(snapshot.targets).toHaveLength(1 + 6 + 1 + 45 + 5);
    const byId = new Map(snapshot.targets.map((t) => [t.id, t]));
    expect(byId.get('ou-test-000000l5')).toEqual({
      id: 'ou-test-000000l5',
      type: 'ORGANIZATIONAL_UNIT',
      name: 'L5',
      parentId: 'ou-test-000000l4',
      ouPath: 'r-root/ou-test-000000l1/ou-test-000000l2/ou-test-000000l3/ou-test-000000l4/ou-test-000000l5',
      accountStatus: null,
    });
    expect(byId.get('300000000004')).toEqual({
      id: '300000000004',
      type: 'ACCOUNT',
      name: 'acct-300000000004',
      parentId: 'ou-test-000000l5',
      ouPath: 'r-root/ou-test-000000l1/ou-test-000000l2/ou-test-000000l3/ou-test-000000l4/ou-test-000000l5',
      accountStatus: 'SUSPENDED',
    });
    expect(byId.get('200000000044')?.parentId).toBe('ou-test-0000side');
    expect(JSON.stringify(snapshot)).not.toContain('@');

    const position = new Map(snapshot.targets.map((t, i) => [t.id, i]));
    for (const t of snapshot.targets) {
      if (t.parentId !== null) expect(position.get(t.parentId)!).toBeLessThan(position.get(t.id)!);
    }
  });

  it('asks for the documented maximum page size and follows every NextToken', async () => {
    serve(deepOrg());
    await walkOrganization(new OrganizationsClient({}));

    expect(ORGANIZATIONS_PAGE_SIZE).toBe(20);
    for (const call of orgMock.calls()) {
      expect((call.args[0].input as { MaxResults?: number }).MaxResults).toBe(20);
    }
    expect(orgMock).toHaveReceivedCommandTimes(ListRootsCommand, 1);
    // 7 containers (root + 6 OUs), one OU page each, except the OU at depth 5, which cannot have child OUs.
    expect(orgMock).toHaveReceivedCommandTimes(ListOrganizationalUnitsForParentCommand, 6);
    expect(orgMock).not.toHaveReceivedCommandWith(ListOrganizationalUnitsForParentCommand, {
      ParentId: 'ou-test-000000l5',
    });
    // 45 accounts under ou-side take 3 pages of 20; the other 6 containers one page each.
    expect(orgMock).toHaveReceivedCommandTimes(ListAccountsForParentCommand, 9);
    const sideTokens = orgMock
      .commandCalls(ListAccountsForParentCommand)
      .map((c) => c.args[0].input)
      .filter((input) => input.ParentId === 'ou-test-0000side');
    expect(sideTokens).toHaveLength(3);
  });

  it('never calls ListParents, ListChildren or ListAccounts', async () => {
    serve(deepOrg());
    await walkOrganization(new OrganizationsClient({}));
    expect(orgMock).not.toHaveReceivedCommand(ListParentsCommand);
    expect(orgMock).not.toHaveReceivedCommand(ListChildrenCommand);
    expect(orgMock).not.toHaveReceivedCommand(ListAccountsCommand);
  });

  it('keeps paging through empty pages that still carry a NextToken', async () => {
    serve({
      roots: ['r-one1'],
      ous: { 'r-one1': [{ Id: 'ou-test-0000000a', Name: 'A' }] },
      accounts: { 'ou-test-0000000a': [account('111111111111'), account('222222222222')] },
      emptyPagesBefore: { 'ou-test-0000000a': 2, 'r-one1': 1 },
    });
    const snapshot = await walkOrganization(new OrganizationsClient({}));
    expect(snapshot.targets.map((t) => t.id)).toEqual(['r-one1', 'ou-test-0000000a', '111111111111', '222222222222']);
    const ouAccountCalls = orgMock
      .commandCalls(ListAccountsForParentCommand)
      .filter((c) => c.args[0].input.ParentId === 'ou-test-0000000a');
    expect(ouAccountCalls).toHaveLength(3);
  });

  it('lists sibling subtrees in parallel but never more than `concurrency` calls at once', async () => {
    const ous: Record<string, OrganizationalUnit[]> = {
      'r-one1': Array.from({ length: 6 }, (_, i) => ({ Id: `ou-test-${String(i).padStart(8, '0')}`, Name: `OU ${i}` })),
    };
    for (let i = 0; i < 6; i += 1)
      ous[`ou-test-${String(i).padStart(8, '0')}`] = [{ Id: `ou-kids-${String(i).padStart(8, '0')}`, Name: 'child' }];
    const inFlight = serveCountingInFlight({ roots: ['r-one1'], ous, accounts: {} });
    const snapshot = await walkOrganization(new OrganizationsClient({}), { concurrency: 3 });
    expect(snapshot.targets).toHaveLength(1 + 6 + 6);
    expect(inFlight.max).toBe(3);
  });

  it('defaults to 4 containers at once', async () => {
    const ous: Record<string, OrganizationalUnit[]> = {
      'r-one1': Array.from({ length: 10 }, (_, i) => ({
        Id: `ou-test-${String(i).padStart(8, '0')}`,
        Name: `OU ${i}`,
      })),
    };
    const inFlight = serveCountingInFlight({ roots: ['r-one1'], ous, accounts: {} });
    await walkOrganization(new OrganizationsClient({}));
    expect(inFlight.max).toBe(4);
  });

  it('hands every valid target to onTargets once, as each listing completes, parents before their children', async () => {
    serve(deepOrg());
    const batches: { id: string; type: string }[][] = [];
    const snapshot = await walkOrganization(new OrganizationsClient({}), {
      onTargets: (targets) => batches.push([...targets]),
    });
    expect(batches[0]).toEqual([{ id: 'r-root', type: 'ROOT' }]);
    const streamed = batches.flat();
    expect(streamed.map((t) => t.id).sort()).toEqual(snapshot.targets.map((t) => t.id).sort());
    expect(new Map(streamed.map((t) => [t.id, t.type]))).toEqual(new Map(snapshot.targets.map((t) => [t.id, t.type])));
    const position = new Map(streamed.map((t, i) => [t.id, i]));
    for (const target of snapshot.targets) {
      if (target.parentId !== null) expect(position.get(target.parentId)!).toBeLessThan(position.get(target.id)!);
    }
  });

  it('stops the walk with the error onTargets throws', async () => {
    serve(deepOrg());
    const stop = new Error('fan-out refused');
    let calls = 0;
    const error = await walkOrganization(new OrganizationsClient({}), {
      concurrency: 1,
      onTargets: () => {
        calls += 1;
        if (calls === 2) throw stop;
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(stop);
    // ListRoots, then the root's two listings; nothing below the root was listed.
    expect(orgMock.calls()).toHaveLength(3);
  });

  it('reports progress as targets are found', async () => {
    serve(deepOrg());
    const progress: number[] = [];
    await walkOrganization(new OrganizationsClient({}), { onProgress: (n) => progress.push(n) });
    expect(progress[0]).toBe(1);
    expect(progress[progress.length - 1]).toBe(58);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('wraps a failing listing in OrganizationWalkError naming the operation and parent', async () => {
    serve(deepOrg());
    const cause = new AccessDeniedException({ message: 'not allowed', $metadata: {} });
    orgMock.on(ListAccountsForParentCommand, { ParentId: 'ou-test-000000l3' }).rejects(cause);

    const error = await walkOrganization(new OrganizationsClient({})).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OrganizationWalkError);
    const walkError = error as OrganizationWalkError;
    expect(walkError.name).toBe('OrganizationWalkError');
    expect(walkError.operation).toBe('ListAccountsForParent');
    expect(walkError.parentId).toBe('ou-test-000000l3');
    expect(walkError.cause).toBe(cause);
    expect(walkError.message).toContain('ListAccountsForParent');
    expect(walkError.message).toContain('ou-test-000000l3');
    expect(walkError.message).toContain('AccessDeniedException');
  });

  it('wraps a failing ListRoots with no parent', async () => {
    orgMock.on(ListRootsCommand).rejects(new TooManyRequestsException({ message: 'slow down', $metadata: {} }));
    const error = (await walkOrganization(new OrganizationsClient({})).catch(
      (e: unknown) => e,
    )) as OrganizationWalkError;
    expect(error).toBeInstanceOf(OrganizationWalkError);
    expect(error.operation).toBe('ListRoots');
    expect(error.parentId).toBeNull();
    expect(error.message).toContain('TooManyRequestsException');
  });

  it('stops listing further containers after a failure', async () => {
    const ous: Record<string, OrganizationalUnit[]> = {
      'r-one1': Array.from({ length: 8 }, (_, i) => ({ Id: `ou-test-${String(i).padStart(8, '0')}`, Name: `OU ${i}` })),
    };
    serve({ roots: ['r-one1'], ous, accounts: {} });
    orgMock.on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-test-00000000' }).rejects(new Error('boom'));
    await expect(walkOrganization(new OrganizationsClient({}), { concurrency: 1 })).rejects.toBeInstanceOf(
      OrganizationWalkError,
    );
    // Root listing (2 calls), then ou-0 fails; ou-1..ou-7 are never listed.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const listedParents = orgMock.calls().map((c) => (c.args[0].input as { ParentId?: string }).ParentId);
    expect(listedParents.filter((p) => p !== undefined && p !== 'r-one1' && p !== 'ou-test-00000000')).toEqual([]);
  });

  it('reports an OU listed under two parents as an OrgTreeError, without looping', async () => {
    serve({
      roots: ['r-one1'],
      ous: {
        'r-one1': [{ Id: 'ou-test-0000000a' }, { Id: 'ou-test-0000000b' }],
        'ou-test-0000000b': [{ Id: 'ou-test-0000000a' }],
      },
      accounts: {},
    });
    await expect(walkOrganization(new OrganizationsClient({}))).rejects.toBeInstanceOf(OrgTreeError);
  });
});

describe('walkOrganization: pacing', () => {
  it('takes a token before every page, so the listing never outruns the configured rate', async () => {
    serve(deepOrg());
    let now = 0;
    const sleeps: number[] = [];
    const pacing = {
      requestsPerSecond: 10,
      burst: 2,
      clock: { now: () => now },
      sleep: (ms: number) => {
        sleeps.push(ms);
        now += ms;
        return Promise.resolve();
      },
    };
    const snapshot = await walkOrganization(new OrganizationsClient({}), { pacing });
    expect(snapshot.targets).toHaveLength(58);
    const requests = orgMock.calls().length;
    // Two requests ride on the burst; every further one waits its 100 ms.
    expect(now).toBe((requests - 2) * 100);
    expect(sleeps.every((ms) => ms > 0)).toBe(true);
  });

  it('charges the SDK retries to the bucket, so the attempts with their retries stay at the rate', async () => {
    serve(deepOrg());
    const sleeps: number[] = [];
    let now = 0;
    // Every page costs two attempts, as if the SDK retried each once.
    const requests = { requests: 0, throttledRequests: 0 };
    orgMock.on(ListRootsCommand).callsFake(() => {
      requests.requests += 2;
      return Promise.resolve({ Roots: [{ Id: 'r-root' }] });
    });
    orgMock.on(ListOrganizationalUnitsForParentCommand).callsFake(() => {
      requests.requests += 2;
      return Promise.resolve({ OrganizationalUnits: [] });
    });
    orgMock.on(ListAccountsForParentCommand).callsFake(() => {
      requests.requests += 2;
      return Promise.resolve({ Accounts: [] });
    });
    await walkOrganization(new OrganizationsClient({}), {
      concurrency: 1,
      pacing: {
        requestsPerSecond: 10,
        burst: 1,
        requests,
        clock: { now: () => now },
        sleep: (ms) => {
          sleeps.push(ms);
          now += ms;
          return Promise.resolve();
        },
      },
    });
    // Three pages, six attempts: at 10 per second the last page waits for the retries too.
    expect(orgMock.calls()).toHaveLength(3);
    expect(now).toBe(400);
  });
});

describe('walkOrganization: deadline', () => {
  it('fails with WalkDeadlineError, saying so, when the deadline passes before the listing is done', async () => {
    serve(deepOrg());
    let now = 0;
    const pacing = {
      requestsPerSecond: 10,
      burst: 1,
      clock: { now: () => now },
      sleep: (ms: number) => {
        now += ms;
        return Promise.resolve();
      },
    };
    const error = await walkOrganization(new OrganizationsClient({}), { pacing, deadline: 450 }).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(WalkDeadlineError);
    expect((error as Error).message).toMatch(
      /deadline came after 5 Organizations pages, before the organization was listed/,
    );
    // Pages at 0, 100, ..., 400 ms were requested; none after the deadline.
    expect(orgMock.calls()).toHaveLength(5);
  });
});

describe('walkOrganization: ids that are not Organizations ids', () => {
  it('leaves out entries with invalid ids, does not walk below them, and returns them quoted in `rejected`', async () => {
    const org = deepOrg();
    org.ous['r-root'].push({ Id: 'ou-../../etc', Name: 'evil' }, { Name: 'no id' });
    org.accounts['r-root'].push(account('12345'), account('1234567890123\n'));
    org.ous['ou-../../etc'] = [{ Id: 'ou-test-0000kid1', Name: 'below the bad OU' }];
    serve(org);
    const snapshot = await walkOrganization(new OrganizationsClient({}));

    expect(snapshot.targets).toHaveLength(58);
    expect(snapshot.targets.map((t) => t.id)).not.toContain('ou-test-0000kid1');
    expect(snapshot.rejected).toEqual([
      { quotedId: '"ou-../../etc"', type: 'ORGANIZATIONAL_UNIT', parentId: 'r-root' },
      { quotedId: '"(no id)"', type: 'ORGANIZATIONAL_UNIT', parentId: 'r-root' },
      { quotedId: '"12345"', type: 'ACCOUNT', parentId: 'r-root' },
      { quotedId: '"1234567890123\\n"', type: 'ACCOUNT', parentId: 'r-root' },
    ]);
    // The bad id was never sent back to the service as a ParentId.
    expect(orgMock).not.toHaveReceivedCommandWith(ListAccountsForParentCommand, { ParentId: 'ou-../../etc' });
  });

  it('rejects a root with an invalid id', async () => {
    serve({ roots: ['r-root', 'root'], ous: {}, accounts: {} });
    const snapshot = await walkOrganization(new OrganizationsClient({}));
    expect(snapshot.rootIds).toEqual(['r-root']);
    expect(snapshot.rejected).toEqual([{ quotedId: '"root"', type: 'ROOT', parentId: '(organization)' }]);
  });
});

describe('accountStatusOf', () => {
  it('reports State as Organizations names it, whatever Status says', () => {
    expect(accountStatusOf({ State: 'CLOSED', Status: 'SUSPENDED' })).toBe('CLOSED');
    expect(accountStatusOf({ State: 'PENDING_ACTIVATION', Status: 'ACTIVE' })).toBe('PENDING_ACTIVATION');
    for (const state of ['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED', 'PENDING_ACTIVATION'] as const) {
      expect(accountStatusOf({ State: state })).toBe(state);
    }
  });

  it('falls back to Status only when State is absent', () => {
    expect(accountStatusOf({ Status: 'PENDING_CLOSURE' })).toBe('PENDING_CLOSURE');
    expect(accountStatusOf({ Status: 'SUSPENDED' })).toBe('SUSPENDED');
    expect(accountStatusOf({ State: 'ACTIVE', Status: 'SUSPENDED' })).toBe('ACTIVE');
  });

  it('is null when neither is known', () => {
    expect(accountStatusOf({})).toBeNull();
    expect(accountStatusOf({ State: 'SOMETHING_NEW' as never })).toBeNull();
    // An unknown State is not replaced by a Status: the newer field wins even when unreadable.
    expect(accountStatusOf({ State: 'SUSPENDING' as never, Status: 'ACTIVE' })).toBeNull();
  });
});

/**
 * Options that pause the walk once `requests` requests of this run have reached the
 * service: the walk's clock is the mock's call count, so no test waits on real time.
 * (With several listings in flight a few more may pass before the count catches up.)
 */
function pausingAfter(requests: number): WalkOptions {
  const start = orgMock.calls().length;
  return {
    onDeadline: 'pause',
    deadline: start + requests - 1,
    pacing: {
      requestsPerSecond: 1000,
      burst: 1_000_000,
      clock: { now: () => orgMock.calls().length },
      sleep: () => Promise.resolve(),
    },
  };
}

/** Pauses as soon as `passed()` says so (checked before every page). */
function pausingWhen(passed: () => boolean): WalkOptions {
  return {
    onDeadline: 'pause',
    deadline: 0,
    pacing: {
      requestsPerSecond: 1000,
      burst: 1_000_000,
      clock: { now: () => (passed() ? 1 : 0) },
      sleep: () => Promise.resolve(),
    },
  };
}

/** The ParentId of every request since call number `since` (undefined for ListRoots). */
const requestedParents = (since = 0): (string | undefined)[] =>
  orgMock
    .calls()
    .slice(since)
    .map((call) => (call.args[0].input as { ParentId?: string }).ParentId);

interface RunLog {
  readonly from: SavedWalk | undefined;
  readonly streamed: WalkedTarget[];
  readonly progress: number[];
  readonly parents: (string | undefined)[];
  readonly outcome: WalkOutcome;
}

/**
 * Walks in runs: run i pauses after budgets[i] requests and the next resumes, through a
 * JSON round trip, from what it saved; the run after the last budget has no deadline.
 */
async function walkInRuns(budgets: readonly number[], base: WalkOptions = {}) {
  const runs: RunLog[] = [];
  let from: SavedWalk | undefined;
  for (let i = 0; i <= budgets.length; i += 1) {
    const streamed: WalkedTarget[] = [];
    const progress: number[] = [];
    const since = orgMock.calls().length;
    const outcome = await new OrganizationWalk(
      new OrganizationsClient({}),
      {
        ...base,
        ...(i < budgets.length ? pausingAfter(budgets[i]) : {}),
        onTargets: (targets) => streamed.push(...targets),
        onProgress: (n) => progress.push(n),
      },
      from,
    ).run();
    runs.push({ from, streamed, progress, parents: requestedParents(since), outcome });
    if (outcome.status === 'DONE') return { org: outcome.org, runs };
    from = JSON.parse(JSON.stringify(outcome.saved)) as SavedWalk;
  }
  throw new Error('the run without a deadline did not finish');
}

/** deepOrg with a second root, a multi-page OU listing and entries the walk rejects. */
function bushyOrg(): FakeOrg {
  const org = deepOrg();
  org.roots.push('r-two2');
  org.ous['r-two2'] = Array.from({ length: 23 }, (_, i) => ({ Id: `ou-two2-${String(i).padStart(8, '0')}` }));
  org.ous['r-two2'].push({ Id: 'not-an-ou' });
  org.ous['ou-two2-00000003'] = [{ Id: 'ou-two2-0000sub1', Name: 'sub' }];
  org.accounts['ou-two2-0000sub1'] = [account('400000000000'), account('bad')];
  org.accounts['ou-two2-00000007'] = Array.from({ length: 21 }, (_, i) => account(String(500000000000 + i)));
  return org;
}

/** Checks a multi-run walk against the uninterrupted one: same tree, each target streamed once, nothing listed twice. */
function expectSameAsOneWalk(result: { org: unknown; runs: RunLog[] }, uninterrupted: unknown): void {
  expect(result.org).toEqual(uninterrupted);
  const streamed = result.runs.flatMap((run) => run.streamed.map((t) => t.id));
  expect(new Set(streamed).size).toBe(streamed.length);
  const tree = uninterruptedIds(uninterrupted);
  expect([...streamed].sort()).toEqual(tree);
  for (const run of result.runs) {
    if (run.from === undefined) continue;
    const listedBefore = new Set(run.from.listed.map((c) => c.parentId));
    expect(run.parents.filter((p) => p !== undefined && listedBefore.has(p))).toEqual([]);
    // Progress counts on from what the saved walk had found.
    const savedTotal = walkedTargets(run.from).length;
    for (const n of run.progress) expect(n).toBeGreaterThanOrEqual(savedTotal);
    if (run.progress.length > 0) expect(run.progress.at(-1)).toBe(savedTotal + run.streamed.length);
  }
}

const uninterruptedIds = (org: unknown): string[] =>
  (org as { targets: { id: string }[] }).targets.map((t) => t.id).sort();

describe('OrganizationWalk: pause at the deadline and resume', () => {
  it('pauses and resumes several times into the tree an uninterrupted walk returns, each target streamed once', async () => {
    serve(bushyOrg());
    const uninterrupted = await walkOrganization(new OrganizationsClient({}));
    orgMock.resetHistory();

    const result = await walkInRuns([3, 4, 2, 5, 3], { concurrency: 2 });
    expect(result.runs.filter((run) => run.outcome.status === 'PAUSED').length).toBeGreaterThanOrEqual(3);
    expectSameAsOneWalk(result, uninterrupted);
    expect(result.runs[result.runs.length - 1].progress.at(-1)).toBe(uninterrupted.targets.length);
    expect(result.org.rejected).toHaveLength(2);
  });

  it('puts the listings in flight at the pause back at the front of the frontier, in the order they were taken', async () => {
    const ou = (c: string) => `ou-test-0000000${c}`;
    serve({
      roots: ['r-root'],
      ous: { 'r-root': ['a', 'b', 'c', 'd', 'e'].map((c) => ({ Id: ou(c) })) },
      accounts: {
        [ou('a')]: Array.from({ length: 45 }, (_, i) => account(String(100000000000 + i))),
        [ou('b')]: Array.from({ length: 45 }, (_, i) => account(String(200000000000 + i))),
        [ou('c')]: [account('300000000000')],
        [ou('d')]: [account('400000000000')],
        [ou('e')]: [account('500000000000')],
      },
    });
    // The deadline passes as c's one account page is requested: c completes and d takes its
    // place; a, b and d stop at their next page request, and e is never taken.
    const cListed = () => orgMock.commandCalls(ListAccountsForParentCommand, { ParentId: ou('c') }).length > 0;
    const outcome = await new OrganizationWalk(new OrganizationsClient({}), {
      ...pausingWhen(cListed),
      concurrency: 3,
    }).run();

    expect(outcome.status).toBe('PAUSED');
    const saved = (outcome as { saved: SavedWalk }).saved;
    expect(saved.rootsListed).toBe(true);
    expect(saved.listed.map((c) => c.parentId)).toEqual(['r-root', ou('c')]);
    expect(saved.frontier).toEqual([
      { parentId: ou('a'), depth: 1 },
      { parentId: ou('b'), depth: 1 },
      { parentId: ou('d'), depth: 1 },
      { parentId: ou('e'), depth: 1 },
    ]);
    // No request was sent after the pause: d met it at its first page.
    expect(requestedParents()).not.toContain(ou('d'));
    expect(requestedParents()).not.toContain(ou('e'));

    orgMock.resetHistory();
    const resumed = await new OrganizationWalk(new OrganizationsClient({}), {}, saved).run();
    expect(new Set(requestedParents())).toEqual(new Set([ou('a'), ou('b'), ou('d'), ou('e')]));
    expect(resumed).toEqual({ status: 'DONE', org: await walkOrganization(new OrganizationsClient({})) });
  });

  it('lets listings under way finish within pauseGraceMs, starting none after the deadline', async () => {
    const ou = (c: string) => `ou-test-0000000${c}`;
    serve({
      roots: ['r-root'],
      ous: { 'r-root': ['a', 'b', 'c'].map((c) => ({ Id: ou(c) })) },
      accounts: {
        [ou('a')]: Array.from({ length: 45 }, (_, i) => account(String(100000000000 + i))),
        [ou('b')]: Array.from({ length: 45 }, (_, i) => account(String(200000000000 + i))),
        [ou('c')]: [account('300000000000')],
      },
    });
    // The clock is the request count: the deadline passes after 4 requests, a and b are
    // under way then and need a few more pages each; c has not started.
    const outcome = await new OrganizationWalk(new OrganizationsClient({}), {
      ...pausingAfter(4),
      pauseGraceMs: 100,
      concurrency: 2,
    }).run();

    expect(outcome.status).toBe('PAUSED');
    const saved = (outcome as { saved: SavedWalk }).saved;
    expect(saved.listed.map((c) => c.parentId)).toEqual(['r-root', ou('a'), ou('b')]);
    expect(saved.frontier).toEqual([{ parentId: ou('c'), depth: 1 }]);
    expect(requestedParents()).not.toContain(ou('c'));
  });

  it('pauses an interrupted ListRoots with rootsListed false, and a resume lists the roots from the first page', async () => {
    const roots = Array.from({ length: 25 }, (_, i) => `r-${String(i).padStart(4, '0')}`);
    serve({ roots, ous: {}, accounts: {} });
    const outcome = await new OrganizationWalk(new OrganizationsClient({}), pausingAfter(1)).run();
    expect(outcome).toEqual({ status: 'PAUSED', saved: NOTHING_WALKED });
    expect(orgMock).toHaveReceivedCommandTimes(ListRootsCommand, 1);

    orgMock.resetHistory();
    const streamed: WalkedTarget[] = [];
    const resumed = await new OrganizationWalk(
      new OrganizationsClient({}),
      { onTargets: (targets) => streamed.push(...targets) },
      (outcome as { saved: SavedWalk }).saved,
    ).run();
    expect(orgMock.commandCalls(ListRootsCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      'roots|20',
    ]);
    expect(resumed.status === 'DONE' && resumed.org.rootIds).toEqual(roots);
    expect(streamed.map((t) => t.id)).toEqual(roots);
  });

  it('ends DONE when the deadline passes with nothing left to list', async () => {
    serve({ roots: ['r-one1'], ous: {}, accounts: { 'r-one1': [account('111111111111')] } });
    // The third request (the root's account page, the last of the walk) is in flight when the deadline passes.
    const outcome = await new OrganizationWalk(new OrganizationsClient({}), pausingAfter(3)).run();
    expect(outcome.status).toBe('DONE');
    expect(orgMock.calls()).toHaveLength(3);
  });

  it('snapshot() from inside onTargets is consistent, is a copy, and resuming from it gives the same tree', async () => {
    serve(bushyOrg());
    const uninterrupted = await walkOrganization(new OrganizationsClient({}));
    orgMock.resetHistory();
    let batches = 0;
    let taken: SavedWalk | undefined;
    let takenJson = '';
    let inFlightThen: string[] = [];
    const walk: OrganizationWalk = new OrganizationWalk(new OrganizationsClient({}), {
      concurrency: 3,
      onTargets: () => {
        batches += 1;
        if (batches !== 4) return;
        taken = walk.snapshot();
        takenJson = JSON.stringify(taken);
        // Containers with a request sent but no listing recorded, in the order their listings started.
        const listed = new Set(taken.listed.map((c) => c.parentId));
        inFlightThen = [...new Set(requestedParents())].filter((p): p is string => p !== undefined && !listed.has(p));
      },
    });
    expect(walk.snapshot()).toEqual(NOTHING_WALKED);
    const outcome = await walk.run();
    expect(outcome).toEqual({ status: 'DONE', org: uninterrupted });

    // Taken with listings in flight, which it counts as still to list; the walk went on without changing it.
    expect(JSON.stringify(taken)).toBe(takenJson);
    const saved = taken!;
    expect(saved.listed.length).toBe(4 - 1);
    expect(inFlightThen.length).toBeGreaterThan(0);
    expect(saved.frontier.slice(0, inFlightThen.length).map((e) => e.parentId)).toEqual(inFlightThen);
    orgMock.resetHistory();
    const streamed: WalkedTarget[] = [];
    const resumed = await new OrganizationWalk(
      new OrganizationsClient({}),
      { onTargets: (targets) => streamed.push(...targets) },
      saved,
    ).run();
    expect(resumed).toEqual({ status: 'DONE', org: uninterrupted });
    expect([...walkedTargets(saved), ...streamed].map((t) => t.id).sort()).toEqual(uninterruptedIds(uninterrupted));
    const listedBefore = new Set(saved.listed.map((c) => c.parentId));
    expect(requestedParents().filter((p) => p !== undefined && listedBefore.has(p))).toEqual([]);
    expect(orgMock).not.toHaveReceivedCommand(ListRootsCommand);

    // After the walk: everything listed, nothing left, and as consistent as any saved walk.
    const done = walk.snapshot();
    expect(done.rootsListed).toBe(true);
    expect(done.frontier).toEqual([]);
    expect(() => new OrganizationWalk(new OrganizationsClient({}), {}, done)).not.toThrow();
  });

  it('fails with WalkDeadlineError by default, and `onDeadline: "pause"` is refused by walkOrganization', async () => {
    serve(deepOrg());
    const failing: WalkOptions = { ...pausingAfter(2), onDeadline: undefined };
    await expect(new OrganizationWalk(new OrganizationsClient({}), failing).run()).rejects.toBeInstanceOf(
      WalkDeadlineError,
    );
    await expect(
      new OrganizationWalk(new OrganizationsClient({}), { ...failing, onDeadline: 'fail' }).run(),
    ).rejects.toBeInstanceOf(WalkDeadlineError);
    orgMock.resetHistory();
    await expect(walkOrganization(new OrganizationsClient({}), { onDeadline: 'pause' })).rejects.toThrow(
      /OrganizationWalk/,
    );
    expect(orgMock.calls()).toHaveLength(0);
  });

  it('resumes a saved walk with nothing left to list without a single request', async () => {
    serve(deepOrg());
    const first = new OrganizationWalk(new OrganizationsClient({}));
    const outcome = await first.run();
    expect(await first.run()).toBe(outcome);
    orgMock.resetHistory();
    const onTargets = jest.fn();
    const resumed = await new OrganizationWalk(new OrganizationsClient({}), { onTargets }, first.snapshot()).run();
    expect(orgMock.calls()).toHaveLength(0);
    expect(onTargets).not.toHaveBeenCalled();
    expect(resumed).toEqual(outcome);
  });

  it('resumes from a SavedWalk that went through JSON', async () => {
    serve(bushyOrg());
    const uninterrupted = await walkOrganization(new OrganizationsClient({}));
    const paused = await new OrganizationWalk(new OrganizationsClient({}), pausingAfter(9)).run();
    expect(paused.status).toBe('PAUSED');
    const json = JSON.parse(JSON.stringify((paused as { saved: SavedWalk }).saved)) as SavedWalk;
    expect(await new OrganizationWalk(new OrganizationsClient({}), {}, json).run()).toEqual({
      status: 'DONE',
      org: uninterrupted,
    });
  });
});

describe('OrganizationWalk: property', () => {
  it('any sequence of pause points and concurrency gives the uninterrupted tree, each target streamed once', async () => {
    serve(bushyOrg());
    const uninterrupted = await walkOrganization(new OrganizationsClient({}));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (budgets, concurrency) => {
          orgMock.resetHistory();
          expectSameAsOneWalk(await walkInRuns(budgets, { concurrency }), uninterrupted);
        },
      ),
      { numRuns: 60 },
    );
  });
});
