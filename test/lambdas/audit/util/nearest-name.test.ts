import { nearestName } from '../../../../lambdas/audit/util/nearest-name';

const OPTIONS = ['bucket', 'prefix', 'out-dir', 'baseline', 'exclusions', 'format', 'json', 'quiet', 'list'];

describe('nearestName', () => {
  it.each([
    ['fromat', 'format'],
    ['outdir', 'out-dir'],
    ['exclusion', 'exclusions'],
    ['BASELINE', 'baseline'],
    ['jsno', 'json'],
    ['scheduelCron', 'scheduleCron'],
  ])('suggests the name a typo of %j was meant to be', (typo, meant) => {
    expect(nearestName(typo, [...OPTIONS, 'scheduleCron', 'scheduleEnabled'])).toBe(meant);
  });

  it('suggests nothing when no name is close', () => {
    expect(nearestName('verbose', OPTIONS)).toBeUndefined();
    expect(nearestName('x', [])).toBeUndefined();
  });

  it('allows more edits in a long name: a third of its length', () => {
    expect(nearestName('organisations-roll-arn', ['organizations-role-arn'])).toBe('organizations-role-arn');
    expect(nearestName('abcdefghi', ['abcxyzghi'])).toBe('abcxyzghi');
    expect(nearestName('abcdefghi', ['abwxyzghi'])).toBeUndefined();
  });

  it('prefers the earlier name on a tie', () => {
    expect(nearestName('lost', ['list', 'last'])).toBe('list');
  });
});
