import { activateFaults } from './active-faults';
import { EmulatorConfigError, validateFaults, type EmulatorFaults } from './emulator-faults';
import { generateOrganization } from './generate-organization';
import { buildOrgIndex } from './org-index';

describe('validateFaults', () => {
  it('accepts no faults and every new fault in range', () => {
    expect(() => validateFaults({})).not.toThrow();
    expect(() =>
      validateFaults({
        organizations: {
          throttleStorm: { durationMs: 0 },
          dropConnectionFraction: 1,
          stall: { fraction: 0.5, ms: 100 },
          alwaysNextToken: true,
          invalidChildren: [{ parentId: 'r-abcd', type: 'ACCOUNT', id: '' }],
          malformedAccounts: [{ accountId: '111111111111', kind: 'unknownState' }],
        },
        securityHub: {
          throttleStorm: { durationMs: 3_000 },
          unprocessed: [
            { fraction: 0.02, attempts: { min: 1, max: 3 } },
            { targetIds: ['r-abcd'], attempts: { min: 0, max: 0 } },
          ],
          malformed: [{ targetIds: ['r-abcd'], kind: 'unknownTargetMember' }],
        },
      }),
    ).not.toThrow();
  });

  it.each<[string, EmulatorFaults]>([
    ['negative storm', { organizations: { throttleStorm: { durationMs: -1 } } }],
    ['endless storm', { securityHub: { throttleStorm: { durationMs: Infinity } } }],
    ['drop fraction above 1', { securityHub: { dropConnectionFraction: 1.5 } }],
    ['GetFindings quota without a burst', { securityHub: { getFindingsQuota: { ratePerSecond: 3, burst: 0 } } }],
    ['NaN drop fraction', { organizations: { dropConnectionFraction: NaN } }],
    ['stall fraction below 0', { organizations: { stall: { fraction: -0.1, ms: 10 } } }],
    ['negative stall', { securityHub: { stall: { fraction: 0.1, ms: -10 } } }],
    ['stall beyond setTimeout', { securityHub: { stall: { fraction: 0.1, ms: 2 ** 31 } } }],
    ['non-boolean alwaysNextToken', { organizations: { alwaysNextToken: 'yes' as unknown as boolean } }],
    ['range with min > max', { securityHub: { unprocessed: [{ fraction: 1, attempts: { min: 3, max: 1 } }] } }],
    ['range with negative min', { securityHub: { unprocessed: [{ fraction: 1, attempts: { min: -1, max: 1 } }] } }],
    ['range with fractions', { securityHub: { unprocessed: [{ fraction: 1, attempts: { min: 0.5, max: 1 } }] } }],
    ['unknown malformed kind', { securityHub: { malformed: [{ targetIds: ['r-abcd'], kind: 'bogus' as never }] } }],
    [
      'malformed without ids',
      { securityHub: { malformed: [{ targetIds: 'r-abcd' as never, kind: 'missingStatus' }] } },
    ],
    [
      'invalid child type',
      { organizations: { invalidChildren: [{ parentId: 'r-abcd', type: 'ROOT' as never, id: 'x' }] } },
    ],
    [
      'invalid child id not a string',
      { organizations: { invalidChildren: [{ parentId: 'r-abcd', type: 'ACCOUNT', id: 12 as never }] } },
    ],
    [
      'unknown account damage',
      { organizations: { malformedAccounts: [{ accountId: '111111111111', kind: 'missingEmail' as never }] } },
    ],
  ])('rejects %s', (_, faults) => {
    expect(() => validateFaults(faults)).toThrow(EmulatorConfigError);
  });
});

describe('activateFaults against the organization', () => {
  const org = generateOrganization({ seed: 5, accounts: 10, ous: 2, maxDepth: 1 });
  const index = buildOrgIndex(org);

  it.each<[string, EmulatorFaults]>([
    [
      'an invalid child under an unknown parent',
      { organizations: { invalidChildren: [{ parentId: 'r-zzzz', type: 'ACCOUNT', id: '1' }] } },
    ],
    [
      'a damaged account that is not an account',
      { organizations: { malformedAccounts: [{ accountId: org.roots[0].id, kind: 'missingId' }] } },
    ],
    [
      'a damaged target outside the organization',
      { securityHub: { malformed: [{ targetIds: ['999999999999'], kind: 'missingStatus' }] } },
    ],
  ])('rejects %s', (_, faults) => {
    expect(() => activateFaults(faults, index)).toThrow(EmulatorConfigError);
  });

  it('starts a storm at activation, on the given clock', () => {
    const active = activateFaults({ securityHub: { throttleStorm: { durationMs: 250 } } }, index, () => 1_000);
    expect(active.stormUntil).toEqual({ organizations: -Infinity, securityHub: 1_250 });
  });
});
