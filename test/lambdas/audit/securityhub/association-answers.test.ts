import type { ConfigurationPolicyAssociationSummary } from '@aws-sdk/client-securityhub';
import { MAX_CLOCK_SKEW_MS } from '../../../../lambdas/audit/report/run-id';
import { MAX_ID_LENGTH, MAX_SERVICE_TEXT_LENGTH } from '../../../../lambdas/audit/util/text-bounds';
import {
  capServiceText,
  malformation,
  readAnswer,
  toIdentifier,
} from '../../../../lambdas/audit/securityhub/association-answers';

const ACCOUNT = { id: '111111111111', type: 'ACCOUNT' as const };
const OTHER = { id: '222222222222', type: 'ACCOUNT' as const };
const POLICY = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
/** The clock: the day after the summaries' UpdatedAt. */
const NOW = Date.parse('2026-11-26T02:00:00Z');

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
  it('keeps text up to the cap and cuts longer text to exactly the cap, ellipsis included', () => {
    const exact = 'x'.repeat(MAX_SERVICE_TEXT_LENGTH);
    expect(capServiceText(exact)).toBe(exact);
    const cut = capServiceText(`${exact}y`)!;
    expect(cut).toBe(`${'x'.repeat(MAX_SERVICE_TEXT_LENGTH - 1)}…`);
    expect(cut).toHaveLength(MAX_SERVICE_TEXT_LENGTH);
    expect(capServiceText(null)).toBeNull();
    expect(capServiceText(undefined)).toBeNull();
  });

  it('never cuts a surrogate pair in half', () => {
    const text = `${'x'.repeat(MAX_SERVICE_TEXT_LENGTH - 2)}😀tail`;
    const capped = capServiceText(text)!;
    expect(capped).toBe(`${'x'.repeat(MAX_SERVICE_TEXT_LENGTH - 2)}…`);
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
    expect(malformation(ACCOUNT, summary(), NOW)).toBeNull();
    expect(malformation(ACCOUNT, summary({ ConfigurationPolicyId: POLICY.toUpperCase() }), NOW)).toBeNull();
    expect(malformation(ACCOUNT, summary({ ConfigurationPolicyId: 'SELF_MANAGED_SECURITY_HUB' }), NOW)).toBeNull();
  });

  it.each([
    ['not-a-policy', 'ConfigurationPolicyId "not-a-policy"'],
    ['SELF_MANAGED', 'ConfigurationPolicyId "SELF_MANAGED"'],
    ['', 'ConfigurationPolicyId ""'],
    [`${POLICY}\n`, 'ConfigurationPolicyId "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\\n"'],
  ])('rejects policy id %j', (policyId, problem) => {
    expect(malformation(ACCOUNT, summary({ ConfigurationPolicyId: policyId }), NOW)).toBe(
      `Unreadable association: ${problem}`,
    );
  });

  it('lists every problem of one summary', () => {
    expect(
      malformation(
        ACCOUNT,
        summary({ AssociationStatus: undefined, AssociationType: 'X' as never, TargetType: 'ROOT' }),
        NOW,
      ),
    ).toBe(
      'Unreadable association: AssociationStatus absent, AssociationType "X", TargetType "ROOT" for a target asked for as ACCOUNT',
    );
  });

  it('accepts an UpdatedAt up to the clock-skew bound ahead of the clock, and an absent one', () => {
    const inSkew = new Date(NOW + MAX_CLOCK_SKEW_MS);
    expect(malformation(ACCOUNT, summary({ UpdatedAt: inSkew }), NOW)).toBeNull();
    expect(malformation(ACCOUNT, summary({ UpdatedAt: undefined }), NOW)).toBeNull();
  });

  it.each([
    ['beyond the clock-skew bound', new Date(NOW + MAX_CLOCK_SKEW_MS + 1), 'is in the future'],
    ['in 9999', new Date('9999-12-31T00:00:00Z'), 'is in the future'],
    ['in year 10000', new Date(Date.UTC(10_000, 0, 1)), 'not a usable time'],
    ['before year 0', new Date(Date.UTC(-1, 0, 1)), 'not a usable time'],
    ['not a date', new Date(Number.NaN), 'not a usable time'],
  ])('rejects an UpdatedAt %s', (_, updatedAt, problem) => {
    expect(malformation(ACCOUNT, summary({ UpdatedAt: updatedAt }), NOW)).toContain(problem);
  });
});

describe('readAnswer', () => {
  it('maps a readable summary to an association with capped status message and ISO UpdatedAt', () => {
    const long = 'm'.repeat(MAX_SERVICE_TEXT_LENGTH + 10);
    const outcomes = readAnswer(
      [ACCOUNT],
      {
        ConfigurationPolicyAssociations: [summary({ AssociationStatusMessage: long })],
      },
      NOW,
    );
    expect(outcomes.get(ACCOUNT.id)).toEqual({
      kind: 'FOUND',
      association: {
        targetId: ACCOUNT.id,
        configurationPolicyId: POLICY,
        associationType: 'APPLIED',
        associationStatus: 'SUCCESS',
        associationStatusMessage: `${'m'.repeat(MAX_SERVICE_TEXT_LENGTH - 1)}…`,
        updatedAt: '2026-11-25T10:00:00.000Z',
      },
    });
  });

  it('turns an unreadable summary into MALFORMED_RESPONSE', () => {
    const outcomes = readAnswer(
      [ACCOUNT],
      {
        ConfigurationPolicyAssociations: [summary({ ConfigurationPolicyId: 'policy-1' })],
      },
      NOW,
    );
    expect(outcomes.get(ACCOUNT.id)).toEqual({
      kind: 'UNPROCESSED',
      errorCode: 'MALFORMED_RESPONSE',
      errorReason: 'Unreadable association: ConfigurationPolicyId "policy-1"',
    });
  });

  it('keeps unprocessed entries with code and reason cut to their bounds', () => {
    const reason = 'r'.repeat(5000);
    const code = `E${'c'.repeat(299)}`;
    const outcomes = readAnswer(
      [OTHER],
      {
        UnprocessedConfigurationPolicyAssociations: [
          {
            ConfigurationPolicyAssociationIdentifiers: { Target: { AccountId: OTHER.id } },
            ErrorCode: code,
            ErrorReason: reason,
          },
        ],
      },
      NOW,
    );
    expect(outcomes.get(OTHER.id)).toEqual({
      kind: 'UNPROCESSED',
      errorCode: `${code.slice(0, MAX_ID_LENGTH - 1)}…`,
      errorReason: `${'r'.repeat(MAX_SERVICE_TEXT_LENGTH - 1)}…`,
    });
  });

  it('lower-cases an upper-case policy UUID from the service', () => {
    const outcomes = readAnswer(
      [ACCOUNT],
      { ConfigurationPolicyAssociations: [summary({ ConfigurationPolicyId: POLICY.toUpperCase() })] },
      NOW,
    );
    const outcome = outcomes.get(ACCOUNT.id);
    expect(outcome?.kind === 'FOUND' && outcome.association.configurationPolicyId).toBe(POLICY);
  });

  it('counts a target listed twice with the same content once', () => {
    const outcomes = readAnswer([ACCOUNT], { ConfigurationPolicyAssociations: [summary(), summary()] }, NOW);
    expect(outcomes.get(ACCOUNT.id)?.kind).toBe('FOUND');
  });

  const unprocessed500 = {
    ConfigurationPolicyAssociationIdentifiers: { Target: { AccountId: ACCOUNT.id } },
    ErrorCode: '500',
  };
  it.each([
    [
      'two different associations',
      { ConfigurationPolicyAssociations: [summary(), summary({ AssociationStatus: 'FAILED' })] },
    ],
    [
      'an association, then a different one',
      { ConfigurationPolicyAssociations: [summary({ AssociationType: 'INHERITED' }), summary()] },
    ],
    [
      'an association and an unprocessed entry',
      { ConfigurationPolicyAssociations: [summary()], UnprocessedConfigurationPolicyAssociations: [unprocessed500] },
    ],
    [
      'two different unprocessed entries',
      { UnprocessedConfigurationPolicyAssociations: [unprocessed500, { ...unprocessed500, ErrorCode: '429' }] },
    ],
  ])('makes a target with %s not definite (MALFORMED_RESPONSE)', (_, answer) => {
    const outcome = readAnswer([ACCOUNT], answer, NOW).get(ACCOUNT.id);
    expect(outcome).toMatchObject({ kind: 'UNPROCESSED', errorCode: 'MALFORMED_RESPONSE' });
  });

  it('ignores entries it cannot attribute to a target of the call, and leaves unmentioned targets out', () => {
    const outcomes = readAnswer(
      [ACCOUNT, OTHER],
      {
        ConfigurationPolicyAssociations: [summary({ TargetId: '999999999999' }), summary({ TargetId: undefined })],
        UnprocessedConfigurationPolicyAssociations: [{ ErrorCode: '500' }],
      },
      NOW,
    );
    expect(outcomes.size).toBe(0);
  });
});
