import type { ConfigurationPolicyAssociationSummary } from '@aws-sdk/client-securityhub';
import {
  capServiceText,
  malformation,
  MAX_SERVICE_TEXT_LENGTH,
  readAnswer,
  toIdentifier,
} from '../../../../lambdas/audit/securityhub/association-answers';

const ACCOUNT = { id: '111111111111', type: 'ACCOUNT' as const };
const OTHER = { id: '222222222222', type: 'ACCOUNT' as const };
const POLICY = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

function summary(extra: Partial<ConfigurationPolicyAssociationSummary> = {}): ConfigurationPolicyAssociationSummary {
  return {
    TargetId: ACCOUNT.id,
    TargetType: 'ACCOUNT',
    ConfigurationPolicyId: POLICY,
    AssociationType: 'APPLIED',
    AssociationStatus: 'SUCCESS',
    UpdatedAt: new Date('2026-11-25T10:00:00Z'),
    ...extra,
  };
}

describe('capServiceText', () => {
  it('keeps text up to the cap and cuts longer text with an ellipsis', () => {
    const exact = 'x'.repeat(MAX_SERVICE_TEXT_LENGTH);
    expect(capServiceText(exact)).toBe(exact);
    expect(capServiceText(`${exact}y`)).toBe(`${exact}…`);
    expect(capServiceText(null)).toBeNull();
    expect(capServiceText(undefined)).toBeNull();
  });

  it('never cuts a surrogate pair in half', () => {
    const text = `${'x'.repeat(MAX_SERVICE_TEXT_LENGTH - 1)}😀tail`;
    const capped = capServiceText(text)!;
    expect(capped).toBe(`${'x'.repeat(MAX_SERVICE_TEXT_LENGTH - 1)}…`);
  });
});

describe('toIdentifier', () => {
  it('uses the Target member of the target type', () => {
    expect(toIdentifier({ id: 'r-ab12', type: 'ROOT' })).toEqual({ Target: { RootId: 'r-ab12' } });
    expect(toIdentifier({ id: 'ou-ab12-11111111', type: 'ORGANIZATIONAL_UNIT' })).toEqual({
      Target: { OrganizationalUnitId: 'ou-ab12-11111111' },
    });
    expect(toIdentifier(ACCOUNT)).toEqual({ Target: { AccountId: ACCOUNT.id } });
  });
});

describe('malformation', () => {
  it('accepts a UUID policy id in any case, and SELF_MANAGED_SECURITY_HUB', () => {
    expect(malformation(ACCOUNT, summary())).toBeNull();
    expect(malformation(ACCOUNT, summary({ ConfigurationPolicyId: POLICY.toUpperCase() }))).toBeNull();
    expect(malformation(ACCOUNT, summary({ ConfigurationPolicyId: 'SELF_MANAGED_SECURITY_HUB' }))).toBeNull();
  });

  it.each([
    ['not-a-policy', 'ConfigurationPolicyId "not-a-policy"'],
    ['SELF_MANAGED', 'ConfigurationPolicyId "SELF_MANAGED"'],
    ['', 'ConfigurationPolicyId ""'],
    [`${POLICY}\n`, 'ConfigurationPolicyId "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\\n"'],
  ])('rejects policy id %j', (policyId, problem) => {
    expect(malformation(ACCOUNT, summary({ ConfigurationPolicyId: policyId }))).toBe(
      `Unreadable association: ${problem}`,
    );
  });

  it('lists every problem of one summary', () => {
    expect(
      malformation(
        ACCOUNT,
        summary({ AssociationStatus: undefined, AssociationType: 'X' as never, TargetType: 'ROOT' }),
      ),
    ).toBe(
      'Unreadable association: AssociationStatus absent, AssociationType "X", TargetType "ROOT" for a target asked for as ACCOUNT',
    );
  });
});

describe('readAnswer', () => {
  it('maps a readable summary to an association with capped status message and ISO UpdatedAt', () => {
    const long = 'm'.repeat(MAX_SERVICE_TEXT_LENGTH + 10);
    const outcomes = readAnswer([ACCOUNT], {
      ConfigurationPolicyAssociations: [summary({ AssociationStatusMessage: long })],
    });
    expect(outcomes.get(ACCOUNT.id)).toEqual({
      kind: 'FOUND',
      association: {
        targetId: ACCOUNT.id,
        configurationPolicyId: POLICY,
        associationType: 'APPLIED',
        associationStatus: 'SUCCESS',
        associationStatusMessage: `${'m'.repeat(MAX_SERVICE_TEXT_LENGTH)}…`,
        updatedAt: '2026-11-25T10:00:00.000Z',
      },
    });
  });

  it('turns an unreadable summary into MALFORMED_RESPONSE', () => {
    const outcomes = readAnswer([ACCOUNT], {
      ConfigurationPolicyAssociations: [summary({ ConfigurationPolicyId: 'policy-1' })],
    });
    expect(outcomes.get(ACCOUNT.id)).toEqual({
      kind: 'UNPROCESSED',
      errorCode: 'MALFORMED_RESPONSE',
      errorReason: 'Unreadable association: ConfigurationPolicyId "policy-1"',
    });
  });

  it('keeps unprocessed entries with capped code and reason, and lets an association win', () => {
    const reason = 'r'.repeat(5000);
    const outcomes = readAnswer([ACCOUNT, OTHER], {
      ConfigurationPolicyAssociations: [summary()],
      UnprocessedConfigurationPolicyAssociations: [
        { ConfigurationPolicyAssociationIdentifiers: { Target: { AccountId: ACCOUNT.id } }, ErrorCode: '500' },
        {
          ConfigurationPolicyAssociationIdentifiers: { Target: { AccountId: OTHER.id } },
          ErrorCode: '429',
          ErrorReason: reason,
        },
      ],
    });
    expect(outcomes.get(ACCOUNT.id)?.kind).toBe('FOUND');
    expect(outcomes.get(OTHER.id)).toEqual({
      kind: 'UNPROCESSED',
      errorCode: '429',
      errorReason: `${'r'.repeat(MAX_SERVICE_TEXT_LENGTH)}…`,
    });
  });

  it('ignores entries it cannot attribute to a target of the call, and leaves unmentioned targets out', () => {
    const outcomes = readAnswer([ACCOUNT, OTHER], {
      ConfigurationPolicyAssociations: [summary({ TargetId: '999999999999' }), summary({ TargetId: undefined })],
      UnprocessedConfigurationPolicyAssociations: [{ ErrorCode: '500' }],
    });
    expect(outcomes.size).toBe(0);
  });
});
