import {
  compareWorstFirst,
  fixCommand,
  severityOf,
  type FixableRow,
} from '../../../../lambdas/audit/drift/reason-guide';
import { SELF_MANAGED, type DriftReason } from '../../../../lambdas/audit/model';

const P1 = '11111111-1111-4111-8111-111111111111';
const P2 = '22222222-2222-4222-8222-222222222222';

const ranked = (
  id: string,
  reasons: DriftReason[],
  extra: { drift?: boolean; isNew?: boolean; path?: string } = {},
) => ({
  target_id: id,
  drift: extra.drift ?? reasons.length > 0,
  drift_reasons: reasons,
  changes: extra.isNew ? ['NEW_DRIFT'] : [],
  ou_path: extra.path ?? 'r-ab12',
});

describe('compareWorstFirst', () => {
  it('orders drifted rows by severity, then new drift, then reason, then path; the rest after', () => {
    const rows = [
      ranked('a', [], { drift: false }),
      ranked('b', ['MISSING']),
      ranked('c', ['BASELINE_MISMATCH']),
      ranked('d', ['BASELINE_MISMATCH'], { isNew: true }),
      ranked('e', ['PENDING_STALE']),
      ranked('f', ['FAILED'], { path: 'r-ab12/ou-ab12-22222222' }),
      ranked('g', ['FAILED'], { path: 'r-ab12/ou-ab12-11111111' }),
      ranked('h', ['FAILED'], { drift: false }),
    ];
    expect(rows.sort(compareWorstFirst).map((r) => r.target_id)).toEqual(['g', 'f', 'd', 'e', 'c', 'b', 'h', 'a']);
  });

  it('never hides a new FAILED target behind others', () => {
    const rows = [
      ...Array.from({ length: 30 }, (_, i) => ranked(`x${i}`, ['BASELINE_MISMATCH'], { isNew: true })),
      ranked('fail', ['FAILED'], { isNew: true }),
    ];
    expect(rows.sort(compareWorstFirst)[0]?.target_id).toBe('fail');
  });
});

describe('severityOf', () => {
  it('takes the highest severity of the reasons', () => {
    expect(severityOf(['MISSING', 'FAILED'])).toBe('HIGH');
    expect(severityOf(['MISSING', 'INHERITANCE_MISMATCH'])).toBe('MEDIUM');
    expect(severityOf(['UNPROCESSED'])).toBe('LOW');
  });
});

describe('fixCommand', () => {
  const base: FixableRow = {
    target_id: '111122223333',
    target_type: 'ACCOUNT',
    drift_reasons: ['FAILED'],
    association_type: 'APPLIED',
    configuration_policy_id: P1,
    expected_policy_id: P1,
    baseline_policy_id: null,
  };

  it('starts the failed association again with the policy the target should have', () => {
    expect(fixCommand(base)).toBe(
      `aws securityhub start-configuration-policy-association --configuration-policy-identifier ${P1} --target '{"AccountId":"111122223333"}'`,
    );
  });

  it('associates the baseline policy, naming the target by its type', () => {
    const ou = { ...base, target_id: 'ou-ab12-11111111', target_type: 'ORGANIZATIONAL_UNIT' as const };
    expect(
      fixCommand({ ...ou, drift_reasons: ['BASELINE_MISMATCH'], baseline_policy_id: P2, expected_policy_id: P1 }),
    ).toBe(
      `aws securityhub start-configuration-policy-association --configuration-policy-identifier ${P2} --target '{"OrganizationalUnitId":"ou-ab12-11111111"}'`,
    );
    expect(
      fixCommand({ ...base, target_id: 'r-ab12', target_type: 'ROOT', baseline_policy_id: SELF_MANAGED }),
    ).toContain(`--configuration-policy-identifier ${SELF_MANAGED} --target '{"RootId":"r-ab12"}'`);
  });

  it('disassociates a policy of its own when the desired one is what the target would inherit', () => {
    expect(
      fixCommand({
        ...base,
        drift_reasons: ['BASELINE_MISMATCH'],
        configuration_policy_id: P2,
        baseline_policy_id: P1,
      }),
    ).toBe(
      `aws securityhub start-configuration-policy-disassociation --configuration-policy-identifier ${P2} --target '{"AccountId":"111122223333"}'`,
    );
  });

  it('offers nothing when the state is unknown, the desired policy is, or a value could break out of the command', () => {
    expect(fixCommand({ ...base, drift_reasons: ['UNPROCESSED', 'MISSING'] })).toBeNull();
    expect(fixCommand({ ...base, configuration_policy_id: null, expected_policy_id: null })).toBeNull();
    expect(fixCommand({ ...base, expected_policy_id: "x'; rm -rf / #" })).toBeNull();
    expect(fixCommand({ ...base, target_id: '1111$(id)' })).toBeNull();
  });
});
