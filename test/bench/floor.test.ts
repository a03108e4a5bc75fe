import {
  auditFloor,
  containerShapes,
  floorSeconds,
  oneInvocationBudget,
  organizationsPagesUpperBound,
  organizationsMinimum,
  pages,
  securityHubMinimum,
  serviceFloor,
} from './floor';

describe('pages', () => {
  it('charges one call for an empty listing and one per 20 items otherwise', () => {
    expect([0, 1, 20, 21, 40, 41].map((n) => pages(n))).toEqual([1, 1, 1, 2, 2, 3]);
  });
});

describe('organizationsMinimum', () => {
  it('adds one ListRoots page, account pages for every container and OU pages above depth 5', () => {
    const minimum = organizationsMinimum([
      { depth: 0, accounts: 45, ous: 3 }, // 3 account pages + 1 OU page
      { depth: 1, accounts: 0, ous: 21 }, // 1 + 2
      { depth: 4, accounts: 20, ous: 0 }, // 1 + 1
      { depth: 5, accounts: 5, ous: 0 }, // 1, no OU listing at the nesting limit
    ]);
    expect(minimum).toEqual({ ListRoots: 1, ListAccountsForParent: 6, ListOrganizationalUnitsForParent: 4, total: 11 });
  });
});

describe('containerShapes', () => {
  it('counts direct children of every root and OU', () => {
    const shapes = containerShapes({
      roots: [{ id: 'r-1', arn: '', name: 'Root' }],
      ous: [
        { id: 'ou-a', arn: '', name: 'a', parentId: 'r-1', depth: 1 },
        { id: 'ou-b', arn: '', name: 'b', parentId: 'ou-a', depth: 2 },
      ],
      accounts: ['r-1', 'ou-b', 'ou-b'].map((parentId, i) => ({
        id: String(i),
        arn: '',
        name: '',
        email: '',
        parentId,
        status: 'ACTIVE' as const,
        joinedMethod: 'CREATED' as const,
        joinedTimestamp: 0,
      })),
    });
    expect(shapes).toEqual([
      { depth: 0, accounts: 1, ous: 1 },
      { depth: 1, accounts: 0, ous: 1 },
      { depth: 2, accounts: 2, ous: 0 },
    ]);
  });
});

describe('securityHubMinimum', () => {
  it('counts the first pass and one round per remaining attempt, packed into groups', () => {
    // 1,000 targets in groups of 50: 20 calls. 120 targets unprocessed: 60 once, 40 twice,
    // 20 three times -> rounds carry 120, 60 and 20 targets: 3 + 2 + 1 calls.
    const attempts = [...Array<number>(60).fill(1), ...Array<number>(40).fill(2), ...Array<number>(20).fill(3)];
    expect(securityHubMinimum(1000, attempts, 50, 5)).toEqual({ firstPass: 20, redriveRounds: [3, 2, 1], total: 26 });
  });

  it('stops at the rounds the audit allows, also for targets that never clear', () => {
    expect(securityHubMinimum(10, [Infinity, 1], 5, 2)).toEqual({ firstPass: 2, redriveRounds: [1, 1], total: 4 });
  });

  it('needs no re-drive without unprocessed targets', () => {
    expect(securityHubMinimum(101, [], 50, 5)).toEqual({ firstPass: 3, redriveRounds: [], total: 3 });
  });

  it('rejects a group size below 1', () => {
    expect(() => securityHubMinimum(1, [], 0, 1)).toThrow(RangeError);
  });
});

describe('floor seconds', () => {
  const quota = { ratePerSecond: 10, burst: 30 };

  it('lets the burst through at once and paces the rest at the rate', () => {
    expect(floorSeconds(25, quota)).toBe(0);
    expect(floorSeconds(30, quota)).toBe(0);
    expect(floorSeconds(130, quota)).toBe(10);
  });

  it('charges every injected 5xx as one more call', () => {
    expect(serviceFloor(128, 2, quota)).toEqual({ requiredCalls: 128, serverErrors: 2, minCalls: 130, seconds: 10 });
  });

  it('takes the slower service as the floor and reports the sum too', () => {
    const organizations = serviceFloor(410, 0, { ratePerSecond: 10, burst: 10 }); // 40 s
    const securityHub = serviceFloor(130, 0, quota); // 10 s
    expect(auditFloor(organizations, securityHub)).toEqual({ seconds: 40, sumSeconds: 50 });
  });
});

describe('organizationsPagesUpperBound', () => {
  it('bounds every shape of the same size', () => {
    // 45 accounts and 3 OUs: whichever way they hang, no more pages than this.
    const bound = organizationsPagesUpperBound({ accounts: 45, ous: 3, roots: 1 });
    // 1 ListRoots + ceil(45/20 + 4) + ceil(3/20 + 4) = 1 + 7 + 5
    expect(bound).toBe(13);
    const flat = organizationsMinimum([
      { depth: 0, accounts: 45, ous: 3 },
      { depth: 1, accounts: 0, ous: 0 },
      { depth: 1, accounts: 0, ous: 0 },
      { depth: 1, accounts: 0, ous: 0 },
    ]);
    expect(flat.total).toBeLessThanOrEqual(bound);
  });
});

describe('oneInvocationBudget', () => {
  const assumptions = {
    organizations: { ratePerSecond: 10, burst: 10 },
    securityHub: { ratePerSecond: 8, burst: 10 },
    groupSize: 50,
    invocationSeconds: 900,
    spareFraction: 0.2,
  };

  it('fits the largest organization the quotas allow when walk and fetch overlap, not when they follow each other', () => {
    const budget = oneInvocationBudget({ accounts: 50_000, ous: 2_000, roots: 1 }, assumptions);
    // 1 + ceil(2,500 + 2,001) + ceil(100 + 2,001) = 6,603 pages; (6,603 - 10) / 10 = 659.3 s.
    expect(budget.organizationsPages).toBe(6_603);
    expect(budget.organizationsSeconds).toBe(659.3);
    // 52,001 targets / 50 = 1,041 calls; (1,041 - 10) / 8 = 128.875 s.
    expect(budget.securityHubCalls).toBe(1_041);
    expect(budget.securityHubSeconds).toBe(128.875);
    expect(budget.pipelinedSeconds).toBe(659.3);
    expect(budget.budgetSeconds).toBe(720);
    expect(budget.fitsPipelined).toBe(true);
    expect(budget.spare).toBeCloseTo(0.267, 3);
    expect(budget.sequentialSeconds).toBe(788.175);
    expect(budget.fitsSequential).toBe(false);
  });

  it('does not fit the old beyond-quota stress shape (10,000 OUs)', () => {
    const budget = oneInvocationBudget({ accounts: 50_000, ous: 10_000, roots: 1 }, assumptions);
    expect(budget.fitsPipelined).toBe(false);
  });
});
