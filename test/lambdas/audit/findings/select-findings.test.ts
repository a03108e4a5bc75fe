import { findingId, type FindingContext } from '../../../../lambdas/audit/findings/asff-finding';
import { selectFindings, type SelectionInput } from '../../../../lambdas/audit/findings/select-findings';
import type { ActiveFinding, ActiveFindingsRead } from '../../../../lambdas/audit/types/findings';
import { row } from '../report/row-fixtures';

const CTX: FindingContext = {
  accountId: '999988887777',
  region: 'us-east-1',
  partition: 'aws',
  runId: '20261127T020000Z',
  auditedAt: '2026-11-27T02:00:00.000Z',
  reportKey: 'associations/dt=2026-11-27/20261127T020000Z.jsonl.gz',
};
const drifted = (id: string) => row({ target_id: id, drift: true, drift_reasons: ['MISSING'], audit_result: 'DRIFT' });
const ok = (id: string) => row({ target_id: id });
const activeIn = (id: string): ActiveFinding => ({
  id: findingId(id),
  targetId: id,
  targetType: 'ACCOUNT',
  createdAt: '2026-11-20T02:00:00.000Z',
  updatedAt: '2026-11-26T02:00:00.000Z',
  firstObservedAt: '2026-11-20T02:00:00.000Z',
  lastObservedAt: '2026-11-26T02:00:00.000Z',
});
const read = (ids: string[], status: ActiveFindingsRead['status'] = 'COMPLETE'): ActiveFindingsRead => ({
  status,
  findings: ids.map(activeIn),
  apiCalls: 1,
  ignored: 0,
  reason: status === 'COMPLETE' ? null : 'GetFindings failed',
});
const select = (input: Partial<SelectionInput>) =>
  selectFindings({ rows: [], stored: read([]), previous: null, walkComplete: true, ...input }, CTX);
const summary = (out: ReturnType<typeof select>) =>
  out.findings.map((f) => [f.Id, f.RecordState, f.Compliance?.Status]);

describe('selectFindings', () => {
  it('leaves a finding a re-check updated after the run began reading: the run saw its target earlier', () => {
    // Stored findings were updated at 2026-11-26T02:00Z; this run began reading an hour before or after.
    const before = Date.parse('2026-11-26T01:00:00.000Z');
    const after = Date.parse('2026-11-26T03:00:00.000Z');
    const stored = read(['222222222222']);
    expect(select({ rows: [ok('222222222222')], stored, observedSince: before }).archived).toBe(0);
    expect(select({ rows: [ok('222222222222')], stored, observedSince: after }).archived).toBe(1);
  });

  it('sends every drifted target when Security Hub holds nothing, nothing for the rest', () => {
    const out = select({ rows: [drifted('111111111111'), ok('222222222222')] });
    expect(out.findings.map((f) => f.Id)).toEqual([findingId('111111111111')]);
    expect(out).toMatchObject({ active: 1, archived: 0 });
  });

  it('archives every ACTIVE finding in Security Hub whose target is not drifted now, whatever history says', () => {
    const excluded = { ...drifted('333333333333'), drift: false, audit_result: 'EXCLUDED' as const };
    const out = select({
      rows: [drifted('111111111111'), ok('222222222222'), excluded, ok('555555555555')],
      stored: read(['111111111111', '222222222222', '333333333333', '444444444444']),
      // History (trusted or not) says none of them was drifted: Security Hub wins.
      previous: [ok('111111111111'), ok('222222222222'), ok('333333333333')],
    });
    expect(summary(out)).toEqual([
      [findingId('111111111111'), 'ACTIVE', 'FAILED'],
      [findingId('222222222222'), 'ARCHIVED', 'PASSED'],
      [findingId('333333333333'), 'ARCHIVED', 'WARNING'],
      [findingId('444444444444'), 'ARCHIVED', 'NOT_AVAILABLE'],
    ]);
    expect(out).toMatchObject({ active: 1, archived: 3 });
  });

  it('updates a still drifted finding past its stored UpdatedAt, keeping its CreatedAt', () => {
    const out = select({ rows: [drifted('111111111111')], stored: read(['111111111111']) });
    expect(out.findings[0]).toMatchObject({
      CreatedAt: '2026-11-20T02:00:00.000Z',
      UpdatedAt: '2026-11-27T02:00:00.000Z',
      FirstObservedAt: '2026-11-20T02:00:00.000Z',
    });
  });

  it('does not archive a drifted target of the previous run when a complete read says it is archived already', () => {
    expect(select({ rows: [ok('111111111111')], previous: [drifted('111111111111')] }).findings).toEqual([]);
  });

  it("falls back on the trusted history's drifted targets when Security Hub could not be read in full", () => {
    const out = select({
      rows: [ok('111111111111'), ok('222222222222')],
      stored: read(['222222222222'], 'INCOMPLETE'),
      previous: [drifted('111111111111'), drifted('111111111111'), ok('222222222222')],
    });
    expect(summary(out)).toEqual([
      [findingId('222222222222'), 'ARCHIVED', 'PASSED'],
      [findingId('111111111111'), 'ARCHIVED', 'PASSED'],
    ]);
  });

  it('keeps the finding of a target missing from a partial walk: it is not known to be gone', () => {
    const out = select({ rows: [], stored: read(['111111111111']), walkComplete: false });
    expect(out.findings).toEqual([]);
  });
});
