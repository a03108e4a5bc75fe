/**
 * Account State as the real SDK reads it from the emulator, through to the audit's
 * walk; and the emulator refusing a whole batch-get the way Security Hub does.
 */
import {
  InvalidInputException,
  ListAccountsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import {
  AccessDeniedException,
  BatchGetConfigurationPolicyAssociationsCommand,
  InvalidAccessException,
  ResourceNotFoundException,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { Account } from '@aws-sdk/client-organizations';
import { emulatorClientConfig, startEmulator, type RunningEmulator } from '../emulator';
import { walkOrganization } from '../support/walk-whole-organization';

const NOW = Date.UTC(2026, 10, 30);

let emu: RunningEmulator;
let org: OrganizationsClient;
let shOnce: SecurityHubClient;

beforeAll(async () => {
  emu = await startEmulator({
    org: {
      seed: 11,
      now: NOW,
      accounts: 60,
      ous: 5,
      suspendedFraction: 0.1,
      pendingClosureFraction: 0.05,
      closedFraction: 0.1,
      pendingActivationFraction: 0.05,
    },
  });
  const config = emulatorClientConfig(emu);
  org = new OrganizationsClient(config);
  shOnce = new SecurityHubClient({ ...config, maxAttempts: 1 });
});

afterAll(async () => {
  org?.destroy();
  shOnce?.destroy();
  await emu?.close();
});

async function listAll(): Promise<Account[]> {
  const out: Account[] = [];
  for await (const page of paginateListAccounts({ client: org }, {})) out.push(...(page.Accounts ?? []));
  return out;
}

const truth = () => new Map(emu.org.accounts.map((a) => [a.id, a.status]));

describe('Account.State', () => {
  it('is sent for every account, without the retired Status, by default', async () => {
    emu.setFaults({});
    const accounts = await listAll();
    expect(accounts).toHaveLength(60);
    for (const a of accounts) {
      expect(a.State).toBe(truth().get(a.Id!));
      expect(a).not.toHaveProperty('Status');
    }
    expect(new Set(accounts.map((a) => a.State))).toEqual(
      new Set(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED', 'PENDING_ACTIVATION']),
    );
  });

  it('comes with Status when imitating the transition period, and Status alone before State existed', async () => {
    emu.setFaults({ organizations: { legacyAccountStatus: 'withState' } });
    const both = new Map((await listAll()).map((a) => [a.Id!, a]));
    emu.setFaults({ organizations: { legacyAccountStatus: 'statusOnly' } });
    const old = new Map((await listAll()).map((a) => [a.Id!, a]));
    for (const [id, state] of truth()) {
      expect(both.get(id)!.State).toBe(state);
      expect(old.get(id)).not.toHaveProperty('State');
      const legacy = state === 'CLOSED' ? 'SUSPENDED' : state === 'PENDING_ACTIVATION' ? undefined : state;
      expect(both.get(id)!.Status).toBe(legacy);
      expect(old.get(id)!.Status).toBe(legacy);
    }
  });

  it('reaches the walk as AWS names it; Status is only the fallback', async () => {
    emu.setFaults({ organizations: { legacyAccountStatus: 'withState' } });
    const current = await walkOrganization(org);
    const statusOf = new Map(current.targets.map((t) => [t.id, t.accountStatus]));
    for (const [id, state] of truth()) expect(statusOf.get(id)).toBe(state);

    emu.setFaults({ organizations: { legacyAccountStatus: 'statusOnly' } });
    const older = await walkOrganization(org);
    const olderOf = new Map(older.targets.map((t) => [t.id, t.accountStatus]));
    for (const [id, state] of truth()) {
      const expected = state === 'CLOSED' ? 'SUSPENDED' : state === 'PENDING_ACTIVATION' ? null : state;
      expect(olderOf.get(id)).toBe(expected);
    }
  });

  it('uses the model enum values as InvalidInputException reasons', async () => {
    emu.setFaults({});
    const bad = org.send(new ListAccountsCommand({ NextToken: 'not-a-token' }));
    await expect(bad).rejects.toBeInstanceOf(InvalidInputException);
    await expect(bad).rejects.toMatchObject({ Reason: 'INVALID_NEXT_TOKEN' });
  });
});

describe('batch-get refused whole', () => {
  it.each([
    ['ResourceNotFoundException', ResourceNotFoundException, 404],
    ['AccessDeniedException', AccessDeniedException, 403],
    ['InvalidAccessException', InvalidAccessException, 401],
  ] as const)('%s reaches the SDK as its exception class', async (code, errorClass, status) => {
    emu.setFaults({ securityHub: { batchGetError: code } });
    emu.resetStats();
    const rootId = emu.org.roots[0].id;
    const call = shOnce.send(
      new BatchGetConfigurationPolicyAssociationsCommand({
        ConfigurationPolicyAssociationIdentifiers: [{ Target: { RootId: rootId } }],
      }),
    );
    await expect(call).rejects.toBeInstanceOf(errorClass);
    await expect(call).rejects.toMatchObject({ name: code, Code: code, $metadata: { httpStatusCode: status } });
    expect(emu.stats().clientErrors).toMatchObject({ BatchGetConfigurationPolicyAssociations: 1 });
  });
});
