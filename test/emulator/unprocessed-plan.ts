/**
 * Decides, per target in a batch-get, whether Security Hub answers "unprocessed" this
 * time. Selection (and a drawn attempt count) is a pure function of seed and target id,
 * so it does not depend on how the client groups targets or orders concurrent requests;
 * only the per-target attempt count carries state.
 */
import type { TargetType } from '../../lambdas/audit/model';
import type { UnprocessedRule } from './emulator-faults';
import { hashFraction, type Seed } from './seeded-random';

/** Why a target is unprocessed, as the service reports it. */
export interface UnprocessedVerdict {
  readonly errorCode: string;
  readonly errorReason: string;
}

/** Stateful attempt counting over a fixed set of rules. */
export class UnprocessedPlan {
  private readonly attempts = new Map<string, number>();
  private readonly explicit: readonly (ReadonlySet<string> | null)[];

  constructor(
    private readonly rules: readonly UnprocessedRule[],
    private readonly seed: Seed,
  ) {
    this.explicit = rules.map((r) => (r.targetIds ? new Set(r.targetIds) : null));
  }

  /** Records one more request for the target and returns the verdict, `null` = processed. */
  check(targetId: string, targetType: TargetType): UnprocessedVerdict | null {
    const index = this.matchIndex(targetId, targetType);
    if (index < 0) return null;
    const rule = this.rules[index];
    const limit = this.limit(index, rule, targetId);
    const before = this.attempts.get(targetId) ?? 0;
    this.attempts.set(targetId, before + 1);
    if (limit !== 'forever' && before >= limit) return null;
    return { errorCode: rule.errorCode ?? '429', errorReason: rule.errorReason ?? 'Rate exceeded' };
  }

  /** The rule that selects the target, if any; does not count an attempt. */
  ruleFor(targetId: string, targetType: TargetType): UnprocessedRule | null {
    const index = this.matchIndex(targetId, targetType);
    return index < 0 ? null : this.rules[index];
  }

  /**
   * How many batch-gets answer the target "unprocessed" before one processes it (the
   * rule's number, or this target's draw from a range), or `null` if no rule selects it.
   */
  attemptsFor(targetId: string, targetType: TargetType): number | 'forever' | null {
    const index = this.matchIndex(targetId, targetType);
    return index < 0 ? null : this.limit(index, this.rules[index], targetId);
  }

  private matchIndex(targetId: string, targetType: TargetType): number {
    return this.rules.findIndex((rule, i) => this.selects(i, rule, targetId, targetType));
  }

  private limit(index: number, rule: UnprocessedRule, targetId: string): number | 'forever' {
    const { attempts } = rule;
    if (attempts === 'forever' || typeof attempts === 'number') return attempts;
    const span = attempts.max - attempts.min + 1;
    // Its own hash key, so the draw is independent of the selection draw above.
    return attempts.min + Math.floor(hashFraction(String(this.seed), 'unprocessed-attempts', index, targetId) * span);
  }

  private selects(index: number, rule: UnprocessedRule, targetId: string, targetType: TargetType): boolean {
    if (this.explicit[index]?.has(targetId)) return true;
    if (rule.fraction === undefined) return false;
    if (rule.targetTypes && !rule.targetTypes.includes(targetType)) return false;
    return hashFraction(String(this.seed), 'unprocessed', index, targetId) < rule.fraction;
  }
}
