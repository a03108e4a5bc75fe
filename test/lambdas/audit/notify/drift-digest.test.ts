import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { buildDriftDigest } from '../../../../lambdas/audit/notify/drift-digest';
import { MAX_SNS_MESSAGE_BYTES, snsMessage, snsMessageBytes } from '../../../../lambdas/audit/notify/sns-message';
import { row, summaryWith } from '../report/row-fixtures';
import type { DriftDigest as Digest } from '../../../../lambdas/audit/types/digest';

const LOCATION = 's3://audit-reports/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz';
const HTML = 's3://audit-reports/reports/dt=2026-11-26/20261126T020000Z.html';
const options = { maxTargets: 20, reportLocation: LOCATION };

const newDrift = (
  id: string,
  reasons: AssociationRow['drift_reasons'] = ['FAILED'],
  values: Partial<AssociationRow> = {},
) =>
  row({
    target_id: id,
    drift: true,
    drift_reasons: reasons,
    audit_result: 'DRIFT',
    changes: ['NEW_DRIFT'],
    ou_path: 'r-ab12/ou-ab12-11111111',
    ...values,
  });
const resolved = (id: string) => row({ target_id: id, changes: ['RESOLVED'] });
const listedIds = (digest: Digest) =>
  digest.message
    .split('\n')
    .filter((l) => l.startsWith('- '))
    .map((l) => /\(([^)]+)\), /.exec(l)?.[1] ?? l.slice(2).split(',')[0]);

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

  it('lists only new and resolved targets, new first, in row order', () => {
    const summary = summaryWith({ new_drift: 1, resolved_drift: 1 });
    const changedOnly = row({ target_id: '999999999999', changes: ['CHANGED'] });
    const digest = buildDriftDigest(
      summary,
      [resolved('333333333333'), changedOnly, newDrift('111111111111', ['FAILED', 'BASELINE_MISMATCH'])],
      options,
    )!;
    expect(listedIds(digest)).toEqual(['111111111111', '333333333333']);
    expect(digest.message).not.toContain('999999999999');
    expect(digest.message).not.toContain('more');
    expect(digest.message).toContain('New drift (1)');
    expect(digest.message).toContain('Resolved (1)');
    expect(digest.message).toContain('    Reasons:  FAILED, BASELINE_MISMATCH');
  });

  it('lists the first N changed targets and counts the rest, exactly when some are left out', () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => newDrift(String(100000000000 + i)));
    const digestOf = (n: number) =>
      buildDriftDigest(summaryWith({ new_drift: n, resolved_drift: 0 }), rows(n), { ...options, maxTargets: 3 })!;
    expect(listedIds(digestOf(7))).toEqual(['100000000000', '100000000001', '100000000002']);
    expect(digestOf(7).message).toContain('  ... and 4 more (see the report)');
    expect(digestOf(3).message).not.toContain('more');
    expect(digestOf(4).message).toContain('  ... and 1 more');
    expect(digestOf(7).chat.content.description).toContain('… and 4 more');
  });

  it('with maxTargets 0 lists none and counts them all', () => {
    const digest = buildDriftDigest(
      summaryWith({ new_drift: 2, resolved_drift: 0 }),
      [newDrift('111111111111'), newDrift('222222222222')],
      { ...options, maxTargets: 0 },
    )!;
    expect(digest.message).not.toContain('111111111111');
    expect(digest.message).toContain('  ... and 2 more');
    expect(digest.chat.metadata.relatedResources).toEqual([]);
  });

  it('keeps the whole SNS message under 256 KB however many targets are configured, counting the rest', () => {
    const huge = 'x'.repeat(5000);
    const rows = Array.from({ length: 3000 }, (_, i) =>
      newDrift(String(100000000000 + i), ['FAILED'], { target_name: huge, association_status_message: huge }),
    );
    const digest = buildDriftDigest(summaryWith({ new_drift: 3000, resolved_drift: 0 }), rows, {
      ...options,
      maxTargets: 3000,
    })!;
    expect(snsMessageBytes(digest)).toBeLessThanOrEqual(MAX_SNS_MESSAGE_BYTES);
    expect(Buffer.byteLength(snsMessage(digest))).toBeLessThan(262_144);
    const shown = listedIds(digest).length;
    expect(shown).toBeGreaterThan(100);
    expect(digest.message).toContain(`... and ${3000 - shown} more`);
  });

  it('names both reports in the e-mail and the chat next steps', () => {
    const digest = buildDriftDigest(summaryWith({ new_drift: 1, resolved_drift: 0 }), [newDrift('111111111111')], {
      ...options,
      htmlReportLocation: HTML,
    })!;
    expect(digest.message).toContain(`Report:      ${LOCATION}`);
    expect(digest.message).toContain(`HTML report: ${HTML}`);
    expect(digest.chat.content.nextSteps.join('\n')).toContain(HTML.replace(/_/g, '_'));
  });
});
