import {
  activeFindingOfRow,
  ASFF_LIMITS,
  closingFinding,
  driftFinding,
  findingId,
  FINDING_TYPE,
  productArn,
  type FindingContext,
} from '../../../../lambdas/audit/findings/asff-finding';
import { findingProblem } from '../../../emulator/findings-store';
import { row } from '../report/row-fixtures';
import { isDisplaySafe } from '../../../support/is-display-safe';

const CTX: FindingContext = {
  accountId: '999988887777',
  region: 'eu-west-1',
  partition: 'aws',
  runId: '20261126T020000Z',
  auditedAt: '2026-11-26T02:00:00.000Z',
  reportKey: 'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
};
const P1 = '11111111-1111-4111-8111-111111111111';
const P2 = '22222222-2222-4222-8222-222222222222';

const failedAccount = row({
  target_id: '111122223333',
  target_name: 'payments-prod',
  ou_path: 'r-ab12/ou-ab12-11111111',
  configuration_policy_id: P2,
  association_type: 'INHERITED',
  association_status: 'FAILED',
  association_status_message: 'Security Hub is not enabled',
  expected_policy_id: P2,
  baseline_policy_id: P1,
  drift: true,
  drift_reasons: ['FAILED', 'BASELINE_MISMATCH'],
  audit_result: 'DRIFT',
  first_drift_seen: '2026-11-20T02:00:00.000Z',
});

describe('driftFinding', () => {
  const f = driftFinding(failedAccount, CTX);

  it("goes to the account's own product with a stable id per target", () => {
    expect(f.ProductArn).toBe('arn:aws:securityhub:eu-west-1:999988887777:product/999988887777/default');
    expect(f.ProductArn).toBe(productArn(CTX));
    expect(f.AwsAccountId).toBe('999988887777');
    expect(f.Id).toBe(findingId('111122223333'));
    expect(driftFinding({ ...failedAccount, drift_reasons: ['FAILED'] }, { ...CTX, runId: 'other' }).Id).toBe(f.Id);
    expect(f.UpdatedAt).toBe(CTX.auditedAt);
  });

  it('is created with CreatedAt equal to UpdatedAt, observed from the first drift to this run', () => {
    expect(f.CreatedAt).toBe(f.UpdatedAt);
    expect(f.FirstObservedAt).toBe('2026-11-20T02:00:00.000Z');
    expect(f.LastObservedAt).toBe(failedAccount.audited_at);
  });

  it('moves UpdatedAt strictly past what Security Hub holds, keeping CreatedAt and the first observation', () => {
    const stored = {
      ...activeFindingOfRow(failedAccount),
      createdAt: '2026-11-19T02:00:00Z',
      updatedAt: '2026-11-26T02:00:00.000123456Z',
      firstObservedAt: '2026-11-19T02:00:00Z',
    };
    const again = driftFinding(failedAccount, CTX, stored);
    expect(again.UpdatedAt).toBe('2026-11-26T02:00:00.001Z');
    expect(again.CreatedAt).toBe('2026-11-19T02:00:00Z');
    expect(again.FirstObservedAt).toBe('2026-11-19T02:00:00Z');
    // A later publish time wins over the run time (a retry, or a re-run of an older night).
    expect(driftFinding(failedAccount, { ...CTX, sentAt: '2026-11-27T08:00:00.000Z' }).UpdatedAt).toBe(
      '2026-11-27T08:00:00.000Z',
    );
  });

  it('is an active, failed compliance finding with provider severity and types only', () => {
    expect(f.Compliance).toEqual({ Status: 'FAILED' });
    expect(f.RecordState).toBe('ACTIVE');
    expect(f.FindingProviderFields).toEqual({
      Severity: { Label: 'HIGH', Original: 'FAILED,BASELINE_MISMATCH' },
      Types: [FINDING_TYPE],
    });
    for (const customerOwned of ['Workflow', 'Note', 'UserDefinedFields', 'VerificationState', 'Severity', 'Types']) {
      expect(f).not.toHaveProperty(customerOwned);
    }
  });

  it('names the policies, the path, the status message, the run and the report', () => {
    expect(f.Title).toBe(
      'Configuration policy drift on account 111122223333 (payments-prod): FAILED, BASELINE_MISMATCH',
    );
    expect(f.Description).toContain(
      `Expected policy ${P1} (inherited from its parent: ${P2}); actual policy ${P2} (INHERITED, FAILED)`,
    );
    expect(f.Description).toContain('r-ab12/ou-ab12-11111111');
    expect(f.Description).toContain('Status message: Security Hub is not enabled.');
    expect(f.Description).toContain(`Run ${CTX.runId}, report ${CTX.reportKey}.`);
    expect(f.Remediation?.Recommendation?.Text).toMatch(/^FAILED: .*BASELINE_MISMATCH: /);
    expect(f.ProductFields).toMatchObject({ 'ConfigAudit/RunId': CTX.runId, 'ConfigAudit/ReportKey': CTX.reportKey });
  });

  it('uses the account as resource, and an Other resource with the id for roots and OUs', () => {
    expect(f.Resources).toEqual([
      { Type: 'AwsAccount', Id: 'AWS::::Account:111122223333', Partition: 'aws', Region: 'eu-west-1' },
    ]);
    const ou = driftFinding(
      { ...failedAccount, target_id: 'ou-ab12-11111111', target_type: 'ORGANIZATIONAL_UNIT' },
      CTX,
    );
    expect(ou.Resources?.[0]).toMatchObject({
      Type: 'Other',
      Id: 'ou-ab12-11111111',
      Details: { Other: { TargetType: 'ORGANIZATIONAL_UNIT', OuPath: 'r-ab12/ou-ab12-11111111' } },
    });
  });

  it.each([
    [['PENDING_STALE'], 'MEDIUM'],
    [['INHERITANCE_MISMATCH'], 'MEDIUM'],
    [['UNPROCESSED'], 'LOW'],
    [['MISSING'], 'LOW'],
    [['MISSING', 'BASELINE_MISMATCH'], 'MEDIUM'],
  ] as const)('rates %j as %s', (reasons, label) => {
    expect(
      driftFinding({ ...failedAccount, drift_reasons: [...reasons] }, CTX).FindingProviderFields?.Severity?.Label,
    ).toBe(label);
  });

  it('escapes and bounds values from outside to the ASFF limits', () => {
    const hostile = driftFinding(
      {
        ...failedAccount,
        target_name: `evil\u202e\u001b[2J${'n'.repeat(5000)}`,
        association_status_message: `line1\nline2${'m'.repeat(10_000)}`,
        error_code: 'E'.repeat(3000),
        error_reason: 'r'.repeat(3000),
      },
      CTX,
    );
    expect(hostile.Title!.length).toBeLessThanOrEqual(ASFF_LIMITS.title);
    expect(hostile.Description!.length).toBeLessThanOrEqual(ASFF_LIMITS.description);
    expect(isDisplaySafe(hostile.Title!)).toBe(true);
    expect(isDisplaySafe(hostile.Description!)).toBe(true);
    expect(hostile.Description).toContain('\\x0a');
    for (const value of Object.values(hostile.ProductFields!)) expect(value.length).toBeLessThanOrEqual(2048);
    expect(findingProblem(hostile)).toBeNull();
  });
});

describe('closingFinding', () => {
  it('archives a resolved target as PASSED', () => {
    const now = row({ target_id: '111122223333', configuration_policy_id: P1, association_status: 'SUCCESS' });
    const stored = { ...activeFindingOfRow(failedAccount), createdAt: '2026-11-20T02:00:00.000Z' };
    const f = closingFinding({ ...stored, updatedAt: '2026-11-26T02:00:00.000Z' }, now, CTX);
    expect(f.Id).toBe(findingId('111122223333'));
    expect(f).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });
    expect(f.CreatedAt).toBe('2026-11-20T02:00:00.000Z');
    expect(f.UpdatedAt).toBe('2026-11-26T02:00:00.001Z');
    expect(f.FirstObservedAt).toBe(failedAccount.first_drift_seen);
    expect(f.Title).toMatch(/^Configuration policy drift resolved on account 111122223333/);
    expect(f).not.toHaveProperty('Workflow');
    expect(findingProblem(f)).toBeNull();
  });

  it('says when an exclusion covers the drift instead', () => {
    const now = {
      ...failedAccount,
      drift: false,
      audit_result: 'EXCLUDED' as const,
      excluded_reason: 'Migration CHG-1234',
      exclusion_expires: '2026-12-31',
    };
    const f = closingFinding(activeFindingOfRow(failedAccount), now, CTX);
    expect(f).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'WARNING' } });
    expect(f.Title).toMatch(/drift excluded on/);
    expect(f.Description).toContain('is excluded until 2026-12-31: Migration CHG-1234');
    expect(f.Description).toContain('accepted, not fixed');
  });

  it('closes the finding of a target that left the organization', () => {
    const f = closingFinding(activeFindingOfRow(failedAccount), null, CTX, failedAccount);
    expect(f).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'NOT_AVAILABLE' } });
    expect(f.Description).toContain('payments-prod');
    expect(f.Description).toContain('left the organization');
  });

  it('closes a finding known only from Security Hub, describing the target by its id', () => {
    const ou = {
      ...activeFindingOfRow(failedAccount),
      targetId: 'ou-ab12-11111111',
      targetType: 'ORGANIZATIONAL_UNIT' as const,
    };
    const f = closingFinding({ ...ou, id: findingId(ou.targetId) }, null, CTX);
    expect(f.Id).toBe(findingId('ou-ab12-11111111'));
    expect(f.Description).toMatch(/^OU ou-ab12-11111111 left the organization\./);
    expect(f.Resources).toEqual([
      {
        Partition: 'aws',
        Region: 'eu-west-1',
        Type: 'Other',
        Id: 'ou-ab12-11111111',
        Details: { Other: { TargetType: 'ORGANIZATIONAL_UNIT' } },
      },
    ]);
    expect(findingProblem(f)).toBeNull();
  });
});
