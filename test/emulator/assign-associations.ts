/**
 * Spreads configuration policies over a generated tree the way Security Hub central
 * configuration behaves: the root and some OUs/accounts have an APPLIED association,
 * everything else INHERITS the policy of its nearest ancestor. Then seeds the anomalies.
 */
import { SELF_MANAGED, type TargetType } from '../../lambdas/audit/model';
import { newUuid } from './aws-ids';
import type { OrgTree } from './build-org-tree';
import {
  ANOMALY_KINDS,
  type AnomalyKind,
  type GeneratedAssociation,
  type GeneratedPolicy,
  type SeededAnomalies,
} from './generated-org';
import { GenerateOrganizationError, type ResolvedGenerateOptions } from './generator-options';
import { createRandom, type Random } from './seeded-random';

/** Policies, what Security Hub reports per target, and which targets are anomalous. */
export interface AssignedAssociations {
  readonly policies: readonly GeneratedPolicy[];
  readonly associations: ReadonlyMap<string, GeneratedAssociation>;
  readonly expectedPolicyIds: ReadonlyMap<string, string>;
  readonly anomalies: SeededAnomalies;
}

interface TargetRef {
  readonly id: string;
  readonly type: TargetType;
  /** `null` for the root. */
  readonly parentId: string | null;
}

const POLICY_NAMES = [
  'org-baseline',
  'production-strict',
  'sandbox-relaxed',
  'regulated-workloads',
  'security-tooling',
  'legacy-exempt',
];
const FAILURE_MESSAGES = [
  'Security Hub is not enabled in the target account in the home Region.',
  'The delegated administrator could not assume the configuration role in the target account.',
  'Standard controls could not be updated because the account is closed or suspended.',
  'Internal failure while applying the configuration policy. Retry the association.',
];
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Assigns policies and anomalies. Pure: same tree and options, same result. */
export function assignAssociations(tree: OrgTree, options: ResolvedGenerateOptions): AssignedAssociations {
  const policyRandom = createRandom(options.seed, 'policies');
  const policies: GeneratedPolicy[] = Array.from({ length: options.policies }, (_, i) => ({
    id: newUuid(policyRandom),
    name: i < POLICY_NAMES.length ? POLICY_NAMES[i] : `policy-${i + 1}`,
  }));

  // Parents before children: the root, then OUs in creation order, then accounts.
  const targets: TargetRef[] = [
    ...tree.roots.map((r) => ({ id: r.id, type: 'ROOT' as const, parentId: null })),
    ...tree.ous.map((o) => ({ id: o.id, type: 'ORGANIZATIONAL_UNIT' as const, parentId: o.parentId })),
    ...tree.accounts.map((a) => ({ id: a.id, type: 'ACCOUNT' as const, parentId: a.parentId })),
  ];

  const applied = chooseApplied(tree, options, policies);
  const expectedPolicyIds = new Map<string, string>();
  for (const t of targets) {
    const own = applied.get(t.id);
    // The root always has an applied policy, so every parent lookup succeeds.
    expectedPolicyIds.set(t.id, own ?? expectedPolicyIds.get(t.parentId!)!);
  }

  const anomalyOf = chooseAnomalies(tree, options, applied);
  const random = createRandom(options.seed, 'association-details');
  const allPolicyIds = [...policies.map((p) => p.id), SELF_MANAGED];
  const associations = new Map<string, GeneratedAssociation>();
  for (const t of targets) {
    const anomaly = anomalyOf.get(t.id) ?? null;
    if (anomaly === 'missing') continue;
    const expected = expectedPolicyIds.get(t.id)!;
    const policyId =
      anomaly === 'inheritanceMismatch' ? random.pick(allPolicyIds.filter((p) => p !== expected)) : expected;
    associations.set(t.id, {
      targetId: t.id,
      targetType: t.type,
      configurationPolicyId: policyId,
      associationType: applied.has(t.id) ? 'APPLIED' : 'INHERITED',
      ...statusFor(anomaly, options, random),
      anomaly,
    });
  }

  const order = new Map(targets.map((t, i) => [t.id, i]));
  const anomalies = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, [] as string[]])) as Record<AnomalyKind, string[]>;
  for (const [id, kind] of anomalyOf) anomalies[kind].push(id);
  for (const k of ANOMALY_KINDS) anomalies[k].sort((a, b) => order.get(a)! - order.get(b)!);

  return { policies, associations, expectedPolicyIds, anomalies };
}

/** Target id to the policy APPLIED there. Exact counts (rounded fractions). */
function chooseApplied(
  tree: OrgTree,
  options: ResolvedGenerateOptions,
  policies: readonly GeneratedPolicy[],
): Map<string, string> {
  const random = createRandom(options.seed, 'applied');
  const policyFor = (): string =>
    random.next() < options.selfManagedFraction ? SELF_MANAGED : random.pick(policies).id;
  const applied = new Map<string, string>();
  // The organization's default: the first policy on the root.
  for (const r of tree.roots) applied.set(r.id, policies[0].id);
  const pickSome = (ids: string[], share: number): void => {
    const count = Math.round(share * ids.length);
    for (const id of random.shuffle(ids).slice(0, count)) applied.set(id, policyFor());
  };
  pickSome(
    tree.ous.map((o) => o.id),
    options.appliedOuFraction,
  );
  pickSome(
    tree.accounts.map((a) => a.id),
    options.appliedAccountFraction,
  );
  return applied;
}

/**
 * Picks disjoint targets per anomaly. Only OUs and ACTIVE accounts are eligible, so the
 * anomaly is never confounded with an account's closure. `inheritanceMismatch` and
 * `missing` are limited to accounts: accounts have no descendants, so exactly the seeded
 * targets are off and nothing below them changes.
 */
function chooseAnomalies(
  tree: OrgTree,
  options: ResolvedGenerateOptions,
  applied: ReadonlyMap<string, string>,
): Map<string, AnomalyKind> {
  const random = createRandom(options.seed, 'anomalies');
  const wanted = options.anomalies;
  const chosen = new Map<string, AnomalyKind>();
  const active = tree.accounts.filter((a) => a.status === 'ACTIVE').map((a) => a.id);

  const take = (kind: AnomalyKind, pool: readonly string[]): void => {
    const free = random.shuffle(pool.filter((id) => !chosen.has(id)));
    if (free.length < wanted[kind]) {
      throw new GenerateOrganizationError(
        `anomalies.${kind}: ${wanted[kind]} requested, only ${free.length} eligible targets`,
      );
    }
    for (const id of free.slice(0, wanted[kind])) chosen.set(id, kind);
  };

  take(
    'inheritanceMismatch',
    active.filter((id) => !applied.has(id)),
  );
  take('missing', active);
  const statusPool = [...tree.ous.map((o) => o.id), ...active];
  take('failed', statusPool);
  take('stalePending', statusPool);
  take('freshPending', statusPool);
  return chosen;
}

function statusFor(
  anomaly: AnomalyKind | null,
  options: ResolvedGenerateOptions,
  random: Random,
): Pick<GeneratedAssociation, 'associationStatus' | 'associationStatusMessage' | 'updatedAt'> {
  const at = (ms: number): string => new Date(ms).toISOString();
  const staleMs = options.stalePendingHours * HOUR_MS;
  switch (anomaly) {
    case 'failed':
      return {
        associationStatus: 'FAILED',
        associationStatusMessage: random.pick(FAILURE_MESSAGES),
        updatedAt: at(options.now - random.int(HOUR_MS, 30 * DAY_MS)),
      };
    case 'stalePending':
      // At least one hour past the threshold, so a clock a few minutes off cannot flip it.
      return {
        associationStatus: 'PENDING',
        associationStatusMessage: null,
        updatedAt: at(options.now - staleMs - random.int(HOUR_MS, 3 * DAY_MS)),
      };
    case 'freshPending':
      // At most half the threshold old, for the same reason.
      return {
        associationStatus: 'PENDING',
        associationStatusMessage: null,
        updatedAt: at(options.now - random.int(60_000, Math.max(60_000, staleMs / 2))),
      };
    default:
      return {
        associationStatus: 'SUCCESS',
        associationStatusMessage: null,
        updatedAt: at(options.now - random.int(DAY_MS, 90 * DAY_MS)),
      };
  }
}
