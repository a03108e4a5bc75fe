/**
 * Which findings a run sends: one per drifted target (created or updated), and one
 * archiving the finding of every target that was drifted in the previous run and is not
 * now (resolved, excluded, or gone from the organization). Pure.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { AssociationRow } from '../report/rows';
import { closingFinding, driftFinding, type FindingContext } from './asff-finding';

/** The findings of one run, by kind, for the counts in logs and tests. */
export interface SelectedFindings {
  readonly findings: readonly AwsSecurityFinding[];
  /** Drifted targets: ACTIVE findings. */
  readonly active: number;
  /** Previously drifted targets that no longer are: ARCHIVED findings. */
  readonly archived: number;
}

/**
 * Every drifted row becomes an ACTIVE finding, every run (an unchanged one is simply
 * updated, which also repairs a finding an earlier run failed to send). A previous row
 * with `drift = true` whose target is not drifted now becomes an ARCHIVED finding.
 * Previous rows come from the report the audit already read for history, so no
 * Security Hub read (GetFindings, a tighter quota) is needed.
 */
export function selectFindings(
  rows: readonly AssociationRow[],
  previous: readonly AssociationRow[] | null,
  ctx: FindingContext,
): SelectedFindings {
  const findings: AwsSecurityFinding[] = [];
  const current = new Map(rows.map((row) => [row.target_id, row]));
  for (const row of rows) if (row.drift) findings.push(driftFinding(row, ctx));
  const active = findings.length;
  // The previous object is untrusted input: a target listed twice must not give two findings.
  const closed = new Set<string>();
  for (const before of previous ?? []) {
    if (!before.drift || closed.has(before.target_id)) continue;
    closed.add(before.target_id);
    const now = current.get(before.target_id) ?? null;
    if (now?.drift) continue;
    findings.push(closingFinding(before, now, ctx));
  }
  return { findings, active, archived: findings.length - active };
}
