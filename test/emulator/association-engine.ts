/**
 * How Security Hub central configuration moves associations after a change: the changed
 * target, and every target below it that inherits, goes PENDING, then SUCCESS or FAILED a
 * while later. A target without a directly applied configuration inherits the one of its
 * closest parent
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/configuration-policies-overview.html);
 * a disassociated target inherits from its closest parent, and a root with nothing to inherit
 * becomes self-managed
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/disassociate-policy.html).
 *
 * Settling is lazy and clock-driven: `settleDue()` applies every transition whose time has
 * come on the injected clock, so tests decide when it happens without waiting.
 */
import { SELF_MANAGED } from '../../lambdas/audit/model';
import type { GeneratedAssociation } from './generated-org';
import type { MutableOrgIndex } from './org-index';

/** How associations settle. */
export interface AssociationBehaviour {
  /** Epoch ms. */
  readonly now: () => number;
  /** How long a target stays PENDING after a change. */
  readonly settleMs: number;
  /** The status message of a target that should end FAILED, or `null` for SUCCESS. */
  readonly failureFor: (targetId: string) => string | null;
}

/** Drives the associations of one emulated organization. */
export class AssociationEngine {
  /** Target id to the epoch ms at which its PENDING association settles. */
  private readonly settleAt = new Map<string, number>();

  constructor(
    private readonly index: MutableOrgIndex,
    private readonly behaviour: () => AssociationBehaviour,
  ) {}

  /** The policy a target has in effect: its own applied one, else its closest parent's. */
  effectivePolicyOf(targetId: string): string {
    const own = this.index.org.associations.get(targetId);
    if (own?.associationType === 'APPLIED') return own.configurationPolicyId;
    const parentId = this.index.parents.get(targetId);
    if (parentId === undefined) return own?.configurationPolicyId ?? SELF_MANAGED;
    return this.effectivePolicyOf(parentId);
  }

  /** Whether the target has a directly applied configuration. */
  isApplied(targetId: string): boolean {
    return this.index.org.associations.get(targetId)?.associationType === 'APPLIED';
  }

  /** Applies `policyId` to the target directly; it and its inheriting subtree go PENDING. */
  apply(targetId: string, policyId: string): GeneratedAssociation {
    this.setPending(targetId, policyId, 'APPLIED');
    this.refreshInheritedBelow(targetId);
    this.rebuildList();
    return this.index.org.associations.get(targetId)!;
  }

  /** Removes the target's applied configuration: it inherits again (a root becomes self-managed). */
  disassociate(targetId: string): void {
    const parentId = this.index.parents.get(targetId);
    const inherited = parentId === undefined ? SELF_MANAGED : this.effectivePolicyOf(parentId);
    this.setPending(targetId, inherited, 'INHERITED');
    this.refreshInheritedBelow(targetId);
    this.rebuildList();
  }

  /**
   * After a target was moved or created: unless it has its own applied configuration, it and
   * its inheriting subtree take the new parent's policy, through PENDING.
   */
  reinherit(targetId: string): void {
    if (!this.isApplied(targetId)) {
      this.setPending(targetId, this.effectivePolicyOf(this.index.parents.get(targetId)!), 'INHERITED');
      this.refreshInheritedBelow(targetId);
    }
    this.rebuildList();
  }

  /** A policy was edited: every target applying or inheriting it redeploys (PENDING). */
  redeployPolicy(policyId: string): number {
    const touched = [...this.index.org.associations.values()].filter((a) => a.configurationPolicyId === policyId);
    for (const a of touched) this.setPending(a.targetId, policyId, a.associationType);
    this.rebuildList();
    return touched.length;
  }

  /** Forgets a target that left the organization. */
  forget(targetId: string): void {
    this.index.org.associations.delete(targetId);
    this.index.org.expectedPolicyIds.delete(targetId);
    this.settleAt.delete(targetId);
    this.rebuildList();
  }

  /** Settles every PENDING association whose time has come; returns how many settled. */
  settleDue(): number {
    const { now, failureFor } = this.behaviour();
    const at = now();
    let settled = 0;
    for (const [targetId, due] of this.settleAt) {
      if (due > at) continue;
      this.settleAt.delete(targetId);
      const current = this.index.org.associations.get(targetId);
      if (!current) continue;
      const failure = failureFor(targetId);
      this.index.org.associations.set(targetId, {
        ...current,
        associationStatus: failure === null ? 'SUCCESS' : 'FAILED',
        associationStatusMessage: failure,
        updatedAt: new Date(due).toISOString(),
      });
      settled++;
    }
    if (settled > 0) this.rebuildList();
    return settled;
  }

  /** Targets still PENDING because of a write, with the epoch ms they settle at. */
  pending(): ReadonlyMap<string, number> {
    return new Map(this.settleAt);
  }

  private setPending(targetId: string, policyId: string, type: GeneratedAssociation['associationType']): void {
    const { now, settleMs } = this.behaviour();
    const at = now();
    this.index.org.associations.set(targetId, {
      targetId,
      targetType: this.index.targetTypes.get(targetId)!,
      configurationPolicyId: policyId,
      associationType: type,
      associationStatus: 'PENDING',
      associationStatusMessage: null,
      updatedAt: new Date(at).toISOString(),
      // A rewritten target no longer carries the anomaly it was seeded with.
      anomaly: null,
    });
    this.index.org.expectedPolicyIds.set(targetId, this.effectivePolicyOf(targetId));
    this.settleAt.set(targetId, at + settleMs);
  }

  /** Every inheriting target below `targetId` (stopping at applied ones) takes its parent's policy. */
  private refreshInheritedBelow(targetId: string): void {
    const children = this.index.children.get(targetId);
    if (!children) return;
    for (const child of [...children.ous, ...children.accounts]) {
      if (this.isApplied(child.id)) continue;
      this.setPending(child.id, this.effectivePolicyOf(targetId), 'INHERITED');
      this.refreshInheritedBelow(child.id);
    }
  }

  /** ListConfigurationPolicyAssociations pages over this list: keep it equal to the map. */
  private rebuildList(): void {
    const list = this.index.associationList;
    list.length = 0;
    for (const a of this.index.org.associations.values()) list.push(a);
  }
}
