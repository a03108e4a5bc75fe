/**
 * The emulator's write calls through the real SDK v3 clients over HTTP: Organizations
 * (JSON 1.1) and Security Hub (REST-JSON, PATCH with a path member), their errors as the
 * SDK's exception classes, the events they emit, and the audit's walk seeing the changed tree.
 */
import {
  CloseAccountCommand,
  ConstraintViolationException,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  DeleteOrganizationalUnitCommand,
  DuplicateAccountException,
  InvalidInputException,
  ListParentsCommand,
  MoveAccountCommand,
  OrganizationalUnitNotEmptyException,
  OrganizationsClient,
  RemoveAccountFromOrganizationCommand,
} from '@aws-sdk/client-organizations';
import {
  BatchGetConfigurationPolicyAssociationsCommand,
  ResourceNotFoundException,
  SecurityHubClient,
  StartConfigurationPolicyAssociationCommand,
  StartConfigurationPolicyDisassociationCommand,
  UpdateConfigurationPolicyCommand,
} from '@aws-sdk/client-securityhub';
import { emulatorClientConfig, startEmulator, type EmulatorEvent, type RunningEmulator } from '../emulator/index';
import { walkOrganization } from '../support/walk-whole-organization';

const START = Date.UTC(2026, 11, 6, 8, 0, 0);
let clock = START;
let emu: RunningEmulator;
let org: OrganizationsClient;
let sh: SecurityHubClient;
const events: EmulatorEvent[] = [];

beforeAll(async () => {
  emu = await startEmulator({
    org: { seed: 19, now: START, accounts: 40, ous: 6, maxDepth: 2 },
    now: () => clock,
    writes: {
      associationSettleMs: 2_000,
      createAccountMs: 5_000,
      auditAccountId: '222222222222',
      homeRegion: 'eu-west-1',
    },
  });
  emu.onEvent((e) => events.push(e));
  const config = { ...emulatorClientConfig(emu), maxAttempts: 1 };
  org = new OrganizationsClient(config);
  sh = new SecurityHubClient(config);
});

afterAll(async () => {
  org?.destroy();
  sh?.destroy();
  await emu?.close();
});

beforeEach(() => {
  events.length = 0;
});

const rootId = () => emu.org.roots[0].id;
const statusOf = async (accountId: string) => {
  const out = await sh.send(
    new BatchGetConfigurationPolicyAssociationsCommand({
      ConfigurationPolicyAssociationIdentifiers: [{ Target: { AccountId: accountId } }],
    }),
  );
  return out.ConfigurationPolicyAssociations![0];
};

describe('Organizations writes over HTTP', () => {
  it('moves an account under a new OU; ListParents and the walk see it; it inherits the OU policy', async () => {
    const created = await org.send(new CreateOrganizationalUnitCommand({ ParentId: rootId(), Name: 'Recheck' }));
    const ouId = created.OrganizationalUnit!.Id!;
    const policyId = emu.org.policies[1].id;
    await sh.send(
      new StartConfigurationPolicyAssociationCommand({
        ConfigurationPolicyIdentifier: policyId,
        Target: { OrganizationalUnitId: ouId },
      }),
    );
    const account = emu.org.accounts.find(
      (a) => a.parentId === rootId() && emu.org.associations.get(a.id)?.associationType === 'INHERITED',
    )!;
    await org.send(
      new MoveAccountCommand({ AccountId: account.id, SourceParentId: rootId(), DestinationParentId: ouId }),
    );
    const parents = await org.send(new ListParentsCommand({ ChildId: account.id, MaxResults: 20 }));
    expect(parents.Parents).toEqual([{ Id: ouId, Type: 'ORGANIZATIONAL_UNIT' }]);
    expect(parents.NextToken).toBeUndefined();
    const tooMany = await org
      .send(new ListParentsCommand({ ChildId: account.id, MaxResults: 21 }))
      .catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(InvalidInputException);
    expect((tooMany as InvalidInputException).Reason).toBe('MAX_VALUE_EXCEEDED');
    expect(await statusOf(account.id)).toMatchObject({ ConfigurationPolicyId: policyId, AssociationStatus: 'PENDING' });
    clock += 2_000;
    expect(await statusOf(account.id)).toMatchObject({ ConfigurationPolicyId: policyId, AssociationStatus: 'SUCCESS' });

    const tree = await walkOrganization(org);
    expect(tree.targets.find((t) => t.id === account.id)).toMatchObject({ parentId: ouId });
    expect(tree.targets.find((t) => t.id === ouId)).toMatchObject({ type: 'ORGANIZATIONAL_UNIT', name: 'Recheck' });
    expect(events.map((e) => [e.source, e.detail.eventName])).toEqual([
      ['aws.organizations', 'CreateOrganizationalUnit'],
      ['aws.securityhub', 'StartConfigurationPolicyAssociation'],
      ['aws.organizations', 'MoveAccount'],
    ]);
    expect(events[1]).toMatchObject({ account: '222222222222', region: 'eu-west-1' });

    await expect(
      org.send(new MoveAccountCommand({ AccountId: account.id, SourceParentId: ouId, DestinationParentId: ouId })),
    ).rejects.toBeInstanceOf(DuplicateAccountException);
    await expect(org.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: ouId }))).rejects.toBeInstanceOf(
      OrganizationalUnitNotEmptyException,
    );
    expect(events).toHaveLength(3);
  });

  it('refuses a sixth OU level with ConstraintViolationException OU_DEPTH_LIMIT_EXCEEDED', async () => {
    let parent = rootId();
    for (let level = 1; level <= 5; level++) {
      const out = await org.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: `Deep${level}` }));
      parent = out.OrganizationalUnit!.Id!;
    }
    const refused = await org
      .send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: 'Deep6' }))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConstraintViolationException);
    expect((refused as ConstraintViolationException).Reason).toBe('OU_DEPTH_LIMIT_EXCEEDED');
  });

  it('creates an account asynchronously, and removes and closes accounts', async () => {
    const out = await org.send(new CreateAccountCommand({ Email: 'fresh@example.com', AccountName: 'fresh' }));
    expect(out.CreateAccountStatus).toMatchObject({ State: 'IN_PROGRESS', AccountName: 'fresh' });
    expect(out.CreateAccountStatus!.RequestedTimestamp).toBeInstanceOf(Date);
    clock += 5_000;
    emu.settle();
    const created = emu.org.accounts.find((a) => a.name === 'fresh')!;
    expect(created.parentId).toBe(rootId());
    expect(events.at(-1)!.detail.serviceEventDetails).toMatchObject({
      createAccountStatus: { state: 'SUCCEEDED', accountId: created.id },
    });

    const [gone, closing] = emu.org.accounts.filter(
      (a) => a.status === 'ACTIVE' && a.id !== emu.org.organization.managementAccountId && a.id !== created.id,
    );
    await org.send(new RemoveAccountFromOrganizationCommand({ AccountId: gone.id }));
    await org.send(new CloseAccountCommand({ AccountId: closing.id }));
    expect(emu.org.accounts.some((a) => a.id === gone.id)).toBe(false);
    const walked = await walkOrganization(org);
    expect(walked.targets.find((t) => t.id === closing.id)!.accountStatus).toBe('PENDING_CLOSURE');
    expect(walked.targets.some((t) => t.id === created.id)).toBe(true);
  });
});

describe('faults', () => {
  it('apply to writes as to reads: a refused write changes nothing and emits nothing', async () => {
    const ous = emu.org.ous.length;
    emu.setFaults({ organizations: { serverErrorFraction: 1 } });
    try {
      await expect(
        org.send(new CreateOrganizationalUnitCommand({ ParentId: rootId(), Name: 'Refused' })),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: expect.any(Number) as number } });
    } finally {
      emu.setFaults({});
    }
    expect(emu.org.ous).toHaveLength(ous);
    expect(events).toHaveLength(0);
    expect(emu.stats().serverErrors.CreateOrganizationalUnit).toBe(1);
  });
});

describe('Security Hub writes over HTTP', () => {
  it('settles FAILED for a failing target, disassociates, and redeploys on a policy update', async () => {
    const account = emu.org.accounts.find((a) => a.status === 'ACTIVE' && a.parentId === rootId())!;
    emu.setAssociationFailures(new Set([account.id]));
    const policyId = emu.org.policies[2].id;
    const started = await sh.send(
      new StartConfigurationPolicyAssociationCommand({
        ConfigurationPolicyIdentifier: policyId,
        Target: { AccountId: account.id },
      }),
    );
    expect(started).toMatchObject({ AssociationType: 'APPLIED', AssociationStatus: 'PENDING', TargetId: account.id });
    clock += 2_000;
    expect(await statusOf(account.id)).toMatchObject({ AssociationStatus: 'FAILED' });
    emu.setAssociationFailures(new Set());

    await sh.send(
      new StartConfigurationPolicyDisassociationCommand({
        ConfigurationPolicyIdentifier: policyId,
        Target: { AccountId: account.id },
      }),
    );
    expect(await statusOf(account.id)).toMatchObject({ AssociationType: 'INHERITED', AssociationStatus: 'PENDING' });

    const updated = await sh.send(new UpdateConfigurationPolicyCommand({ Identifier: policyId, Name: 'edited' }));
    expect(updated).toMatchObject({ Id: policyId, Name: 'edited' });
    expect(updated.UpdatedAt).toBeInstanceOf(Date);
    await expect(
      sh.send(new UpdateConfigurationPolicyCommand({ Identifier: '00000000-0000-4000-8000-000000000000' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(events.map((e) => e.detail.eventName)).toEqual([
      'StartConfigurationPolicyAssociation',
      'StartConfigurationPolicyDisassociation',
      'UpdateConfigurationPolicy',
    ]);
    expect(events[2].detail.requestParameters).toMatchObject({ identifier: policyId, name: 'edited' });
  });
});
