import { InvariantError } from '../../../../lambdas/audit/errors';
import { latestKeys, reportKeys } from '../../../../lambdas/audit/store/report-store';
import { normalizeReportPrefix } from '../../../../lambdas/audit/input-validators';

describe('reportKeys', () => {
  it('lays out the run below an empty prefix', () => {
    expect(reportKeys('', '20261126T020000Z', '2026-11-26')).toEqual({
      associations: 'associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
      run: 'runs/dt=2026-11-26/20261126T020000Z.json',
      html: 'html/dt=2026-11-26/20261126T020000Z.html',
      latestRun: 'latest/run.json',
    });
  });

  it.each(['x/y', 'x/y/', '/x/y//', 'x/y///'])('normalises the prefix %p to x/y/', (given) => {
    const prefix = normalizeReportPrefix(given);
    expect(prefix).toBe('x/y/');
    expect(reportKeys(prefix, '20261126T020304Z-manual-abcdef', '2026-11-26')).toEqual({
      associations: 'x/y/associations/dt=2026-11-26/20261126T020304Z-manual-abcdef.jsonl.gz',
      run: 'x/y/runs/dt=2026-11-26/20261126T020304Z-manual-abcdef.json',
      html: 'x/y/html/dt=2026-11-26/20261126T020304Z-manual-abcdef.html',
      latestRun: 'x/y/latest/run.json',
    });
    expect(latestKeys(prefix)).toEqual({ latestRun: 'x/y/latest/run.json' });
  });

  it('keeps an empty or all-slash prefix empty', () => {
    expect(normalizeReportPrefix('')).toBe('');
    expect(normalizeReportPrefix('///')).toBe('');
  });

  it('rejects a bad dt or a run id that could leave its folder', () => {
    expect(() => reportKeys('', '20261126T020000Z', '2026/11/26')).toThrow(InvariantError);
    expect(() => reportKeys('', '20261126T020000Z', '2026/11/26')).toThrow(/dt must be YYYY-MM-DD/);
    expect(() => reportKeys('', '../x', '2026-11-26')).toThrow(/unsafe run id/);
    expect(() => reportKeys('', '', '2026-11-26')).toThrow(/unsafe run id/);
  });
});
