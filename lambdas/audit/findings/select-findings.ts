/**
 * Which findings a run sends: one per drifted target (created or updated), and one
 * archiving every ACTIVE finding of the audit whose target is not drifted now (resolved,
 * excluded, or gone from the organization). The ACTIVE findings are those Security Hub
 * holds (GetFindings), whatever the history says: a finding whose archive failed, or that
 * an untrusted history or a CLI run skipped, is archived by the next run. Pure.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { AssociationRow } from '../report/rows';
import type { ActiveFinding, ActiveFindingsRead } from '../types/findings';
import { activeFindingOfRow, closingFinding, driftFinding, type FindingContext } from './asff-finding';

/** The findings of one run, by kind, for the counts in logs and tests. */
export interface SelectedFindings {
  readonly findings: readonly AwsSecurityFinding[];
  /** Drifted targets: ACTIVE findings. */
  readonly active: number;
  /** ACTIVE findings whose target no longer is drifted: ARCHIVED findings. */
  readonly archived: number;
}

/** What the selection reconciles. */
export interface SelectionInput {
  readonly rows: readonly AssociationRow[];
  /** The audit's ACTIVE findings read from Security Hub. */
  readonly stored: ActiveFindingsRead;
  /**
   * The previous run's rows, `null` when there is none or it is not trusted. Only used
   * when Security Hub could not be read in full: its drifted targets are archive
   * candidates too (and describe a target that has left).
   */
  readonly previous: readonly AssociationRow[] | null;
  /**
   * False when the walk is known to be partial (entries rejected): a target missing from
   * the rows may still be in the organization, so its finding stays ACTIVE.
   */
  readonly walkComplete: boolean;
  /**
   * The targets this selection may archive (a re-check: the targets it re-checked and
   * those it found gone); absent, every archive candidate (a full run). An ACTIVE finding
   * of a target outside the scope is left alone: a partial look proves nothing of it.
   */
  readonly scope?: ReadonlySet<string>;
  /**
   * Epoch ms the run began reading the organization. An ACTIVE finding updated after it
   * was written by a re-check that looked at its target later than this run may have: the
   * run does not archive it on older evidence (the next run or re-check settles it).
   * Absent: every candidate may be archived.
   */
  readonly observedSince?: number;
}

/** True when Security Hub's copy is newer than what the run saw of its target. */
function newerThanRun(stored: ActiveFinding, observedSince: number | undefined): boolean {
  if (observedSince === undefined || stored.updatedAt === null) return false;
  return Date.parse(stored.updatedAt) > observedSince;
}

/** Archive candidates by target id: Security Hub's ACTIVE findings, then history's when the read was partial. */
function candidates(input: SelectionInput): Map<string, ActiveFinding> {
  const out = new Map<string, ActiveFinding>();
  for (const f of input.stored.findings) if (!out.has(f.targetId)) out.set(f.targetId, f);
  if (input.stored.status !== 'COMPLETE') {
    for (const row of input.previous ?? []) {
      if (row.drift && !out.has(row.target_id)) out.set(row.target_id, activeFindingOfRow(row));
    }
  }
  return out;
}

/**
 * Every drifted row becomes an ACTIVE finding, every run (an unchanged one is simply
 * updated, which also repairs a finding an earlier run failed to send), past the
 * UpdatedAt Security Hub holds. Every other archive candidate becomes an ARCHIVED one.
 */
export function selectFindings(input: SelectionInput, ctx: FindingContext): SelectedFindings {
  const findings: AwsSecurityFinding[] = [];
  const open = candidates(input);
  // The rows come from the walk, one per target; the set guards against a repeat anyway.
  const current = new Map(input.rows.map((row) => [row.target_id, row]));
  for (const row of current.values())
    if (row.drift) findings.push(driftFinding(row, ctx, open.get(row.target_id) ?? null));
  const active = findings.length;
  const previousRows = new Map((input.previous ?? []).map((row) => [row.target_id, row]));
  for (const [targetId, stored] of open) {
    const now = current.get(targetId) ?? null;
    if (now?.drift) continue;
    if (now === null && !input.walkComplete) continue;
    if (input.scope !== undefined && !input.scope.has(targetId)) continue;
    if (newerThanRun(stored, input.observedSince)) continue;
    findings.push(closingFinding(stored, now, ctx, previousRows.get(targetId) ?? null));
  }
  return { findings, active, archived: findings.length - active };
}
