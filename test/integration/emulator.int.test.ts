import {
  DescribeOrganizationCommand,
  InvalidInputException as OrgInvalidInputException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
  ParentNotFoundException,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListChildren,
  paginateListOrganizationalUnitsForParent,
  paginateListRoots,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import {
  type ConfigurationPolicyAssociationSummary,
  InvalidInputException as ShInvalidInputException,
  LimitExceededException,
  paginateListConfigurationPolicyAssociations,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { batchGetByIds } from '../emulator/batch-get-by-ids';
import {
  emulatorClientConfig,
  generateOrganization,
  startEmulator,
  type GeneratedOrg,
  type RunningEmulator,
} from '../emulator/index';

const NOW = Date.UTC(2026, 10, 26, 2, 0, 0);
const ORG_OPTIONS = {
  seed: 42,
  now: NOW,
  accounts: 150,
  ous: 20,
  maxDepth: 4,
  anomalies: { failed: 3, stalePending: 2, freshPending: 2, inheritanceMismatch: 2, missing: 2 },
} as const;

let emu: RunningEmulator;
let org: OrganizationsClient;
let sh: SecurityHubClient;
/** Clients that do not retry, to see the raw error of one request. */
let orgOnce: OrganizationsClient;
let shOnce: SecurityHubClient;

beforeAll(async () => {
  emu = await startEmulator({ org: ORG_OPTIONS });
  const config = emulatorClientConfig(emu);
  org = new OrganizationsClient(config);
  sh = new SecurityHubClient(config);
  orgOnce = new OrganizationsClient({ ...config, maxAttempts: 1 });
  shOnce = new SecurityHubClient({ ...config, maxAttempts: 1 });
});

afterAll(async () => {
  for (const c of [org, sh, orgOnce, shOnce]) c?.destroy();
  await emu?.close();
});

beforeEach(() => {
  emu.setFaults({});
  emu.resetStats();
});

const allTargetIds = (g: GeneratedOrg): string[] => [
  ...g.roots.map((r) => r.id),
  ...g.ous.map((o) => o.id),
  ...g.accounts.map((a) => a.id),
];

/** Walks the tree with the SDK paginators, like the audit does. */
async function walk(client: OrganizationsClient, pageSize: number): Promise<{ ous: string[]; accounts: string[] }> {
  const ous: string[] = [];
  const accounts: string[] = [];
  const queue: string[] = [];
  for await (const page of paginateListRoots({ client, pageSize }, {})) queue.push(...page.Roots!.map((r) => r.Id!));
  while (queue.length > 0) {
    const parentId = queue.shift()!;
    for await (const page of paginateListOrganizationalUnitsForParent({ client, pageSize }, { ParentId: parentId })) {
      for (const ou of page.OrganizationalUnits!) {
        ous.push(ou.Id!);
        queue.push(ou.Id!);
      }
    }
    for await (const page of paginateListAccountsForParent({ client, pageSize }, { ParentId: parentId })) {
      accounts.push(...page.Accounts!.map((a) => a.Id!));
    }
  }
  return { ous, accounts };
}

function batchGet(ids: readonly string[], client: SecurityHubClient = sh) {
  return batchGetByIds(client, ids);
}

describe('Organizations over the wire', () => {
  it('describes the organization', async () => {
    const out = await org.send(new DescribeOrganizationCommand({}));
    expect(out.Organization).toMatchObject({
      Id: emu.org.organization.id,
      MasterAccountId: emu.org.organization.managementAccountId,
      FeatureSet: 'ALL',
    });
  });

  it('walks the whole tree exactly once, across injected empty pages', async () => {
    emu.setFaults({ organizations: { emptyPageFraction: 0.3 } });
    const { ous, accounts } = await walk(org, 7);
    expect(ous.sort()).toEqual(emu.org.ous.map((o) => o.id).sort());
    expect(accounts.sort()).toEqual(emu.org.accounts.map((a) => a.id).sort());
    expect(emu.stats().emptyPagesServed).toBeGreaterThan(0);
  });

  it('lists all accounts with their fields, and children by type', async () => {
    const seen: string[] = [];
    for await (const page of paginateListAccounts({ client: org, pageSize: 20 }, {})) {
      for (const a of page.Accounts!) {
        const truth = emu.org.accounts.find((x) => x.id === a.Id)!;
        expect(a).toMatchObject({
          Arn: truth.arn,
          Name: truth.name,
          Email: truth.email,
          State: truth.status,
          JoinedMethod: truth.joinedMethod,
        });
        expect(a.JoinedTimestamp).toEqual(new Date(truth.joinedTimestamp));
        seen.push(a.Id!);
      }
    }
    expect(seen).toEqual(emu.org.accounts.map((a) => a.id));

    const root = emu.org.roots[0].id;
    const children: string[] = [];
    for await (const page of paginateListChildren(
      { client: org, pageSize: 3 },
      { ParentId: root, ChildType: 'ORGANIZATIONAL_UNIT' },
    )) {
      expect(page.Children!.every((c) => c.Type === 'ORGANIZATIONAL_UNIT')).toBe(true);
      children.push(...page.Children!.map((c) => c.Id!));
    }
    expect(children).toEqual(emu.org.ous.filter((o) => o.parentId === root).map((o) => o.id));
  });

  it('answers ListParents with the one parent of an account or OU, and ChildNotFoundException for a stranger', async () => {
    const ou = emu.org.ous.find((o) => o.parentId !== emu.org.roots[0].id)!;
    const account = emu.org.accounts[1];
    const parentOf = async (id: string) => (await org.send(new ListParentsCommand({ ChildId: id }))).Parents;
    expect(await parentOf(ou.id)).toEqual([{ Id: ou.parentId, Type: 'ORGANIZATIONAL_UNIT' }]);
    expect(await parentOf(account.id)).toEqual([
      {
        Id: account.parentId,
        Type: emu.org.roots.some((r) => r.id === account.parentId) ? 'ROOT' : 'ORGANIZATIONAL_UNIT',
      },
    ]);
    await expect(orgOnce.send(new ListParentsCommand({ ChildId: '999999999999' }))).rejects.toMatchObject({
      name: 'ChildNotFoundException',
    });
  });

  it('rejects MaxResults above 20 and bad tokens with InvalidInputException', async () => {
    const root = emu.org.roots[0].id;
    await expect(org.send(new ListAccountsForParentCommand({ ParentId: root, MaxResults: 20 }))).resolves.toBeDefined();
    const tooMany = org.send(new ListAccountsForParentCommand({ ParentId: root, MaxResults: 21 }));
    await expect(tooMany).rejects.toBeInstanceOf(OrgInvalidInputException);
    await expect(tooMany).rejects.toMatchObject({ Reason: 'MAX_VALUE_EXCEEDED', $metadata: { httpStatusCode: 400 } });

    await expect(org.send(new ListAccountsCommand({ NextToken: 'not-a-token' }))).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'INVALID_NEXT_TOKEN',
    });
    // A real token, replayed against another parent.
    const first = await org.send(new ListAccountsCommand({ MaxResults: 1 }));
    await expect(
      org.send(new ListAccountsForParentCommand({ ParentId: root, NextToken: first.NextToken })),
    ).rejects.toBeInstanceOf(OrgInvalidInputException);
  });

  it('reports an unknown parent as ParentNotFoundException', async () => {
    const unknown = `ou-${emu.org.roots[0].id.slice(2)}-zzzzzzzz`;
    await expect(org.send(new ListAccountsForParentCommand({ ParentId: unknown }))).rejects.toBeInstanceOf(
      ParentNotFoundException,
    );
  });

  it('throttles with TooManyRequestsException (HTTP 400) beyond the quota', async () => {
    emu.setFaults({ organizations: { quota: { ratePerSecond: 0.001, burst: 1 } } });
    await orgOnce.send(new ListRootsCommand({}));
    const throttled = orgOnce.send(new ListRootsCommand({}));
    await expect(throttled).rejects.toBeInstanceOf(TooManyRequestsException);
    await expect(throttled).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    expect(emu.stats().throttles).toEqual({ ListRoots: 1 });
  });

  it('lets the SDK retry strategy absorb 5xx', async () => {
    emu.setFaults({ seed: 3, organizations: { serverErrorFraction: 1 } });
    await expect(orgOnce.send(new ListRootsCommand({}))).rejects.toMatchObject({ $fault: 'server' });
    // Seeded, and the walk is sequential: the same requests fail on every run.
    emu.setFaults({ seed: 3, organizations: { serverErrorFraction: 0.15 } });
    const patient = new OrganizationsClient({ ...emulatorClientConfig(emu), maxAttempts: 5 });
    try {
      const { accounts } = await walk(patient, 20);
      expect(accounts).toHaveLength(emu.org.accounts.length);
    } finally {
      patient.destroy();
    }
    expect(Object.values(emu.stats().serverErrors).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});

describe('Security Hub over the wire', () => {
  it('returns every target once, with the seeded anomalies', async () => {
    const ids = allTargetIds(emu.org);
    const found = new Map<string, ConfigurationPolicyAssociationSummary>();
    for (let i = 0; i < ids.length; i += 50) {
      const out = await batchGet(ids.slice(i, i + 50));
      expect(out.UnprocessedConfigurationPolicyAssociations).toEqual([]);
      for (const a of out.ConfigurationPolicyAssociations!) {
        expect(found.has(a.TargetId!)).toBe(false);
        found.set(a.TargetId!, a);
      }
    }
    const { anomalies } = emu.org;
    expect(found.size).toBe(ids.length - anomalies.missing.length);
    for (const id of anomalies.missing) expect(found.has(id)).toBe(false);
    for (const id of anomalies.failed)
      expect(found.get(id)).toMatchObject({
        AssociationStatus: 'FAILED',
        AssociationStatusMessage: expect.any(String) as string,
      });
    const staleBefore = NOW - emu.org.stalePendingHours * 3_600_000;
    for (const id of anomalies.stalePending) {
      expect(found.get(id)!.AssociationStatus).toBe('PENDING');
      expect(found.get(id)!.UpdatedAt!.getTime()).toBeLessThan(staleBefore);
    }
    for (const id of anomalies.freshPending) expect(found.get(id)!.UpdatedAt!.getTime()).toBeGreaterThan(staleBefore);
    const parent = new Map(emu.org.accounts.map((a) => [a.id, a.parentId]));
    for (const id of anomalies.inheritanceMismatch) {
      expect(found.get(id)!.AssociationType).toBe('INHERITED');
      expect(found.get(id)!.ConfigurationPolicyId).not.toBe(found.get(parent.get(id)!)!.ConfigurationPolicyId);
    }
    const root = found.get(emu.org.roots[0].id)!;
    expect(root).toMatchObject({
      TargetType: 'ROOT',
      AssociationType: 'APPLIED',
      ConfigurationPolicyId: emu.org.policies[0].id,
    });
    expect(root.UpdatedAt).toEqual(new Date(emu.org.associations.get(root.TargetId!)!.updatedAt));
  });

  it('lists associations with filters and paging', async () => {
    const all: string[] = [];
    for await (const page of paginateListConfigurationPolicyAssociations({ client: sh, pageSize: 37 }, {})) {
      all.push(...page.ConfigurationPolicyAssociationSummaries!.map((s) => s.TargetId!));
    }
    expect(all.sort()).toEqual([...emu.org.associations.keys()].sort());
    const failed: string[] = [];
    for await (const page of paginateListConfigurationPolicyAssociations(
      { client: sh },
      { Filters: { AssociationStatus: 'FAILED' } },
    )) {
      failed.push(...page.ConfigurationPolicyAssociationSummaries!.map((s) => s.TargetId!));
    }
    expect(failed.sort()).toEqual([...emu.org.anomalies.failed].sort());
  });

  it('keeps targets unprocessed for k attempts, then processes them', async () => {
    const [a, b, c] = emu.org.accounts.filter((x) => emu.org.associations.has(x.id)).map((x) => x.id);
    emu.setFaults({
      securityHub: {
        unprocessed: [
          { targetIds: [a], attempts: 2, errorCode: '429', errorReason: 'Too many requests' },
          { targetIds: [b], attempts: 'forever', errorCode: '403' },
        ],
      },
    });
    const codes = async () => {
      const out = await batchGet([a, b, c]);
      return {
        processed: out.ConfigurationPolicyAssociations!.map((x) => x.TargetId).sort(),
        unprocessed: out.UnprocessedConfigurationPolicyAssociations!.map((u) => [
          u.ConfigurationPolicyAssociationIdentifiers!.Target!.AccountId,
          u.ErrorCode,
        ]),
      };
    };
    expect(await codes()).toEqual({
      processed: [c],
      unprocessed: [
        [a, '429'],
        [b, '403'],
      ],
    });
    expect(await codes()).toEqual({
      processed: [c],
      unprocessed: [
        [a, '429'],
        [b, '403'],
      ],
    });
    expect(await codes()).toEqual({ processed: [a, c].sort(), unprocessed: [[b, '403']] });
    expect(emu.stats().unprocessedServed).toBe(5);
  });

  it('selects a deterministic fraction of targets as unprocessed', async () => {
    emu.setFaults({
      seed: 'u',
      securityHub: { unprocessed: [{ fraction: 0.2, attempts: 'forever', errorCode: '500' }] },
    });
    const selected = emu.unprocessedTargets();
    const ids = allTargetIds(emu.org);
    const unprocessed: string[] = [];
    for (let i = 0; i < ids.length; i += 50) {
      const out = await batchGet(ids.slice(i, i + 50));
      unprocessed.push(
        ...out.UnprocessedConfigurationPolicyAssociations!.map(
          (u) => Object.values(u.ConfigurationPolicyAssociationIdentifiers!.Target!)[0] as string,
        ),
      );
    }
    expect(unprocessed.sort()).toEqual([...selected.keys()].sort());
    expect(selected.size).toBeGreaterThan(10);
  });

  it('rejects a batch larger than maxBatchSize with InvalidInputException (400)', async () => {
    emu.setFaults({ securityHub: { maxBatchSize: 5 } });
    const ids = allTargetIds(emu.org);
    await expect(batchGet(ids.slice(0, 5))).resolves.toBeDefined();
    const tooBig = batchGet(ids.slice(0, 6));
    await expect(tooBig).rejects.toBeInstanceOf(ShInvalidInputException);
    await expect(tooBig).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('throttles with LimitExceededException (HTTP 429) beyond the quota', async () => {
    emu.setFaults({ securityHub: { quota: { ratePerSecond: 0.001, burst: 1 } } });
    const ids = allTargetIds(emu.org).slice(0, 3);
    await batchGet(ids, shOnce);
    const throttled = batchGet(ids, shOnce);
    await expect(throttled).rejects.toBeInstanceOf(LimitExceededException);
    await expect(throttled).rejects.toMatchObject({ $metadata: { httpStatusCode: 429 } });
  });
});

describe('throttling with default retries', () => {
  // A quota clock the test moves by hand: the first attempt is throttled for certain, and
  // a retry after the clock moved is let through for certain, however the backoff falls.
  let manualTime = 0;
  let slow: RunningEmulator;
  beforeAll(async () => {
    slow = await startEmulator({ org: ORG_OPTIONS, clock: () => manualTime });
  });
  afterAll(() => slow?.close());

  /** Waits (on I/O turns, not timers) until the emulator has throttled once. */
  async function untilThrottled(): Promise<void> {
    for (let i = 0; i < 100_000 && slow.stats().totalThrottles === 0; i++) await new Promise((r) => setImmediate(r));
  }

  it.each(['organizations', 'securityHub'] as const)('retries %s throttles away', async (service) => {
    slow.setFaults({ [service]: { quota: { ratePerSecond: 1, burst: 1 } } });
    slow.resetStats();
    const config = emulatorClientConfig(slow);
    const orgClient = new OrganizationsClient(config);
    const shClient = new SecurityHubClient(config);
    const call = () =>
      service === 'organizations'
        ? orgClient.send(new ListRootsCommand({}))
        : batchGet([slow.org.roots[0].id], shClient);
    try {
      await call();
      const retried = call();
      await untilThrottled();
      manualTime += 1000;
      const out = await retried;
      // Normally 2 attempts; 3 only if the SDK's random backoff beat the clock move above.
      expect(out.$metadata.httpStatusCode).toBe(200);
      expect(out.$metadata.attempts).toBe(slow.stats().totalThrottles + 1);
      expect(slow.stats().totalThrottles).toBeGreaterThanOrEqual(1);
    } finally {
      orgClient.destroy();
      shClient.destroy();
    }
  });
});

describe('emulator setup', () => {
  it('serves the same ids for the same seed', async () => {
    const other = await startEmulator({ org: ORG_OPTIONS });
    const client = new OrganizationsClient(emulatorClientConfig(other));
    try {
      const a = await org.send(new ListAccountsCommand({}));
      const b = await client.send(new ListAccountsCommand({}));
      expect(b.Accounts!.map((x) => x.Id)).toEqual(a.Accounts!.map((x) => x.Id));
    } finally {
      client.destroy();
      await other.close();
    }
  });

  it('reaches the emulator through the AWS_ENDPOINT_URL_* variables', async () => {
    const saved = { o: process.env.AWS_ENDPOINT_URL_ORGANIZATIONS, s: process.env.AWS_ENDPOINT_URL_SECURITYHUB };
    process.env.AWS_ENDPOINT_URL_ORGANIZATIONS = emu.endpoint;
    process.env.AWS_ENDPOINT_URL_SECURITYHUB = emu.endpoint;
    const { credentials, region } = emulatorClientConfig(emu);
    const o = new OrganizationsClient({ credentials, region });
    const s = new SecurityHubClient({ credentials, region });
    try {
      await expect(o.send(new ListRootsCommand({}))).resolves.toMatchObject({ Roots: [{ Id: emu.org.roots[0].id }] });
      await expect(batchGet([emu.org.roots[0].id], s)).resolves.toBeDefined();
    } finally {
      o.destroy();
      s.destroy();
      for (const [k, v] of [
        ['AWS_ENDPOINT_URL_ORGANIZATIONS', saved.o],
        ['AWS_ENDPOINT_URL_SECURITYHUB', saved.s],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('serves 10,000 accounts and 1,000 OUs quickly', async () => {
    const big = await startEmulator({
      org: generateOrganization({ seed: 9, now: NOW, accounts: 10_000, ous: 1_000, maxDepth: 5 }),
    });
    const client = new OrganizationsClient(emulatorClientConfig(big));
    try {
      const started = performance.now();
      let count = 0;
      for await (const page of paginateListAccounts({ client, pageSize: 20 }, {})) count += page.Accounts!.length;
      expect(count).toBe(10_000);
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      client.destroy();
      await big.close();
    }
  });
});
