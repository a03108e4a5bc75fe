import { BENCH_DEPTH, SCENARIOS } from './scenarios';
import { withinOrganizationsQuotas } from './quotas';

describe('bench scenarios', () => {
  it('label exactly the shapes the Organizations quotas forbid as stress tests', () => {
    for (const scenario of Object.values(SCENARIOS)) {
      expect([scenario.name, withinOrganizationsQuotas({ ...scenario, depth: BENCH_DEPTH })]).toEqual([
        scenario.name,
        scenario.withinQuotas,
      ]);
    }
  });

  it('include the largest organization the quotas allow', () => {
    expect(SCENARIOS['50k']).toMatchObject({ accounts: 50_000, ous: 2_000, withinQuotas: true, byDefault: false });
  });
});
