import { recheckKeys, recheckStateKey } from '../../../../lambdas/audit/recheck/recheck-keys';
import { deriveRecheckId, recheckIdDate, runIdDate, RECHECK_ID_PATTERN } from '../../../../lambdas/audit/report/run-id';
import { InvariantError, ReportFormatError, RunIdError } from '../../../../lambdas/audit/errors';
import { encodeRows, parseRows } from '../../../../lambdas/audit/report/rows';
import { recheckRow } from './recheck-fixtures';

describe('re-check ids', () => {
  it('name the start time and a random suffix, and are never run ids', () => {
    const id = deriveRecheckId(Date.parse('2026-12-06T08:30:05.123Z'), () => 0.5);
    expect(id).toBe('recheck-20261206T083005Z-800000');
    expect(id).toMatch(RECHECK_ID_PATTERN);
    expect(recheckIdDate(id)).toBe('2026-12-06');
    expect(runIdDate(id)).toBeNull();
    expect(recheckIdDate('20261206T083005Z')).toBeNull();
  });

  it('refuse a clock that is not a number', () => {
    expect(() => deriveRecheckId(Number.NaN, () => 0)).toThrow(RunIdError);
  });
});

describe('recheckKeys', () => {
  it('files a re-check under recheck/, partitioned by the date its id encodes', () => {
    expect(recheckKeys('audit/', 'recheck-20261206T083005Z-00ff00')).toEqual({
      associations: 'audit/recheck/associations/dt=2026-12-06/recheck-20261206T083005Z-00ff00.jsonl.gz',
      run: 'audit/recheck/runs/dt=2026-12-06/recheck-20261206T083005Z-00ff00.json',
    });
    expect(recheckStateKey('audit/')).toBe('audit/recheck/state.json');
  });

  it.each(['../latest/run', '20261206T083005Z', 'recheck-20261206T083005Z-00ff00/../x', '.recheck', ''])(
    'refuses %j, which could escape its folder or pass for a run',
    (id) => {
      expect(() => recheckKeys('audit/', id)).toThrow(InvariantError);
    },
  );
});

describe('re-check rows', () => {
  it('read back under the report row parser, which still refuses ids that are neither a run nor a re-check', () => {
    const rows = [recheckRow('111111111111', ['FAILED'])];
    expect(parseRows(encodeRows(rows).body)).toEqual(rows);
    const forged = [recheckRow('111111111111', [], { run_id: 'recheck-../../latest' })];
    expect(() => parseRows(encodeRows(forged).body)).toThrow(ReportFormatError);
  });
});
