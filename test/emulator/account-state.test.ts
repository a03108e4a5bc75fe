import { ACCOUNT_STATES } from '../../lambdas/audit/model';
import { validateFaults, legacyAccountStatus } from './emulator-faults';
import { generateOrganization } from './generate-organization';
import { GenerateOrganizationError } from './generator-options';

const NOW = Date.UTC(2026, 10, 30);

describe('account states in the generated organization', () => {
  it('produces every Organizations account state in exact counts', () => {
    const org = generateOrganization({
      seed: 5,
      now: NOW,
      accounts: 100,
      suspendedFraction: 0.05,
      pendingClosureFraction: 0.03,
      closedFraction: 0.04,
      pendingActivationFraction: 0.02,
    });
    const count = (s: string) => org.accounts.filter((a) => a.status === s).length;
    expect(count('SUSPENDED')).toBe(5);
    expect(count('PENDING_CLOSURE')).toBe(3);
    expect(count('CLOSED')).toBe(4);
    expect(count('PENDING_ACTIVATION')).toBe(2);
    expect(count('ACTIVE')).toBe(86);
    expect(new Set(org.accounts.map((a) => a.status))).toEqual(new Set(ACCOUNT_STATES));
    expect(org.accounts[0].status).toBe('ACTIVE');
  });

  it('keeps the SUSPENDED and PENDING_CLOSURE accounts of a seed when the newer states are added', () => {
    const base = { seed: 9, now: NOW, accounts: 80, suspendedFraction: 0.1, pendingClosureFraction: 0.05 };
    const before = generateOrganization(base);
    const after = generateOrganization({ ...base, closedFraction: 0.1 });
    const ids = (org: typeof before, s: string) => org.accounts.filter((a) => a.status === s).map((a) => a.id);
    expect(ids(after, 'SUSPENDED')).toEqual(ids(before, 'SUSPENDED'));
    expect(ids(after, 'PENDING_CLOSURE')).toEqual(ids(before, 'PENDING_CLOSURE'));
    expect(ids(after, 'CLOSED')).toHaveLength(8);
  });

  it('refuses shares that do not fit', () => {
    expect(() => generateOrganization({ accounts: 10, closedFraction: 0.6, pendingActivationFraction: 0.6 })).toThrow(
      GenerateOrganizationError,
    );
    expect(() => generateOrganization({ accounts: 3, closedFraction: 0.9, suspendedFraction: 0 })).toThrow(
      /do not fit among 2 member accounts/,
    );
    expect(() => generateOrganization({ closedFraction: -0.1 })).toThrow(/closedFraction/);
  });
});

describe('legacyAccountStatus', () => {
  it('maps each state to the value the retired Status field used', () => {
    expect(legacyAccountStatus('ACTIVE')).toBe('ACTIVE');
    expect(legacyAccountStatus('SUSPENDED')).toBe('SUSPENDED');
    expect(legacyAccountStatus('PENDING_CLOSURE')).toBe('PENDING_CLOSURE');
    expect(legacyAccountStatus('CLOSED')).toBe('SUSPENDED');
    expect(legacyAccountStatus('PENDING_ACTIVATION')).toBeUndefined();
  });
});

describe('validateFaults: account status and batch-get refusals', () => {
  it('accepts the documented values', () => {
    expect(() => validateFaults({ organizations: { legacyAccountStatus: 'withState' } })).not.toThrow();
    expect(() => validateFaults({ organizations: { legacyAccountStatus: 'statusOnly' } })).not.toThrow();
    for (const batchGetError of ['ResourceNotFoundException', 'AccessDeniedException', 'InvalidAccessException']) {
      expect(() => validateFaults({ securityHub: { batchGetError: batchGetError as never } })).not.toThrow();
    }
  });

  it('rejects anything else, naming the setting', () => {
    expect(() => validateFaults({ organizations: { legacyAccountStatus: 'both' as never } })).toThrow(
      /organizations\.legacyAccountStatus/,
    );
    expect(() => validateFaults({ securityHub: { batchGetError: 'ThrottlingException' as never } })).toThrow(
      /securityHub\.batchGetError must be one of ResourceNotFoundException, AccessDeniedException, InvalidAccessException/,
    );
  });
});
