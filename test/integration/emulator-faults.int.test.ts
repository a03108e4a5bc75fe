/**
 * The connection, storm and response-shape faults, as real SDK v3 clients see them.
 */
import {
  InvalidInputException as OrgInvalidInputException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccountsForParent,
  TooManyRequestsException,
  type ListAccountsForParentCommandOutput,
} from '@aws-sdk/client-organizations';
import { LimitExceededException, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { batchGetByIds } from '../emulator/batch-get-by-ids';
import {
  emulatorClientConfig,
  MALFORMED_KINDS,
  startEmulator,
  type MalformedKind,
  type RunningEmulator,
} from '../emulator/index';

const NOW = Date.UTC(2026, 10, 26, 2, 0, 0);
const ORG_OPTIONS = { seed: 7, now: NOW, accounts: 60, ous: 8, maxDepth: 3, anomalies: { missing: 1 } } as const;

/** The emulator's clock for quotas and storms, moved by hand. */
let manualTime = 0;
let emu: RunningEmulator;
/** Clients that do not retry, to see the raw outcome of one request. */
let orgOnce: OrganizationsClient;
let shOnce: SecurityHubClient;

beforeAll(async () => {
  emu = await startEmulator({ org: ORG_OPTIONS, clock: () => manualTime });
  orgOnce = new OrganizationsClient({ ...emulatorClientConfig(emu), maxAttempts: 1 });
  shOnce = new SecurityHubClient({ ...emulatorClientConfig(emu), maxAttempts: 1 });
});

afterAll(async () => {
  orgOnce?.destroy();
  shOnce?.destroy();
  await emu?.close();
});

beforeEach(() => {
  emu.setFaults({});
  emu.resetStats();
});

function batchGet(ids: readonly string[], client: SecurityHubClient = shOnce) {
  return batchGetByIds(client, ids);
}

/** Waits on I/O turns (no timers) until `done()` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !done(); i++) await new Promise((r) => setImmediate(r));
  if (!done()) throw new Error('condition never held');
}

/** A client with this handler config and no retries; the caller destroys it. */
const onceWith = (requestHandler: object) =>
  new OrganizationsClient({ ...emulatorClientConfig(emu), maxAttempts: 1, requestHandler, logger: silent });
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * How a cut connection reaches the caller: the SDK names ECONNRESET "TimeoutError" and
 * retries it as transient. (Under jest, Node's own errors come from another realm, so
 * the SDK wraps them as "AWS SDK error wrapper for TimeoutError: socket hang up" and the
 * `code` is lost; the message is the same in and outside jest.)
 */
const RESET = { message: expect.stringMatching(/socket hang up/) as string };

const rootId = () => emu.org.roots[0].id;
const withAssociation = () => emu.org.accounts.filter((a) => emu.org.associations.has(a.id)).map((a) => a.id);

describe('throttle storm', () => {
  it('throttles every Organizations request until durationMs passed on the emulator clock', async () => {
    emu.setFaults({ organizations: { throttleStorm: { durationMs: 5_000 } } });
    for (let i = 0; i < 3; i++) {
      const call = orgOnce.send(new ListRootsCommand({}));
      await expect(call).rejects.toBeInstanceOf(TooManyRequestsException);
      await expect(call).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
      manualTime += 1_000;
    }
    manualTime += 1_999;
    await expect(orgOnce.send(new ListRootsCommand({}))).rejects.toBeInstanceOf(TooManyRequestsException);
    manualTime += 1;
    await expect(orgOnce.send(new ListRootsCommand({}))).resolves.toMatchObject({ Roots: [{ Id: rootId() }] });
    expect(emu.stats().throttles).toEqual({ ListRoots: 4 });
    // Security Hub is not affected by an Organizations storm.
    await expect(batchGet([rootId()])).resolves.toBeDefined();
  });

  it('throttles Security Hub with LimitExceededException (429); the retrying client gets through after the storm', async () => {
    emu.setFaults({ securityHub: { throttleStorm: { durationMs: 60_000 } } });
    await expect(batchGet([rootId()])).rejects.toBeInstanceOf(LimitExceededException);
    const patient = new SecurityHubClient({ ...emulatorClientConfig(emu), maxAttempts: 3 });
    try {
      const retried = batchGet([rootId()], patient);
      await until(() => emu.stats().totalThrottles >= 2);
      manualTime += 60_000;
      const out = await retried;
      expect(out.ConfigurationPolicyAssociations!.map((a) => a.TargetId)).toEqual([rootId()]);
      // One throttled attempt before the clock moved; a second only if the backoff beat the move.
      expect(out.$metadata.attempts).toBe(emu.stats().totalThrottles);
    } finally {
      patient.destroy();
    }
  });

  it('restarts with setFaults', async () => {
    emu.setFaults({ organizations: { throttleStorm: { durationMs: 10 } } });
    await expect(orgOnce.send(new ListRootsCommand({}))).rejects.toBeInstanceOf(TooManyRequestsException);
    manualTime += 10;
    await expect(orgOnce.send(new ListRootsCommand({}))).resolves.toBeDefined();
    emu.setFaults({ organizations: { throttleStorm: { durationMs: 10 } } });
    await expect(orgOnce.send(new ListRootsCommand({}))).rejects.toBeInstanceOf(TooManyRequestsException);
  });
});

describe('dropped connections', () => {
  it('cuts the socket without an answer: the client sees a reset (socket hang up)', async () => {
    emu.setFaults({ organizations: { dropConnectionFraction: 1 }, securityHub: { dropConnectionFraction: 1 } });
    await expect(orgOnce.send(new ListRootsCommand({}))).rejects.toMatchObject({
      ...RESET,
      $metadata: { attempts: 1 },
    });
    await expect(batchGet([rootId()])).rejects.toMatchObject(RESET);
    const stats = emu.stats();
    expect(stats.droppedConnections).toEqual({ ListRoots: 1, BatchGetConfigurationPolicyAssociations: 1 });
    expect(stats.totalDroppedConnections).toBe(2);
    expect(stats.totalRequests).toBe(2);
  });

  it('drops a seeded share of requests, which the SDK retries as transient', async () => {
    const run = async (): Promise<{ found: number; dropped: Record<string, number> }> => {
      emu.setFaults({ seed: 'drops', organizations: { dropConnectionFraction: 0.3 } });
      emu.resetStats();
      const client = new OrganizationsClient({ ...emulatorClientConfig(emu), maxAttempts: 10 });
      let found = 0;
      try {
        for await (const page of paginateListAccountsForParent({ client, pageSize: 2 }, { ParentId: rootId() }))
          found += page.Accounts!.length;
      } finally {
        client.destroy();
      }
      return { found, dropped: { ...emu.stats().droppedConnections } };
    };
    const first = await run();
    expect(first.found).toBe(emu.org.accounts.filter((a) => a.parentId === rootId()).length);
    expect(first.dropped.ListAccountsForParent).toBeGreaterThan(0);
    // Sequential requests and a seeded stream: the same requests are dropped again.
    expect(await run()).toEqual(first);
  });
});

describe('stalled requests', () => {
  it('times out a client whose request timeout is shorter than the stall', async () => {
    emu.setFaults({ organizations: { stall: { fraction: 1, ms: 5_000 } } });
    // This SDK version only enforces requestTimeout with throwOnRequestTimeout (else it warns).
    const client = onceWith({ requestTimeout: 200, throwOnRequestTimeout: true });
    try {
      const started = performance.now();
      await expect(client.send(new ListRootsCommand({}))).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(emu.stats().stalledRequests).toEqual({ ListRoots: 1 });
    } finally {
      client.destroy();
    }
  });

  it('resets a client whose timeout is longer, after ms', async () => {
    emu.setFaults({ securityHub: { stall: { fraction: 1, ms: 150 } } });
    const client = new SecurityHubClient({
      ...emulatorClientConfig(emu),
      maxAttempts: 1,
      requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true },
    });
    try {
      const started = performance.now();
      await expect(batchGet([rootId()], client)).rejects.toMatchObject(RESET);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      client.destroy();
    }
  });

  it('is not cut short by requestTimeout without throwOnRequestTimeout (SDK only warns)', async () => {
    emu.setFaults({ organizations: { stall: { fraction: 1, ms: 300 } } });
    const client = onceWith({ requestTimeout: 50 });
    try {
      const started = performance.now();
      await expect(client.send(new ListRootsCommand({}))).rejects.toMatchObject(RESET);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      client.destroy();
    }
  });

  it('does not keep close() waiting', async () => {
    const other = await startEmulator({
      org: ORG_OPTIONS,
      faults: { organizations: { stall: { fraction: 1, ms: 60_000 } } },
    });
    const client = new OrganizationsClient({ ...emulatorClientConfig(other), maxAttempts: 1 });
    try {
      const hung = client.send(new ListRootsCommand({}));
      hung.catch(() => undefined);
      await until(() => other.stats().totalStalledRequests === 1);
      const started = performance.now();
      await other.close();
      expect(performance.now() - started).toBeLessThan(500);
      await expect(hung).rejects.toMatchObject(RESET);
    } finally {
      client.destroy();
    }
  });
});

describe('unprocessed attempts drawn per target', () => {
  it('processes each selected target after its own seeded number of attempts', async () => {
    const ids = withAssociation().slice(0, 20);
    const faults = {
      seed: 'range',
      securityHub: { unprocessed: [{ targetIds: ids, attempts: { min: 1, max: 3 } }] },
    } as const;
    emu.setFaults(faults);
    const drawn = emu.unprocessedAttempts();
    expect([...drawn.keys()].sort()).toEqual([...ids].sort());
    expect(new Set(drawn.values())).toEqual(new Set([1, 2, 3]));
    expect([...emu.unprocessedTargets().keys()].sort()).toEqual([...ids].sort());

    const processedOn = new Map<string, number>();
    for (let call = 1; call <= 4; call++) {
      const out = await batchGet(ids);
      for (const a of out.ConfigurationPolicyAssociations!)
        if (!processedOn.has(a.TargetId!)) processedOn.set(a.TargetId!, call);
    }
    // Attempt k+1 is the first to process a target drawn k.
    for (const id of ids) expect(processedOn.get(id)).toBe((drawn.get(id) as number) + 1);

    emu.setFaults(faults);
    expect(emu.unprocessedAttempts()).toEqual(drawn);
  });

  it('reports fixed and forever attempts as given', () => {
    const [a, b] = withAssociation();
    emu.setFaults({
      securityHub: {
        unprocessed: [
          { targetIds: [a], attempts: 2 },
          { targetIds: [b], attempts: 'forever' },
        ],
      },
    });
    expect(emu.unprocessedAttempts()).toEqual(
      new Map<string, number | 'forever'>([
        [a, 2],
        [b, 'forever'],
      ]),
    );
  });
});

describe('malformed Security Hub answers', () => {
  /** The SDK-deserialized summary for one damaged target. */
  async function served(kind: MalformedKind, id: string) {
    emu.setFaults({ securityHub: { malformed: [{ targetIds: [id], kind }] } });
    return batchGet([id, rootId()]);
  }

  it.each([
    ['missingStatus', (s: Record<string, unknown>) => expect(s).not.toHaveProperty('AssociationStatus')],
    ['unknownStatus', (s: Record<string, unknown>) => expect(s.AssociationStatus).toBe('DELETING')],
    ['unknownAssociationType', (s: Record<string, unknown>) => expect(s.AssociationType).toBe('DELEGATED')],
    ['missingPolicyId', (s: Record<string, unknown>) => expect(s).not.toHaveProperty('ConfigurationPolicyId')],
    ['unknownTargetType', (s: Record<string, unknown>) => expect(s.TargetType).toBe('ORGANIZATION')],
    ['missingTargetId', (s: Record<string, unknown>) => expect(s).not.toHaveProperty('TargetId')],
    ['nonUuidPolicyId', (s: Record<string, unknown>) => expect(s.ConfigurationPolicyId).toBe('policy-1')],
  ] as const)('%s', async (kind, check) => {
    const id = withAssociation()[0];
    const out = await served(kind, id);
    expect(out.ConfigurationPolicyAssociations).toHaveLength(2);
    const damaged = out.ConfigurationPolicyAssociations!.find((a) => a.TargetId !== rootId())!;
    check(damaged as Record<string, unknown>);
    if (kind !== 'missingTargetId') expect(damaged.TargetId).toBe(id);
    expect(out.ConfigurationPolicyAssociations!.find((a) => a.TargetId === rootId())).toMatchObject({
      AssociationStatus: expect.any(String) as string,
    });
    expect(emu.stats().malformedServed).toBe(1);
  });

  it('unparsableUpdatedAt: an answer the SDK refuses to deserialize, failing the whole call', async () => {
    const id = withAssociation()[0];
    const error = (await served('unparsableUpdatedAt', id).catch((e: unknown) => e)) as Error & {
      $metadata?: { httpStatusCode?: number };
    };
    expect(error).toBeInstanceOf(Error);
    expect(error.$metadata?.httpStatusCode).toBe(200);
    expect('$response' in error && !('$fault' in error)).toBe(true);
  });

  it('notFoundForCall: every call naming the target fails whole with ResourceNotFoundException', async () => {
    const id = withAssociation()[0];
    await expect(served('notFoundForCall', id)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(batchGet([rootId()])).resolves.toMatchObject({ ConfigurationPolicyAssociations: [{}] });
  });

  it('foreignTargetId: a TargetId that is no valid id', async () => {
    const id = withAssociation()[0];
    const out = await served('foreignTargetId', id);
    expect(out.ConfigurationPolicyAssociations!.map((a) => a.TargetId)).toEqual([`../../${id}`, rootId()]);
  });

  it('unknownTargetMember: an unprocessed entry whose target the SDK cannot name', async () => {
    const id = withAssociation()[0];
    const out = await served('unknownTargetMember', id);
    expect(out.ConfigurationPolicyAssociations!.map((a) => a.TargetId)).toEqual([rootId()]);
    expect(out.UnprocessedConfigurationPolicyAssociations).toEqual([
      {
        ConfigurationPolicyAssociationIdentifiers: { Target: { $unknown: ['FutureTargetId', id] } },
        ErrorCode: '429',
        ErrorReason: 'Rate exceeded',
      },
    ]);
    expect(emu.stats()).toMatchObject({ malformedServed: 1, unprocessedServed: 1 });
  });

  it('applies after unprocessed attempts, on every batch-get', async () => {
    const id = withAssociation()[0];
    emu.setFaults({
      securityHub: {
        unprocessed: [{ targetIds: [id], attempts: 1 }],
        malformed: [{ targetIds: [id], kind: 'unknownStatus' }],
      },
    });
    expect((await batchGet([id])).UnprocessedConfigurationPolicyAssociations).toHaveLength(1);
    for (let i = 0; i < 2; i++)
      expect((await batchGet([id])).ConfigurationPolicyAssociations).toMatchObject([
        { TargetId: id, AssociationStatus: 'DELETING' },
      ]);
  });

  it('knows every kind', () => {
    expect(MALFORMED_KINDS).toHaveLength(11);
  });
});

describe('invalid and malformed Organizations answers', () => {
  const invalid = () =>
    [
      { parentId: rootId(), type: 'ACCOUNT', id: '12345', name: 'short id' },
      { parentId: rootId(), type: 'ACCOUNT', id: '' },
      { parentId: rootId(), type: 'ORGANIZATIONAL_UNIT', id: 'ou-../x' },
    ] as const;

  it('appends invalid children, verbatim, to every listing of their parent', async () => {
    emu.setFaults({ organizations: { invalidChildren: invalid() } });
    const accountIds: string[] = [];
    let last: ListAccountsForParentCommandOutput | undefined;
    for await (const page of paginateListAccountsForParent({ client: orgOnce, pageSize: 20 }, { ParentId: rootId() })) {
      accountIds.push(...page.Accounts!.map((a) => a.Id!));
      last = page;
    }
    expect(accountIds.slice(-2)).toEqual(['12345', '']);
    expect(last!.Accounts!.at(-2)).toMatchObject({ Name: 'short id', State: 'ACTIVE' });

    const ous = await orgOnce.send(new ListOrganizationalUnitsForParentCommand({ ParentId: rootId() }));
    expect(ous.OrganizationalUnits!.at(-1)).toMatchObject({ Id: 'ou-../x', Name: 'invalid child 2' });
    const children = await orgOnce.send(
      new ListChildrenCommand({ ParentId: rootId(), ChildType: 'ORGANIZATIONAL_UNIT' }),
    );
    expect(children.Children!.at(-1)).toEqual({ Id: 'ou-../x', Type: 'ORGANIZATIONAL_UNIT' });
    const all: string[] = [];
    let token: string | undefined;
    do {
      const page = await orgOnce.send(new ListAccountsCommand({ NextToken: token }));
      all.push(...page.Accounts!.map((a) => a.Id!));
      token = page.NextToken;
    } while (token);
    expect(all).toHaveLength(emu.org.accounts.length + 2);
    expect(emu.stats().malformedServed).toBe(2 + 1 + 1 + 2);
  });

  it('still rejects an invalid ParentId with InvalidInputException', async () => {
    emu.setFaults({ organizations: { invalidChildren: invalid() } });
    const bad = orgOnce.send(new ListOrganizationalUnitsForParentCommand({ ParentId: 'ou-../x' }));
    await expect(bad).rejects.toBeInstanceOf(OrgInvalidInputException);
    await expect(bad).rejects.toMatchObject({ Reason: 'INVALID_PATTERN' });
    await expect(orgOnce.send(new ListAccountsForParentCommand({ ParentId: '' }))).rejects.toMatchObject({
      Reason: 'INPUT_REQUIRED',
    });
  });

  it('serves damaged account objects', async () => {
    const [a, b, c, d] = emu.org.accounts.filter((x) => x.parentId === rootId()).map((x) => x.id);
    emu.setFaults({
      organizations: {
        malformedAccounts: [
          { accountId: a, kind: 'missingId' },
          { accountId: b, kind: 'missingStatus' },
          { accountId: c, kind: 'unknownState' },
          { accountId: d, kind: 'missingName' },
        ],
      },
    });
    const out = await orgOnce.send(new ListAccountsForParentCommand({ ParentId: rootId() }));
    const byArn = (id: string) => out.Accounts!.find((x) => x.Arn!.endsWith(`/${id}`))! as Record<string, unknown>;
    expect(byArn(a)).not.toHaveProperty('Id');
    expect(byArn(b)).not.toHaveProperty('Status');
    expect(byArn(b)).not.toHaveProperty('State');
    expect(byArn(c)).toMatchObject({ State: 'SUSPENDING' });
    expect(byArn(c)).not.toHaveProperty('Status');
    expect(byArn(d)).not.toHaveProperty('Name');
    expect(byArn(d)).toMatchObject({ Id: d, State: 'ACTIVE' });
    expect(emu.stats().malformedServed).toBe(4);
  });
});

describe('NextToken on every page', () => {
  async function pages(): Promise<{ sizes: number[]; tokens: boolean[] }> {
    const sizes: number[] = [];
    const tokens: boolean[] = [];
    for await (const page of paginateListAccountsForParent({ client: orgOnce, pageSize: 5 }, { ParentId: rootId() })) {
      sizes.push(page.Accounts!.length);
      tokens.push(page.NextToken !== undefined);
    }
    return { sizes, tokens };
  }

  it('alwaysNextToken: full pages all carry a NextToken, and an empty last page ends the listing', async () => {
    const direct = emu.org.accounts.filter((a) => a.parentId === rootId()).length;
    emu.setFaults({ organizations: { alwaysNextToken: true } });
    const { sizes, tokens } = await pages();
    const full = Math.ceil(direct / 5);
    expect(sizes).toHaveLength(full + 1);
    expect(sizes.at(-1)).toBe(0);
    expect(sizes.slice(0, -1).every((n) => n > 0)).toBe(true);
    expect(sizes.reduce((x, y) => x + y, 0)).toBe(direct);
    expect(tokens).toEqual([...Array<boolean>(full).fill(true), false]);
    expect(emu.stats().emptyPagesServed).toBe(1);
  });

  it('emptyPageFraction 1: the same, plus an empty page before every full one', async () => {
    const direct = emu.org.accounts.filter((a) => a.parentId === rootId()).length;
    emu.setFaults({ organizations: { emptyPageFraction: 1 } });
    const { sizes, tokens } = await pages();
    const full = Math.ceil(direct / 5);
    expect(sizes).toEqual([...Array.from({ length: full }, (_, i) => [0, Math.min(5, direct - i * 5)]).flat(), 0]);
    expect(tokens).toEqual([...Array<boolean>(2 * full).fill(true), false]);
  });
});
