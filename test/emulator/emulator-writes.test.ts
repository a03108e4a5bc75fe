import { SELF_MANAGED } from '../../lambdas/audit/model';
import { organizationsChangePattern, securityHubChangePattern } from '../../lambdas/audit/recheck/change-events';
import type { EmulatorEvent } from './cloudtrail-events';
import { EmulatorWrites, type EmulatorWriteOptions } from './emulator-writes';
import { generateOrganization } from './generate-organization';
import { buildOrgIndex, type MutableOrgIndex } from './org-index';
import type { EmulatedServiceError } from './service-error';

const NOW = Date.UTC(2026, 11, 6, 8, 0, 0);
const SOURCE = generateOrganization({ seed: 7, now: NOW, accounts: 30, ous: 6, maxDepth: 2 });

let clock: number;
let index: MutableOrgIndex;
let writes: EmulatorWrites;
let events: EmulatorEvent[];

function setUp(options: EmulatorWriteOptions = {}): void {
  clock = NOW;
  index = buildOrgIndex(SOURCE);
  writes = new EmulatorWrites(index, () => clock, 'test', { associationSettleMs: 1_000, ...options });
  events = [];
  writes.events.subscribe((e) => events.push(e));
}

const root = () => index.org.roots[0].id;
const ouAtDepth = (depth: number) => index.org.ous.find((o) => o.depth === depth)!;
const accountUnder = (parentId: string) =>
  index.org.accounts.find((a) => a.parentId === parentId && a.status === 'ACTIVE')!;
const association = (id: string) => index.org.associations.get(id)!;
const policy = (i: number) => index.org.policies[i].id;

function errorOf(run: () => unknown): EmulatedServiceError {
  try {
    run();
  } catch (err) {
    return err as EmulatedServiceError;
  }
  throw new Error('expected the call to fail');
}

beforeEach(() => setUp());

describe('Organizations writes', () => {
  it('MoveAccount moves the account, and it inherits the new parent policy through PENDING', () => {
    const ou = ouAtDepth(1);
    writes.securityHub('StartConfigurationPolicyAssociation', {
      ConfigurationPolicyIdentifier: policy(1),
      Target: { OrganizationalUnitId: ou.id },
    });
    const account = index.org.accounts.find(
      (a) => a.parentId === root() && association(a.id)?.associationType === 'INHERITED',
    )!;
    clock += 5_000;
    writes.settleDue();
    events.length = 0;

    writes.organizations('MoveAccount', { AccountId: account.id, SourceParentId: root(), DestinationParentId: ou.id });
    expect(index.parents.get(account.id)).toBe(ou.id);
    expect(index.children.get(ou.id)!.accounts.map((a) => a.id)).toContain(account.id);
    expect(association(account.id)).toMatchObject({ configurationPolicyId: policy(1), associationStatus: 'PENDING' });
    clock += 1_000;
    writes.settleDue();
    expect(association(account.id)).toMatchObject({ associationType: 'INHERITED', associationStatus: 'SUCCESS' });
    expect(index.org.expectedPolicyIds.get(account.id)).toBe(policy(1));
    expect(events).toHaveLength(1);
    expect(events[0].detail).toMatchObject({
      eventName: 'MoveAccount',
      eventSource: 'organizations.amazonaws.com',
      awsRegion: 'us-east-1',
      requestParameters: { accountId: account.id, sourceParentId: root(), destinationParentId: ou.id },
      responseElements: null,
      recipientAccountId: index.org.organization.managementAccountId,
    });
  });

  it('MoveAccount keeps an account own applied policy', () => {
    const account = accountUnder(root());
    writes.securityHub('StartConfigurationPolicyAssociation', {
      ConfigurationPolicyIdentifier: SELF_MANAGED,
      Target: { AccountId: account.id },
    });
    clock += 1_000;
    writes.settleDue();
    writes.organizations('MoveAccount', {
      AccountId: account.id,
      SourceParentId: root(),
      DestinationParentId: ouAtDepth(1).id,
    });
    expect(association(account.id)).toMatchObject({
      associationType: 'APPLIED',
      configurationPolicyId: SELF_MANAGED,
      associationStatus: 'SUCCESS',
    });
    expect(writes.associations.pending().has(account.id)).toBe(false);
  });

  it('MoveAccount errors as documented', () => {
    const account = accountUnder(root());
    const ou = ouAtDepth(1);
    const move = (input: Record<string, unknown>) => errorOf(() => writes.organizations('MoveAccount', input));
    expect(move({ AccountId: '999999999999', SourceParentId: root(), DestinationParentId: ou.id }).code).toBe(
      'AccountNotFoundException',
    );
    expect(move({ AccountId: account.id, SourceParentId: 'ou-zzzz-zzzzzzzz', DestinationParentId: ou.id }).code).toBe(
      'SourceParentNotFoundException',
    );
    expect(move({ AccountId: account.id, SourceParentId: root(), DestinationParentId: 'ou-zzzz-zzzzzzzz' }).code).toBe(
      'DestinationParentNotFoundException',
    );
    expect(move({ AccountId: account.id, SourceParentId: root(), DestinationParentId: root() }).code).toBe(
      'DuplicateAccountException',
    );
    expect(move({ AccountId: 'x', SourceParentId: root(), DestinationParentId: ou.id }).fields.Reason).toBe(
      'INVALID_PATTERN',
    );
    expect(events).toHaveLength(0);
  });

  it('CreateOrganizationalUnit adds an OU that inherits, and enforces depth, quota and unique names', () => {
    const out = writes.organizations('CreateOrganizationalUnit', { ParentId: root(), Name: 'Fresh' }) as {
      OrganizationalUnit: { Id: string; Arn: string; Name: string };
    };
    const id = out.OrganizationalUnit.Id;
    expect(index.targetTypes.get(id)).toBe('ORGANIZATIONAL_UNIT');
    expect(association(id)).toMatchObject({ associationType: 'INHERITED', associationStatus: 'PENDING' });
    expect(events.map((e) => e.detail.eventName)).toEqual(['CreateOrganizationalUnit']);
    expect(events[0].detail.responseElements).toEqual({
      organizationalUnit: { id, arn: out.OrganizationalUnit.Arn, name: 'Fresh' },
    });

    let parent = id;
    for (let depth = 2; depth <= 5; depth++) {
      parent = (
        writes.organizations('CreateOrganizationalUnit', { ParentId: parent, Name: `L${depth}` }) as {
          OrganizationalUnit: { Id: string };
        }
      ).OrganizationalUnit.Id;
    }
    const tooDeep = errorOf(() => writes.organizations('CreateOrganizationalUnit', { ParentId: parent, Name: 'L6' }));
    expect([tooDeep.code, tooDeep.fields.Reason]).toEqual(['ConstraintViolationException', 'OU_DEPTH_LIMIT_EXCEEDED']);
    expect(
      errorOf(() => writes.organizations('CreateOrganizationalUnit', { ParentId: root(), Name: 'Fresh' })).code,
    ).toBe('DuplicateOrganizationalUnitException');

    setUp({ ouQuota: SOURCE.ous.length });
    const full = errorOf(() =>
      writes.organizations('CreateOrganizationalUnit', { ParentId: root(), Name: 'One too many' }),
    );
    expect(full.fields.Reason).toBe('OU_NUMBER_LIMIT_EXCEEDED');
    expect(events).toHaveLength(0);
  });

  it('DeleteOrganizationalUnit refuses an OU with children and deletes an empty one', () => {
    const busy = index.org.ous.find((o) => index.children.get(o.id)!.accounts.length > 0)!;
    expect(
      errorOf(() => writes.organizations('DeleteOrganizationalUnit', { OrganizationalUnitId: busy.id })).code,
    ).toBe('OrganizationalUnitNotEmptyException');
    const created = writes.organizations('CreateOrganizationalUnit', { ParentId: root(), Name: 'Empty' }) as {
      OrganizationalUnit: { Id: string };
    };
    writes.organizations('DeleteOrganizationalUnit', { OrganizationalUnitId: created.OrganizationalUnit.Id });
    expect(index.targetTypes.has(created.OrganizationalUnit.Id)).toBe(false);
    expect(index.org.associations.has(created.OrganizationalUnit.Id)).toBe(false);
    expect(
      errorOf(() =>
        writes.organizations('DeleteOrganizationalUnit', { OrganizationalUnitId: created.OrganizationalUnit.Id }),
      ).code,
    ).toBe('OrganizationalUnitNotFoundException');
    expect(events.map((e) => e.detail.eventName)).toEqual(['CreateOrganizationalUnit', 'DeleteOrganizationalUnit']);
  });

  it('CreateAccount answers IN_PROGRESS; the account joins under the root later, with a CreateAccountResult', () => {
    setUp({ createAccountMs: 3_000, associationSettleMs: 1_000 });
    const out = writes.organizations('CreateAccount', { Email: 'new@example.com', AccountName: 'new-one' }) as {
      CreateAccountStatus: { Id: string; State: string };
    };
    expect(out.CreateAccountStatus).toMatchObject({ State: 'IN_PROGRESS', AccountName: 'new-one' });
    expect(events.map((e) => e.detail.eventName)).toEqual(['CreateAccount']);
    expect(events[0].detail.requestParameters).toEqual({
      email: 'HIDDEN_DUE_TO_SECURITY_REASONS',
      accountName: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    });
    const before = index.org.accounts.length;
    clock += 2_999;
    writes.settleDue();
    expect(index.org.accounts).toHaveLength(before);
    clock += 1;
    writes.settleDue();
    const created = index.org.accounts.at(-1)!;
    expect(created).toMatchObject({ name: 'new-one', parentId: root(), status: 'ACTIVE', joinedMethod: 'CREATED' });
    expect(association(created.id)).toMatchObject({ associationType: 'INHERITED', associationStatus: 'PENDING' });
    const result = events[1];
    expect(result['detail-type']).toBe('AWS Service Event via CloudTrail');
    expect(result.detail).toMatchObject({
      eventName: 'CreateAccountResult',
      eventType: 'AwsServiceEvent',
      eventTime: '2026-12-06T08:00:03Z',
      serviceEventDetails: {
        createAccountStatus: {
          id: out.CreateAccountStatus.Id,
          state: 'SUCCEEDED',
          accountId: created.id,
          accountName: 'new-one',
        },
      },
    });
  });

  it('RemoveAccountFromOrganization and CloseAccount', () => {
    const [gone, closed] = index.org.accounts.filter(
      (a) => a.status === 'ACTIVE' && a.id !== index.org.organization.managementAccountId,
    );
    writes.organizations('RemoveAccountFromOrganization', { AccountId: gone.id });
    expect(index.targetTypes.has(gone.id)).toBe(false);
    expect(index.org.associations.has(gone.id)).toBe(false);
    const mgmt = index.org.organization.managementAccountId;
    expect(errorOf(() => writes.organizations('RemoveAccountFromOrganization', { AccountId: mgmt })).code).toBe(
      'MasterCannotLeaveOrganizationException',
    );

    writes.organizations('CloseAccount', { AccountId: closed.id });
    expect(index.org.accounts.find((a) => a.id === closed.id)!.status).toBe('PENDING_CLOSURE');
    expect(errorOf(() => writes.organizations('CloseAccount', { AccountId: closed.id })).code).toBe(
      'AccountAlreadyClosedException',
    );
    expect(errorOf(() => writes.organizations('CloseAccount', { AccountId: mgmt })).fields.Reason).toBe(
      'CANNOT_CLOSE_MANAGEMENT_ACCOUNT',
    );
    clock += 10_000;
    writes.settleDue();
    expect(index.org.accounts.find((a) => a.id === closed.id)!.status).toBe('SUSPENDED');
    expect(events.map((e) => e.detail.eventName)).toEqual(['RemoveAccountFromOrganization', 'CloseAccount']);
  });
});

describe('Security Hub writes', () => {
  it('an association on an OU sends its inheriting subtree PENDING, then SUCCESS or FAILED', () => {
    const ou = index.org.ous.find((o) => index.children.get(o.id)!.accounts.length >= 2)!;
    const [failing] = index.children
      .get(ou.id)!
      .accounts.filter((a) => association(a.id)?.associationType !== 'APPLIED');
    setUp({ failAssociationsFor: new Set([failing.id]), associationFailureMessage: 'no role' });
    const out = writes.securityHub('StartConfigurationPolicyAssociation', {
      ConfigurationPolicyIdentifier: policy(2),
      Target: { OrganizationalUnitId: ou.id },
    });
    expect(out).toMatchObject({ TargetId: ou.id, AssociationType: 'APPLIED', AssociationStatus: 'PENDING' });
    const inheriting = index.children
      .get(ou.id)!
      .accounts.filter((a) => association(a.id).associationType === 'INHERITED');
    for (const a of inheriting)
      expect(association(a.id)).toMatchObject({ configurationPolicyId: policy(2), associationStatus: 'PENDING' });
    clock += 999;
    writes.settleDue();
    expect(association(ou.id).associationStatus).toBe('PENDING');
    clock += 1;
    writes.settleDue();
    expect(association(ou.id).associationStatus).toBe('SUCCESS');
    expect(association(failing.id)).toMatchObject({ associationStatus: 'FAILED', associationStatusMessage: 'no role' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: 'aws.securityhub', 'detail-type': 'AWS API Call via CloudTrail' });
    expect(events[0].detail.requestParameters).toEqual({
      configurationPolicyIdentifier: policy(2),
      target: { organizationalUnitId: ou.id },
    });
  });

  it('disassociation makes the target inherit again; only a directly applied policy can be disassociated', () => {
    const account = accountUnder(root());
    writes.securityHub('StartConfigurationPolicyAssociation', {
      ConfigurationPolicyIdentifier: SELF_MANAGED,
      Target: { AccountId: account.id },
    });
    expect(
      errorOf(() =>
        writes.securityHub('StartConfigurationPolicyDisassociation', {
          ConfigurationPolicyIdentifier: policy(0),
          Target: { AccountId: account.id },
        }),
      ).code,
    ).toBe('InvalidInputException');
    writes.securityHub('StartConfigurationPolicyDisassociation', {
      ConfigurationPolicyIdentifier: SELF_MANAGED,
      Target: { AccountId: account.id },
    });
    expect(association(account.id)).toMatchObject({
      associationType: 'INHERITED',
      configurationPolicyId: writes.associations.effectivePolicyOf(root()),
    });
    expect(events.map((e) => e.detail.eventName)).toEqual([
      'StartConfigurationPolicyAssociation',
      'StartConfigurationPolicyDisassociation',
    ]);
    expect(
      errorOf(() =>
        writes.securityHub('StartConfigurationPolicyAssociation', {
          ConfigurationPolicyIdentifier: 'nope',
          Target: { AccountId: account.id },
        }),
      ).code,
    ).toBe('ResourceNotFoundException');
  });

  it('UpdateConfigurationPolicy sends every target with the policy PENDING', () => {
    const withPolicy = [...index.org.associations.values()]
      .filter((a) => a.configurationPolicyId === policy(0))
      .map((a) => a.targetId);
    const out = writes.securityHub('UpdateConfigurationPolicy', { Identifier: policy(0), Name: 'renamed' });
    expect(out).toMatchObject({ Id: policy(0), Name: 'renamed' });
    expect(withPolicy.length).toBeGreaterThan(0);
    for (const id of withPolicy) expect(association(id).associationStatus).toBe('PENDING');
    expect(index.org.policies[0].name).toBe('renamed');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ region: 'us-east-1', account: index.org.organization.managementAccountId });
  });
});

describe('events', () => {
  it('match the re-check rules and carry the clock time and the configured accounts', () => {
    setUp({ auditAccountId: '222222222222', homeRegion: 'eu-west-1', managementAccountId: '111111111111' });
    clock = Date.UTC(2026, 11, 6, 9, 30, 15, 250);
    writes.securityHub('StartConfigurationPolicyAssociation', {
      ConfigurationPolicyIdentifier: policy(0),
      Target: { RootId: root() },
    });
    writes.organizations('CreateOrganizationalUnit', { ParentId: root(), Name: 'X' });
    const [sh, orgs] = events;
    const sp = securityHubChangePattern('222222222222');
    expect(sh).toMatchObject({ account: '222222222222', region: 'eu-west-1', time: '2026-12-06T09:30:15Z' });
    expect([
      sp.source.includes(sh.source),
      sp['detail-type'].includes(sh['detail-type']),
      sp.detail.eventName.includes(sh.detail.eventName as never),
    ]).toEqual([true, true, true]);
    const op = organizationsChangePattern('111111111111');
    expect(orgs).toMatchObject({ account: '111111111111', region: 'us-east-1' });
    expect(op.detail.eventName.includes(orgs.detail.eventName as never)).toBe(true);
    expect(orgs.detail).toMatchObject({
      eventType: 'AwsApiCall',
      readOnly: false,
      eventID: orgs.id,
      recipientAccountId: '111111111111',
    });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('leave the caller organization untouched', () => {
    writes.organizations('CreateOrganizationalUnit', { ParentId: root(), Name: 'Y' });
    expect(SOURCE.ous).toHaveLength(6);
    expect(index.org.ous).toHaveLength(7);
  });
});
