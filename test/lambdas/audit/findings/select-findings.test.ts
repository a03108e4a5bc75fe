import { findingId, type FindingContext } from '../../../../lambdas/audit/findings/asff-finding';
import { selectFindings } from '../../../../lambdas/audit/findings/select-findings';
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

describe('selectFindings', () => {
  it('sends every drifted target on a first run, nothing for the rest', () => {
    const out = selectFindings([drifted('111111111111'), ok('222222222222')], null, CTX);
    expect(out.findings.map((f) => f.Id)).toEqual([findingId('111111111111')]);
    expect(out).toMatchObject({ active: 1, archived: 0 });
  });

  it('archives what was drifted before and is not now: resolved, excluded or gone', () => {
    const previous = [
      drifted('111111111111'),
      drifted('222222222222'),
      drifted('333333333333'),
      drifted('444444444444'),
      ok('555555555555'),
    ];
    const excluded = { ...drifted('333333333333'), drift: false, audit_result: 'EXCLUDED' as const };
    const rows = [drifted('111111111111'), ok('222222222222'), excluded, ok('555555555555')];
    const out = selectFindings(rows, previous, CTX);
    expect(out.findings.map((f) => [f.Id, f.RecordState, f.Compliance?.Status])).toEqual([
      [findingId('111111111111'), 'ACTIVE', 'FAILED'],
      [findingId('222222222222'), 'ARCHIVED', 'PASSED'],
      [findingId('333333333333'), 'ARCHIVED', 'WARNING'],
      [findingId('444444444444'), 'ARCHIVED', 'NOT_AVAILABLE'],
    ]);
    expect(out).toMatchObject({ active: 1, archived: 3 });
  });

  it('gives one finding per target even when the previous object lists a target twice', () => {
    const out = selectFindings([], [drifted('111111111111'), drifted('111111111111')], CTX);
    expect(out.findings).toHaveLength(1);
  });
});
