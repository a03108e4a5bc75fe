import { SELF_MANAGED } from '../../lambdas/audit/model';
import { generateOrganization, GenerateOrganizationError, type GeneratedOrg } from './index';

const NOW = Date.UTC(2026, 10, 26, 2, 0, 0);
const HOUR = 3_600_000;

const withAnomalies = (seed: number): GeneratedOrg =>
  generateOrganization({
    seed,
    now: NOW,
    accounts: 200,
    ous: 30,
    maxDepth: 5,
    anomalies: { failed: 4, stalePending: 3, freshPending: 2, inheritanceMismatch: 5, missing: 2 },
  });

/** Every target's parent id, for inheritance checks. */
const parentOf = (org: GeneratedOrg): Map<string, string> =>
  new Map([
    ...org.ous.map((o) => [o.id, o.parentId] as const),
    ...org.accounts.map((a) => [a.id, a.parentId] as const),
  ]);

describe('generateOrganization', () => {
  it('is deterministic for a seed and now', () => {
    expect(withAnomalies(7)).toEqual(withAnomalies(7));
  });

  it('gives other ids for another seed', () => {
    const a = withAnomalies(1);
    const b = withAnomalies(2);
    expect(a.roots[0].id).not.toBe(b.roots[0].id);
    expect(a.accounts.map((x) => x.id)).not.toEqual(b.accounts.map((x) => x.id));
  });

  it('keeps ids stable when only now changes', () => {
    const a = generateOrganization({ seed: 5, now: NOW });
    const b = generateOrganization({ seed: 5, now: NOW + 86_400_000 });
    expect(b.accounts.map((x) => x.id)).toEqual(a.accounts.map((x) => x.id));
    expect(b.policies).toEqual(a.policies);
  });

  it('uses real AWS id formats', () => {
    const org = withAnomalies(3);
    const root = org.roots[0].id;
    expect(org.roots).toHaveLength(1);
    expect(root).toMatch(/^r-[0-9a-z]{4,32}$/);
    expect(org.organization.id).toMatch(/^o-[a-z0-9]{10,32}$/);
    for (const ou of org.ous) expect(ou.id).toMatch(new RegExp(`^ou-${root.slice(2)}-[a-z0-9]{8,32}$`));
    for (const a of org.accounts) {
      expect(a.id).toMatch(/^\d{12}$/);
      expect(a.arn).toBe(
        `arn:aws:organizations::${org.organization.managementAccountId}:account/${org.organization.id}/${a.id}`,
      );
      expect(a.email).toMatch(/^[^\s@]+@example\.com$/);
      expect(a.email.length).toBeLessThanOrEqual(64);
    }
    for (const p of org.policies)
      expect(p.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(org.accounts.map((a) => a.id)).size).toBe(org.accounts.length);
    expect(new Set(org.ous.map((o) => o.id)).size).toBe(org.ous.length);
  });

  it('respects maxDepth and puts parents before children', () => {
    const org = generateOrganization({ seed: 11, now: NOW, ous: 300, maxDepth: 2 });
    const seen = new Set([org.roots[0].id]);
    const depth = new Map([[org.roots[0].id, 0]]);
    for (const ou of org.ous) {
      expect(seen.has(ou.parentId)).toBe(true);
      expect(ou.depth).toBe(depth.get(ou.parentId)! + 1);
      expect(ou.depth).toBeLessThanOrEqual(2);
      seen.add(ou.id);
      depth.set(ou.id, ou.depth);
    }
    expect(Math.max(...org.ous.map((o) => o.depth))).toBe(2);
  });

  it('rejects depths AWS does not allow', () => {
    expect(() => generateOrganization({ maxDepth: 6 })).toThrow(GenerateOrganizationError);
    expect(() => generateOrganization({ ous: 3, maxDepth: 0 })).toThrow(GenerateOrganizationError);
    expect(() => generateOrganization({ ous: 0 })).not.toThrow();
  });

  it('has exact status counts and an ACTIVE management account in the root', () => {
    const org = generateOrganization({
      seed: 2,
      now: NOW,
      accounts: 100,
      suspendedFraction: 0.1,
      pendingClosureFraction: 0.04,
    });
    const count = (s: string) => org.accounts.filter((a) => a.status === s).length;
    expect(count('SUSPENDED')).toBe(10);
    expect(count('PENDING_CLOSURE')).toBe(4);
    expect(count('ACTIVE')).toBe(86);
    const mgmt = org.accounts[0];
    expect(mgmt.id).toBe(org.organization.managementAccountId);
    expect(mgmt.status).toBe('ACTIVE');
    expect(mgmt.parentId).toBe(org.roots[0].id);
  });

  it('applies a policy at the root and inherits the nearest ancestor elsewhere', () => {
    const org = withAnomalies(4);
    const parents = parentOf(org);
    const root = org.associations.get(org.roots[0].id)!;
    expect(root).toMatchObject({
      associationType: 'APPLIED',
      configurationPolicyId: org.policies[0].id,
      targetType: 'ROOT',
    });
    const mismatch = new Set(org.anomalies.inheritanceMismatch);
    let inherited = 0;
    for (const a of org.associations.values()) {
      if (mismatch.has(a.targetId)) continue;
      expect(a.configurationPolicyId).toBe(org.expectedPolicyIds.get(a.targetId));
      if (a.associationType !== 'INHERITED') continue;
      inherited++;
      expect(a.configurationPolicyId).toBe(org.associations.get(parents.get(a.targetId)!)!.configurationPolicyId);
    }
    expect(inherited).toBeGreaterThan(100);
    expect(org.associations.size + org.anomalies.missing.length).toBe(1 + org.ous.length + org.accounts.length);
  });

  it('can apply self-managed', () => {
    const org = generateOrganization({ seed: 9, now: NOW, selfManagedFraction: 1, appliedOuFraction: 1 });
    const ouPolicies = org.ous.map((o) => org.associations.get(o.id)!);
    expect(ouPolicies.every((a) => a.associationType === 'APPLIED' && a.configurationPolicyId === SELF_MANAGED)).toBe(
      true,
    );
  });

  it('seeds exactly the requested anomalies, disjoint, with the right shape', () => {
    const org = withAnomalies(8);
    const { failed, stalePending, freshPending, inheritanceMismatch, missing } = org.anomalies;
    expect([
      failed.length,
      stalePending.length,
      freshPending.length,
      inheritanceMismatch.length,
      missing.length,
    ]).toEqual([4, 3, 2, 5, 2]);
    const all = [...failed, ...stalePending, ...freshPending, ...inheritanceMismatch, ...missing];
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain(org.roots[0].id);

    const staleBefore = NOW - org.stalePendingHours * HOUR;
    for (const id of failed) {
      const a = org.associations.get(id)!;
      expect(a.associationStatus).toBe('FAILED');
      expect(a.associationStatusMessage).toEqual(expect.any(String));
    }
    for (const id of stalePending) {
      const a = org.associations.get(id)!;
      expect(a.associationStatus).toBe('PENDING');
      expect(Date.parse(a.updatedAt)).toBeLessThan(staleBefore);
    }
    for (const id of freshPending) {
      const a = org.associations.get(id)!;
      expect(a.associationStatus).toBe('PENDING');
      expect(Date.parse(a.updatedAt)).toBeGreaterThan(staleBefore);
      expect(Date.parse(a.updatedAt)).toBeLessThanOrEqual(NOW);
    }
    const parents = parentOf(org);
    for (const id of inheritanceMismatch) {
      const a = org.associations.get(id)!;
      expect(a.associationType).toBe('INHERITED');
      expect(a.configurationPolicyId).not.toBe(org.associations.get(parents.get(id)!)!.configurationPolicyId);
      expect(a.configurationPolicyId).not.toBe(org.expectedPolicyIds.get(id));
    }
    for (const id of missing) {
      expect(org.associations.has(id)).toBe(false);
      expect(org.expectedPolicyIds.has(id)).toBe(true);
      expect(org.accounts.find((x) => x.id === id)!.status).toBe('ACTIVE');
    }
    const others = [...org.associations.values()].filter((a) => a.anomaly === null);
    expect(others.every((a) => a.associationStatus === 'SUCCESS')).toBe(true);
  });

  it('refuses more anomalies than eligible targets', () => {
    expect(() => generateOrganization({ accounts: 5, ous: 1, anomalies: { missing: 10 } })).toThrow(
      /anomalies\.missing/,
    );
  });

  it('generates 10,000 accounts and 1,000 OUs well under a second', () => {
    const started = performance.now();
    const org = generateOrganization({
      seed: 1,
      now: NOW,
      accounts: 10_000,
      ous: 1_000,
      maxDepth: 5,
      anomalies: { failed: 50, missing: 20 },
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(org.accounts).toHaveLength(10_000);
    expect(org.ous).toHaveLength(1_000);
  });
});
