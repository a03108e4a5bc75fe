import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { buildDriftDigest } from '../../../../lambdas/audit/notify/drift-digest';
import { row, summaryWith } from '../report/row-fixtures';

const LOCATION = 's3://audit-reports/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz';
const options = { maxTargets: 20, reportLocation: LOCATION };

const newDrift = (id: string, reasons: AssociationRow['drift_reasons'] = ['FAILED']) =>
  row({
    target_id: id,
    drift: true,
    drift_reasons: reasons,
    audit_result: 'DRIFT',
    changes: ['NEW_DRIFT'],
    ou_path: 'r-ab12/ou-ab12-11111111',
  });
const resolved = (id: string) => row({ target_id: id, changes: ['RESOLVED'] });

describe('buildDriftDigest', () => {
  it('returns null when nothing changed, even with drift still present', () => {
    const summary = summaryWith({ new_drift: 0, resolved_drift: 0, drifted: 5 });
    const stillDrifted = row({
      target_id: '111111111111',
      drift: true,
      drift_reasons: ['FAILED'],
      audit_result: 'DRIFT',
      changes: ['CHANGED'],
    });
    expect(buildDriftDigest(summary, [stillDrifted], options)).toBeNull();
  });

  it('sends a digest when only resolved drift changed', () => {
    const summary = summaryWith({ new_drift: 0, resolved_drift: 1 });
    expect(buildDriftDigest(summary, [resolved('111111111111')], options)).not.toBeNull();
  });

  it('states the counts in the subject and body, and points to the report', () => {
    const summary = summaryWith({
      new_drift: 2,
      resolved_drift: 1,
      drifted: 5,
      status_failed: 3,
      targets_reported: 7,
      run_status: 'INCOMPLETE',
    });
    const digest = buildDriftDigest(
      summary,
      [newDrift('111111111111'), newDrift('222222222222'), resolved('333333333333')],
      options,
    )!;
    expect(digest.subject).toBe('Security Hub config drift: 2 new, 1 resolved');
    const lines = digest.message.split('\n');
    expect(lines[0]).toBe(`Security Hub configuration audit ${summary.run_id} (INCOMPLETE)`);
    expect(lines[2]).toBe('New drift: 2   Resolved: 1   Drifted now: 5   FAILED: 3   Targets: 7');
    expect(lines.at(-1)).toBe(`Report: ${LOCATION}`);
  });

  it('lists only new and resolved targets, labelled, with reasons and OU path, in row order', () => {
    const summary = summaryWith({ new_drift: 1, resolved_drift: 1 });
    const changedOnly = row({ target_id: '999999999999', changes: ['CHANGED'] });
    const digest = buildDriftDigest(
      summary,
      [newDrift('111111111111', ['FAILED', 'BASELINE_MISMATCH']), changedOnly, resolved('333333333333')],
      options,
    )!;
    const listed = digest.message.split('\n').filter((l) => l.startsWith('  '));
    expect(listed).toEqual([
      '  NEW      ACCOUNT             111111111111  FAILED,BASELINE_MISMATCH  (r-ab12/ou-ab12-11111111)',
      '  RESOLVED ACCOUNT             333333333333  no drift  (r-ab12)',
    ]);
    expect(digest.message).not.toContain('999999999999');
    expect(digest.message).not.toContain('more');
  });

  it('lists the first N changed targets and counts the rest', () => {
    const rows = Array.from({ length: 7 }, (_, i) => newDrift(String(100000000000 + i)));
    const digest = buildDriftDigest(summaryWith({ new_drift: 7, resolved_drift: 0 }), rows, {
      ...options,
      maxTargets: 3,
    })!;
    const listed = digest.message.split('\n').filter((l) => l.startsWith('  '));
    expect(listed).toHaveLength(4);
    expect(listed.slice(0, 3).map((l) => l.split(/\s+/)[3])).toEqual(['100000000000', '100000000001', '100000000002']);
    expect(listed[3]).toBe('  … and 4 more');
  });

  it('adds the count line exactly when something is left out', () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => newDrift(String(100000000000 + i)));
    const digestOf = (n: number) =>
      buildDriftDigest(summaryWith({ new_drift: n, resolved_drift: 0 }), rows(n), { ...options, maxTargets: 3 })!;
    expect(digestOf(3).message).not.toContain('more');
    expect(digestOf(4).message).toContain('  … and 1 more');
  });

  it('with maxTargets 0 lists none and counts them all', () => {
    const digest = buildDriftDigest(
      summaryWith({ new_drift: 2, resolved_drift: 0 }),
      [newDrift('111111111111'), newDrift('222222222222')],
      {
        ...options,
        maxTargets: 0,
      },
    )!;
    expect(digest.message).not.toContain('111111111111');
    expect(digest.message).toContain('  … and 2 more');
  });

  it("keeps the subject under SNS's limit (fewer than 100 characters) for the largest counts", () => {
    const max = 2_147_483_647;
    const digest = buildDriftDigest(summaryWith({ new_drift: max, resolved_drift: max }), [], options)!;
    expect(digest.subject).toBe(`Security Hub config drift: ${max} new, ${max} resolved`);
    expect(digest.subject.length).toBeLessThan(100);
    expect(digest.subject).not.toMatch(/[\r\n]/);
  });
});
