import {
  SELF_MANAGED,
  type Association,
  type Exclusion,
  type UnprocessedTarget,
} from '../../../../lambdas/audit/model';
import {
  evaluateDrift,
  isExclusionActive,
  type DriftInput,
  type TargetFinding,
} from '../../../../lambdas/audit/drift/drift-rules';
import {
  DEEP,
  L1,
  L2,
  L3,
  L4,
  P1,
  P2,
  P3,
  ROOT,
  TOP,
  assoc,
  deepOrg,
  mapOf,
  orgOf,
  unprocessedOf,
  cleanAssociations,
} from './fixtures';

const NOW = Date.parse('2026-11-26T02:00:00.000Z');
const DAY = 86_400_000;

function run(options: {
  associations?: Association[];
  replace?: Association[];
  drop?: string[];
  unprocessed?: UnprocessedTarget[];
  baseline?: Record<string, string>;
  exclusions?: Exclusion[];
  now?: number;
}): Map<string, TargetFinding> {
  const base = mapOf(options.associations ?? cleanAssociations());
  for (const a of options.replace ?? []) base.set(a.targetId, a);
  for (const id of options.drop ?? []) base.delete(id);
  const input: DriftInput = {
    org: deepOrg(),
    associations: base,
    unprocessed: mapOf(options.unprocessed ?? []),
    baseline: options.baseline ? new Map(Object.entries(options.baseline)) : undefined,
    exclusions: options.exclusions,
    now: options.now ?? NOW,
    pendingStaleMs: DAY,
  };
  return new Map(evaluateDrift(input).map((f) => [f.target.id, f]));
}

describe('evaluateDrift', () => {
  it('returns exactly one finding per org target, in org order, ignoring associations of unknown targets', () => {
    const org = deepOrg();
    const findings = evaluateDrift({
      org,
      associations: mapOf([...cleanAssociations(), assoc('999999999999', P1)]),
      unprocessed: new Map(),
      now: NOW,
      pendingStaleMs: DAY,
    });
    expect(findings.map((f) => f.target.id)).toEqual(org.targets.map((t) => t.id));
  });

  it('finds nothing in a clean organization', () => {
    const findings = run({});
    for (const finding of findings.values()) {
      expect(finding).toMatchObject({
        reasons: [],
        drift: false,
        result: 'OK',
        exclusion: null,
        unprocessed: null,
        baselinePolicyId: null,
      });
    }
    expect(findings.get(ROOT)?.expectedPolicyId).toBeNull();
    expect(findings.get(DEEP)?.expectedPolicyId).toBe(P1);
  });

  it('FAILED', () => {
    const f = run({ replace: [assoc(TOP, P1, 'INHERITED', 'FAILED', null, 'Access denied')] }).get(TOP)!;
    expect(f).toMatchObject({ reasons: ['FAILED'], drift: true, result: 'DRIFT' });
    expect(f.association?.associationStatusMessage).toBe('Access denied');
  });

  describe('PENDING_STALE', () => {
    const pending = (updatedAt: string | null) =>
      run({ replace: [assoc(TOP, P1, 'INHERITED', 'PENDING', updatedAt)] }).get(TOP)!;

    it('flags a PENDING older than the threshold', () => {
      expect(pending(new Date(NOW - DAY - 1).toISOString()).reasons).toEqual(['PENDING_STALE']);
    });
    it('does not flag a PENDING exactly at or within the threshold', () => {
      expect(pending(new Date(NOW - DAY).toISOString()).reasons).toEqual([]);
      expect(pending(new Date(NOW - 1000).toISOString()).result).toBe('OK');
    });
    it('counts a PENDING without (or with an unreadable) UpdatedAt as stale', () => {
      expect(pending(null).reasons).toEqual(['PENDING_STALE']);
      expect(pending('yesterday').reasons).toEqual(['PENDING_STALE']);
    });
    it('never flags SUCCESS for age', () => {
      expect(
        run({ replace: [assoc(TOP, P1, 'INHERITED', 'SUCCESS', '2020-01-01T00:00:00Z')] }).get(TOP)!.reasons,
      ).toEqual([]);
    });
  });

  it('UNPROCESSED keeps the error code and reason', () => {
    const f = run({ drop: [TOP], unprocessed: [unprocessedOf(TOP, 'AccessDeniedException', 'Not allowed')] }).get(TOP)!;
    expect(f).toMatchObject({ reasons: ['UNPROCESSED'], drift: true, result: 'DRIFT', association: null });
    expect(f.unprocessed).toMatchObject({ errorCode: 'AccessDeniedException', errorReason: 'Not allowed' });
  });

  it('an association wins over a stale unprocessed entry for the same target', () => {
    const f = run({ unprocessed: [unprocessedOf(TOP)] }).get(TOP)!;
    expect(f).toMatchObject({ reasons: [], unprocessed: null });
  });

  it('MISSING when the target is in neither map', () => {
    expect(run({ drop: [TOP] }).get(TOP)).toMatchObject({
      reasons: ['MISSING'],
      drift: true,
      association: null,
      unprocessed: null,
    });
  });

  describe('INHERITANCE_MISMATCH', () => {
    it('computes the expected policy through five levels', () => {
      // root APPLIED P1, L2 APPLIED P2: everything below L2 should inherit P2.
      const findings = run({
        replace: [assoc(L2, P2, 'APPLIED'), assoc(L3, P2), assoc(L4, P2), assoc(DEEP, P1)],
      });
      expect([L1, L2, L3, L4, DEEP].map((id) => findings.get(id)!.expectedPolicyId)).toEqual([P1, P1, P2, P2, P2]);
      expect(findings.get(DEEP)).toMatchObject({ reasons: ['INHERITANCE_MISMATCH'], result: 'DRIFT' });
      for (const id of [ROOT, L1, L2, L3, L4, TOP]) expect(findings.get(id)!.reasons).toEqual([]);
    });

    it('uses the computed chain, not what an out-of-line ancestor reports', () => {
      // L1 wrongly reports P2 as INHERITED; its children reporting P2 are out of line too.
      const findings = run({ replace: [assoc(L1, P2), assoc(L2, P2), assoc(L3, P1)] });
      expect(findings.get(L1)!.reasons).toEqual(['INHERITANCE_MISMATCH']);
      expect(findings.get(L2)!.reasons).toEqual(['INHERITANCE_MISMATCH']);
      expect(findings.get(L2)!.expectedPolicyId).toBe(P1);
      expect(findings.get(L3)!.reasons).toEqual([]);
    });

    it('never flags an APPLIED target, nor a root', () => {
      const findings = run({ replace: [assoc(ROOT, SELF_MANAGED, 'INHERITED'), assoc(L1, P3, 'APPLIED')] });
      expect(findings.get(ROOT)!.reasons).toEqual([]);
      expect(findings.get(L1)!.reasons).toEqual([]);
      // L2 inherits from L1's APPLIED P3 but reports P1.
      expect(findings.get(L2)).toMatchObject({ expectedPolicyId: P3, reasons: ['INHERITANCE_MISMATCH'] });
      // TOP inherits the root's self-managed default, but reports P1.
      expect(findings.get(TOP)).toMatchObject({ expectedPolicyId: SELF_MANAGED, reasons: ['INHERITANCE_MISMATCH'] });
    });

    it('does not flag below an ancestor whose state is unknown, but shows the best known expectation', () => {
      const findings = run({
        drop: [L2],
        unprocessed: [unprocessedOf(L2)],
        replace: [assoc(L3, P3), assoc(L4, P3), assoc(DEEP, P3)],
      });
      expect(findings.get(L2)!.reasons).toEqual(['UNPROCESSED']);
      for (const id of [L3, L4, DEEP]) {
        expect(findings.get(id)).toMatchObject({ expectedPolicyId: P1, reasons: [], result: 'OK' });
      }
    });

    it('becomes certain again below a known APPLIED target under an unknown one', () => {
      const findings = run({ drop: [L2], replace: [assoc(L3, P3, 'APPLIED'), assoc(L4, P3), assoc(DEEP, P1)] });
      expect(findings.get(L2)!.reasons).toEqual(['MISSING']);
      expect(findings.get(L4)!.reasons).toEqual([]);
      expect(findings.get(DEEP)).toMatchObject({ expectedPolicyId: P3, reasons: ['INHERITANCE_MISMATCH'] });
    });

    it('has no expectation at all when the root is unknown', () => {
      const findings = run({ drop: [ROOT], replace: [assoc(L1, P2), assoc(TOP, P3)] });
      expect(findings.get(ROOT)!.reasons).toEqual(['MISSING']);
      expect(findings.get(L1)).toMatchObject({ expectedPolicyId: null, reasons: [] });
      expect(findings.get(TOP)).toMatchObject({ expectedPolicyId: null, reasons: [] });
    });

    it('does not flag an INHERITED association without a policy id', () => {
      expect(run({ replace: [assoc(TOP, null)] }).get(TOP)!.reasons).toEqual([]);
    });
  });

  describe('BASELINE_MISMATCH', () => {
    it('inherits the desired policy from the nearest ancestor with an entry', () => {
      const findings = run({
        baseline: { [ROOT]: P1, [L2]: P2 },
        replace: [assoc(L2, P2, 'APPLIED'), assoc(L3, P2), assoc(L4, P2)],
      });
      expect([ROOT, L1, L2, L3, L4, DEEP, TOP].map((id) => findings.get(id)!.baselinePolicyId)).toEqual([
        P1,
        P1,
        P2,
        P2,
        P2,
        P2,
        P1,
      ]);
      // DEEP still reports P1 although it should have P2 both by the tree and by the baseline.
      expect(findings.get(DEEP)!.reasons).toEqual(['INHERITANCE_MISMATCH', 'BASELINE_MISMATCH']);
      for (const id of [ROOT, L1, L2, L3, L4, TOP]) expect(findings.get(id)!.reasons).toEqual([]);
    });

    it('flags a consistent tree that is not what the baseline wants', () => {
      const findings = run({ baseline: { [L3]: SELF_MANAGED } });
      expect(findings.get(L2)!.reasons).toEqual([]);
      for (const id of [L3, L4, DEEP])
        expect(findings.get(id)).toMatchObject({ baselinePolicyId: SELF_MANAGED, reasons: ['BASELINE_MISMATCH'] });
    });

    it('an account entry overrides its OU', () => {
      const findings = run({ baseline: { [ROOT]: P2, [TOP]: P1 } });
      expect(findings.get(TOP)).toMatchObject({ baselinePolicyId: P1, reasons: [] });
      expect(findings.get(DEEP)).toMatchObject({ baselinePolicyId: P2, reasons: ['BASELINE_MISMATCH'] });
    });

    it('does not flag targets whose state is unknown', () => {
      const findings = run({ baseline: { [ROOT]: P2 }, drop: [TOP, DEEP], unprocessed: [unprocessedOf(DEEP)] });
      expect(findings.get(TOP)).toMatchObject({ baselinePolicyId: P2, reasons: ['MISSING'] });
      expect(findings.get(DEEP)).toMatchObject({ baselinePolicyId: P2, reasons: ['UNPROCESSED'] });
    });

    it('leaves baselinePolicyId null without a baseline or an entry above the target', () => {
      expect(run({}).get(TOP)!.baselinePolicyId).toBeNull();
      expect(run({ baseline: { [L4]: P1 } }).get(TOP)!.baselinePolicyId).toBeNull();
    });
  });

  it('lists combined reasons in DRIFT_REASONS order', () => {
    const f = run({
      baseline: { [ROOT]: P1 },
      replace: [assoc(DEEP, P2, 'INHERITED', 'FAILED')],
    }).get(DEEP)!;
    expect(f.reasons).toEqual(['FAILED', 'INHERITANCE_MISMATCH', 'BASELINE_MISMATCH']);
    const g = run({ baseline: { [ROOT]: P1 }, replace: [assoc(TOP, P3, 'INHERITED', 'PENDING', null)] }).get(TOP)!;
    expect(g.reasons).toEqual(['PENDING_STALE', 'INHERITANCE_MISMATCH', 'BASELINE_MISMATCH']);
  });

  describe('exclusions', () => {
    const failedTop = [assoc(TOP, P1, 'INHERITED', 'FAILED')];
    const exclusion = (expires: string): Exclusion[] => [{ targetId: TOP, reason: 'Sandbox, CHG-42', expires }];

    it('an unexpired exclusion turns drift into EXCLUDED and keeps the reasons', () => {
      const f = run({ replace: failedTop, exclusions: exclusion('2026-12-31') }).get(TOP)!;
      expect(f).toMatchObject({
        reasons: ['FAILED'],
        drift: false,
        result: 'EXCLUDED',
        exclusion: { reason: 'Sandbox, CHG-42', expires: '2026-12-31', expired: false },
      });
    });

    it('applies through the whole expiry day (UTC) and not a millisecond longer', () => {
      const lastMoment = Date.parse('2026-11-26T23:59:59.999Z');
      expect(run({ replace: failedTop, exclusions: exclusion('2026-11-26'), now: lastMoment }).get(TOP)!.result).toBe(
        'EXCLUDED',
      );
      const nextDay = lastMoment + 1;
      const f = run({ replace: failedTop, exclusions: exclusion('2026-11-26'), now: nextDay }).get(TOP)!;
      expect(f).toMatchObject({
        result: 'DRIFT',
        drift: true,
        exclusion: { expired: true, reason: 'Sandbox, CHG-42', expires: '2026-11-26' },
      });
    });

    it('an expired exclusion covers nothing but is still shown', () => {
      const f = run({ replace: failedTop, exclusions: exclusion('2026-01-01') }).get(TOP)!;
      expect(f).toMatchObject({ reasons: ['FAILED'], drift: true, result: 'DRIFT', exclusion: { expired: true } });
    });

    it('an exclusion on a target without reasons leaves it OK but shown', () => {
      expect(run({ exclusions: exclusion('2026-12-31') }).get(TOP)).toMatchObject({
        result: 'OK',
        drift: false,
        exclusion: { reason: 'Sandbox, CHG-42', expired: false },
      });
      expect(run({ exclusions: exclusion('2020-12-31') }).get(TOP)).toMatchObject({
        result: 'OK',
        exclusion: { expired: true },
      });
    });

    it('covers only its own target, not descendants', () => {
      const findings = run({
        replace: [assoc(DEEP, P2)],
        exclusions: [{ targetId: L4, reason: 'r', expires: '2099-01-01' }],
      });
      expect(findings.get(DEEP)!.result).toBe('DRIFT');
    });

    it('isExclusionActive compares UTC dates inclusively', () => {
      expect(isExclusionActive('2026-11-26', Date.parse('2026-11-26T00:00:00Z'))).toBe(true);
      expect(isExclusionActive('2026-11-25', Date.parse('2026-11-26T00:00:00Z'))).toBe(false);
      // 23:30 on the 26th in UTC-05:00 is already the 27th in UTC.
      expect(isExclusionActive('2026-11-26', Date.parse('2026-11-26T23:30:00-05:00'))).toBe(false);
    });
  });

  it('copes with targets listed before their parents', () => {
    const org = orgOf([
      [DEEP, L1],
      [L1, ROOT],
      [ROOT, null],
    ]);
    const findings = evaluateDrift({
      org,
      associations: mapOf([assoc(ROOT, P1, 'APPLIED'), assoc(L1, P2, 'APPLIED'), assoc(DEEP, P1)]),
      unprocessed: new Map(),
      now: NOW,
      pendingStaleMs: DAY,
    });
    expect(findings.map((f) => [f.target.id, f.expectedPolicyId, f.reasons])).toEqual([
      [DEEP, P2, ['INHERITANCE_MISMATCH']],
      [L1, P1, []],
      [ROOT, null, []],
    ]);
  });
});

describe('purity', () => {
  it('drift rules and history import no AWS SDK and do no I/O', () => {
    const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    for (const file of ['drift/drift-rules.ts', 'history/compare-history.ts']) {
      const source = readFileSync(require.resolve(`../../../../lambdas/audit/${file}`), 'utf8');
      expect(source).not.toMatch(/from '@aws-sdk|from 'node:(fs|net|http)/);
    }
  });
});
