/**
 * The drift rules. Pure: the walked organization, the fetched associations and the
 * parsed documents in, one finding per target out. No SDK, no clock, no I/O.
 */
import {
  DRIFT_REASONS,
  type Association,
  type AuditResult,
  type Baseline,
  type DriftReason,
  type Exclusion,
  type OrgSnapshot,
  type OrgTarget,
  type UnprocessedTarget,
} from '../model';

/** The exclusion that names a target, whether or not it still applies. */
interface FindingExclusion {
  readonly reason: string;
  /** `YYYY-MM-DD`, inclusive, UTC. */
  readonly expires: string;
  /** True when `expires` is before the run's UTC date: the exclusion no longer covers anything. */
  readonly expired: boolean;
}

/** The verdict on one target. */
export interface TargetFinding {
  readonly target: OrgTarget;
  /** The association as fetched; `null` when the target is unprocessed or missing. */
  readonly association: Association | null;
  /** Set only when the target stayed unprocessed (and has no association). */
  readonly unprocessed: UnprocessedTarget | null;
  /**
   * Effective policy of the nearest ancestor, i.e. what an INHERITED association should
   * report. Best known value: computed through ancestors whose state is unknown.
   * `null` for a root, or when nothing above the target is known.
   */
  readonly expectedPolicyId: string | null;
  /** Desired policy by the baseline (the target's own entry or its nearest ancestor's); `null` without one. */
  readonly baselinePolicyId: string | null;
  /** In {@link DRIFT_REASONS} order. Listed even when an exclusion covers them. */
  readonly reasons: readonly DriftReason[];
  /** True when there are reasons and no unexpired exclusion covers them. */
  readonly drift: boolean;
  readonly result: AuditResult;
  readonly exclusion: FindingExclusion | null;
}

/** Everything {@link evaluateDrift} looks at. */
export interface DriftInput {
  readonly org: OrgSnapshot;
  readonly associations: ReadonlyMap<string, Association>;
  readonly unprocessed: ReadonlyMap<string, UnprocessedTarget>;
  readonly baseline?: Baseline;
  readonly exclusions?: readonly Exclusion[];
  /** Run time, epoch ms: the reference for PENDING_STALE and exclusion expiry. */
  readonly now: number;
  /** A PENDING association last updated longer ago than this is PENDING_STALE. */
  readonly pendingStaleMs: number;
}

/** `YYYY-MM-DD` of an epoch-ms instant, in UTC. */
function utcDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/**
 * An exclusion applies through its `expires` date inclusive, compared as UTC dates.
 * @internal Exported for its tests.
 */
export function isExclusionActive(expires: string, now: number): boolean {
  // `YYYY-MM-DD` strings order like the dates they name.
  return expires >= utcDate(now);
}

/**
 * Effective policy of a target as far as the run can tell. `certain` is false when an
 * ancestor (or the target itself) on the inheritance chain has an unknown state: the
 * policy is then only the best guess and must not be used to flag a mismatch, since
 * the unknown target might have its own APPLIED policy.
 */
interface Effective {
  readonly policyId: string | null;
  readonly certain: boolean;
}

const UNKNOWN: Effective = { policyId: null, certain: false };

/** Computes effective policies top-down, memoised, tolerant of any target order. */
function effectivePolicies(
  org: OrgSnapshot,
  associations: ReadonlyMap<string, Association>,
): (targetId: string) => Effective {
  const byId = new Map(org.targets.map((t) => [t.id, t]));
  const memo = new Map<string, Effective>();
  const visiting = new Set<string>();

  const effective = (targetId: string): Effective => {
    const cached = memo.get(targetId);
    if (cached) return cached;
    const target = byId.get(targetId);
    if (!target || visiting.has(targetId)) return UNKNOWN; // not walked, or a cycle (impossible in Organizations)
    visiting.add(targetId);
    const association = associations.get(targetId);
    const parent: Effective =
      target.parentId === null || !byId.has(target.parentId) ? UNKNOWN : effective(target.parentId);
    let result: Effective;
    if (association?.associationType === 'APPLIED' && association.configurationPolicyId !== null) {
      result = { policyId: association.configurationPolicyId, certain: true };
    } else if (association?.associationType === 'INHERITED') {
      // A top-level target inherits the service default; what it reports is the best evidence of it.
      result =
        parent === UNKNOWN && association.configurationPolicyId !== null
          ? { policyId: association.configurationPolicyId, certain: true }
          : parent;
    } else {
      // Unknown state: it may have an APPLIED policy of its own, so pass the chain on as a guess.
      result = { policyId: parent.policyId, certain: false };
    }
    visiting.delete(targetId);
    memo.set(targetId, result);
    return result;
  };
  return effective;
}

/** Desired policy by the baseline: the target's entry, else its nearest ancestor's. */
function baselinePolicies(org: OrgSnapshot, baseline: Baseline | undefined): (target: OrgTarget) => string | null {
  const byId = new Map(org.targets.map((t) => [t.id, t]));
  return (target) => {
    if (!baseline) return null;
    const seen = new Set<string>();
    for (
      let node: OrgTarget | undefined = target;
      node && !seen.has(node.id);
      node = node.parentId === null ? undefined : byId.get(node.parentId)
    ) {
      seen.add(node.id);
      const desired = baseline.get(node.id);
      if (desired !== undefined) return desired;
    }
    return null;
  };
}

function isPendingStale(association: Association, now: number, pendingStaleMs: number): boolean {
  if (association.associationStatus !== 'PENDING') return false;
  const updated = association.updatedAt === null ? Number.NaN : Date.parse(association.updatedAt);
  // No (or an unreadable) UpdatedAt gives no evidence of progress: count it as stale.
  return Number.isNaN(updated) || updated < now - pendingStaleMs;
}

/**
 * Evaluates every target of the organization, in org order, exactly once.
 *
 * Reasons: FAILED; PENDING_STALE (PENDING and UpdatedAt missing or older than
 * `now - pendingStaleMs`); UNPROCESSED; MISSING (neither fetched nor unprocessed);
 * INHERITANCE_MISMATCH (INHERITED but reporting another policy than the nearest
 * ancestor's effective policy, flagged only when that is known for certain);
 * BASELINE_MISMATCH (the association's policy differs from the baseline's desired
 * policy; never for targets whose state is unknown).
 *
 * An exclusion whose `expires` is today or later (UTC) turns DRIFT into EXCLUDED;
 * an expired one is shown but covers nothing.
 */
export function evaluateDrift(input: DriftInput): TargetFinding[] {
  const effective = effectivePolicies(input.org, input.associations);
  const desiredOf = baselinePolicies(input.org, input.baseline);
  const exclusions = new Map<string, Exclusion>();
  for (const exclusion of input.exclusions ?? []) {
    if (!exclusions.has(exclusion.targetId)) exclusions.set(exclusion.targetId, exclusion);
  }

  return input.org.targets.map((target): TargetFinding => {
    const association = input.associations.get(target.id) ?? null;
    const unprocessed = association === null ? (input.unprocessed.get(target.id) ?? null) : null;
    const expected: Effective = target.parentId === null ? UNKNOWN : effective(target.parentId);
    const baselinePolicyId = desiredOf(target);

    const found = new Set<DriftReason>();
    if (association) {
      const policyId = association.configurationPolicyId;
      if (association.associationStatus === 'FAILED') found.add('FAILED');
      if (isPendingStale(association, input.now, input.pendingStaleMs)) found.add('PENDING_STALE');
      if (
        association.associationType === 'INHERITED' &&
        policyId !== null &&
        expected.certain &&
        expected.policyId !== null &&
        policyId !== expected.policyId
      ) {
        found.add('INHERITANCE_MISMATCH');
      }
      if (baselinePolicyId !== null && policyId !== null && policyId !== baselinePolicyId)
        found.add('BASELINE_MISMATCH');
    } else if (unprocessed) {
      found.add('UNPROCESSED');
    } else {
      found.add('MISSING');
    }
    const reasons = DRIFT_REASONS.filter((r) => found.has(r));

    const named = exclusions.get(target.id);
    const exclusion: FindingExclusion | null = named
      ? { reason: named.reason, expires: named.expires, expired: !isExclusionActive(named.expires, input.now) }
      : null;
    const covered = exclusion !== null && !exclusion.expired;
    const drift = reasons.length > 0 && !covered;
    const result: AuditResult = reasons.length === 0 ? 'OK' : covered ? 'EXCLUDED' : 'DRIFT';

    return {
      target,
      association,
      unprocessed,
      expectedPolicyId: expected.policyId,
      baselinePolicyId,
      reasons,
      drift,
      result,
      exclusion,
    };
  });
}
