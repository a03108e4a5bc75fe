import { UnprocessedPlan } from './unprocessed-plan';

describe('UnprocessedPlan', () => {
  it('answers unprocessed for k attempts, then processes', () => {
    const plan = new UnprocessedPlan(
      [{ targetIds: ['111111111111'], attempts: 2, errorCode: '403', errorReason: 'Denied' }],
      1,
    );
    expect(plan.check('111111111111', 'ACCOUNT')).toEqual({ errorCode: '403', errorReason: 'Denied' });
    expect(plan.check('111111111111', 'ACCOUNT')).not.toBeNull();
    expect(plan.check('111111111111', 'ACCOUNT')).toBeNull();
    expect(plan.check('222222222222', 'ACCOUNT')).toBeNull();
  });

  it('keeps forever-targets unprocessed, with default code and reason', () => {
    const plan = new UnprocessedPlan([{ targetIds: ['r-abcd'], attempts: 'forever' }], 1);
    for (let i = 0; i < 20; i++)
      expect(plan.check('r-abcd', 'ROOT')).toEqual({ errorCode: '429', errorReason: 'Rate exceeded' });
  });

  it('selects a fraction deterministically per seed, limited to target types', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => String(100000000000 + i));
    const pick = (seed: number) => {
      const plan = new UnprocessedPlan([{ fraction: 0.25, attempts: 1, targetTypes: ['ACCOUNT'] }], seed);
      return ids.filter((id) => plan.ruleFor(id, 'ACCOUNT') !== null);
    };
    const a = pick(1);
    expect(a).toEqual(pick(1));
    expect(a).not.toEqual(pick(2));
    expect(a.length).toBeGreaterThan(400);
    expect(a.length).toBeLessThan(600);
    const plan = new UnprocessedPlan([{ fraction: 1, attempts: 1, targetTypes: ['ACCOUNT'] }], 1);
    expect(plan.ruleFor('ou-abcd-12345678', 'ORGANIZATIONAL_UNIT')).toBeNull();
  });

  it("draws each target's attempts from a range, deterministically per seed", () => {
    const ids = Array.from({ length: 300 }, (_, i) => String(100000000000 + i));
    const draws = (seed: number) => {
      const plan = new UnprocessedPlan([{ fraction: 1, attempts: { min: 1, max: 3 } }], seed);
      return ids.map((id) => plan.attemptsFor(id, 'ACCOUNT'));
    };
    const a = draws(1);
    expect(new Set(a)).toEqual(new Set([1, 2, 3]));
    expect(draws(1)).toEqual(a);
    expect(draws(2)).not.toEqual(a);

    const plan = new UnprocessedPlan([{ fraction: 1, attempts: { min: 1, max: 3 } }], 1);
    ids.slice(0, 30).forEach((id, i) => {
      for (let k = 0; k < (a[i] as number); k++) expect(plan.check(id, 'ACCOUNT')).not.toBeNull();
      expect(plan.check(id, 'ACCOUNT')).toBeNull();
    });
  });

  it('reports fixed attempts and null for unselected targets', () => {
    const plan = new UnprocessedPlan(
      [
        { targetIds: ['r-abcd'], attempts: 'forever' },
        { targetIds: ['r-efgh'], attempts: { min: 2, max: 2 } },
      ],
      1,
    );
    expect(plan.attemptsFor('r-abcd', 'ROOT')).toBe('forever');
    expect(plan.attemptsFor('r-efgh', 'ROOT')).toBe(2);
    expect(plan.attemptsFor('r-ijkl', 'ROOT')).toBeNull();
  });
});
