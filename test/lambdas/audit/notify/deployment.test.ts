/** Which deployment sent a digest, and subjects that drop detail whole instead of cutting a number. */
import { buildDriftDigest } from '../../../../lambdas/audit/notify/drift-digest';
import { deploymentLabel } from '../../../../lambdas/audit/notify/deployment-label';
import { MAX_SUBJECT_LENGTH } from '../../../../lambdas/audit/notify/digest-subject';
import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { row, summaryWith } from '../report/row-fixtures';

const deployment = { stackName: 'SecurityHubConfigAudit', accountId: '111122223333', region: 'eu-west-1' };
const LINK = 'https://s3.console.aws.amazon.com/s3/object/reports?region=eu-west-1&prefix=associations%2Fx.jsonl.gz';

const drifted = (id: string, reason: AssociationRow['drift_reasons'][number]) =>
  row({ target_id: id, drift: true, drift_reasons: [reason], audit_result: 'DRIFT', changes: ['NEW_DRIFT'] });

function digest(rows: AssociationRow[], counts: Parameters<typeof summaryWith>[0]) {
  return buildDriftDigest(summaryWith({ resolved_drift: 0, ...counts }), rows, {
    maxTargets: 20,
    reportLocation: LINK,
    deployment,
  })!;
}

describe('the deployment that sent it', () => {
  it('is named in full in the bodies and shortly in the subject', () => {
    const d = digest([drifted('111111111111', 'FAILED')], { new_drift: 1, run_status: 'COMPLETE' });
    expect(d.message).toContain('Sent by:    stack SecurityHubConfigAudit, account 111122223333, eu-west-1');
    expect(d.chat.content.description).toContain(
      'Sent by stack SecurityHubConfigAudit, account 111122223333, eu-west-1',
    );
    expect(d.subject).toMatch(/ \[111122223333 eu-west-1\]$/);
    // The report link is the https console link, not an s3:// key.
    expect(d.message).toContain(`Report:      ${LINK}`);
  });

  it('says nothing it does not know', () => {
    expect(deploymentLabel(undefined, 'full')).toBeUndefined();
    expect(deploymentLabel({}, 'short')).toBeUndefined();
    expect(deploymentLabel({ region: 'eu-west-1' }, 'full')).toBe('eu-west-1');
  });
});

describe('a long subject', () => {
  it('drops the reason counts, then the deployment, but never cuts a total mid-number', () => {
    const rows = [
      ...Array.from({ length: 6 }, (_, i) => drifted(`10000000000${i}`, 'FAILED')),
      ...Array.from({ length: 5 }, (_, i) => drifted(`20000000000${i}`, 'PENDING_STALE')),
      ...Array.from({ length: 4 }, (_, i) => drifted(`30000000000${i}`, 'INHERITANCE_MISMATCH')),
      ...Array.from({ length: 3 }, (_, i) => drifted(`40000000000${i}`, 'BASELINE_MISMATCH')),
    ];
    const d = digest(rows, {
      new_drift: 18,
      resolved_drift: 123_456,
      drifted: 987_654,
      status_failed: 876_543,
      run_status: 'INCOMPLETE',
      previous_run_status: 'UNTRUSTED',
    });
    expect(d.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(d.subject).toContain('987654 drifted, 876543 FAILED');
    expect(d.subject).toContain('123456 resolved');
    expect(d.subject.startsWith('[HISTORY UNTRUSTED] [INCOMPLETE] Drift: 18 new, 123456 resolved;')).toBe(true);
    expect(d.subject).not.toContain('...');
  });
});
