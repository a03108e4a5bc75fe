import { DRIFT_REASONS } from '../model';
import type { AssociationRow } from '../report/rows';
import type { RunSummary } from '../report/summary';

const REASON_COLUMNS: Readonly<Record<(typeof DRIFT_REASONS)[number], keyof RunSummary>> = {
  FAILED: 'drift_failed',
  PENDING_STALE: 'drift_pending_stale',
  UNPROCESSED: 'drift_unprocessed',
  MISSING: 'drift_missing',
  INHERITANCE_MISMATCH: 'drift_inheritance_mismatch',
  BASELINE_MISMATCH: 'drift_baseline_mismatch',
};

/** Drift before exclusions, then by the first reason in {@link DRIFT_REASONS} order (FAILED first). */
function severity(row: AssociationRow): number {
  const first = Math.min(...row.drift_reasons.map((r) => DRIFT_REASONS.indexOf(r)));
  return (row.audit_result === 'DRIFT' ? 0 : 100) + (Number.isFinite(first) ? first : 50);
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * The human-readable end of a CLI run: totals, drift by reason, history, API use,
 * and the first drifted or excluded targets.
 */
export function formatSummary(
  summary: RunSummary,
  rows: readonly AssociationRow[],
  options: { readonly listLimit: number; readonly location: string },
): string {
  const lines: string[] = [];
  lines.push(
    `Run ${summary.run_id}  ${summary.run_status}  (${summary.trigger.toLowerCase()}, ${summary.duration_seconds.toFixed(1)} s)`,
  );
  lines.push('');
  lines.push(
    ...table([
      ['Targets', 'Roots', 'OUs', 'Accounts', 'Suspended', 'Reported'],
      [
        summary.targets_enumerated,
        summary.roots,
        summary.organizational_units,
        summary.accounts,
        summary.suspended_accounts,
        summary.targets_reported,
      ].map(String),
    ]),
  );
  lines.push('');
  lines.push(
    ...table([
      ['SUCCESS', 'PENDING', 'FAILED', 'UNKNOWN', 'Drifted', 'Excluded', 'New drift', 'Resolved', 'Changed'],
      [
        summary.status_success,
        summary.status_pending,
        summary.status_failed,
        summary.status_unknown,
        summary.drifted,
        summary.excluded,
        summary.new_drift,
        summary.resolved_drift,
        summary.changed,
      ].map(String),
    ]),
  );
  lines.push('');
  lines.push(
    ...table([['Drift reason', 'Targets'], ...DRIFT_REASONS.map((r) => [r, String(summary[REASON_COLUMNS[r]])])]),
  );
  lines.push('');
  lines.push(
    `API calls: Organizations ${summary.organizations_api_calls}, Security Hub ${summary.securityhub_api_calls}; ` +
      `throttled ${summary.throttled_requests}; re-drive rounds ${summary.redrive_attempts}` +
      (summary.deadline_reached ? '; DEADLINE REACHED' : ''),
  );
  if (summary.departed_targets.length > 0) {
    lines.push(`Left the organization since ${summary.previous_run_id}: ${summary.departed_targets.join(', ')}`);
  }
  const flagged = rows
    .filter((r) => r.audit_result !== 'OK' || r.exclusion_expired)
    .sort((a, b) => severity(a) - severity(b));
  if (flagged.length > 0 && options.listLimit > 0) {
    lines.push('');
    const shown = flagged.slice(0, options.listLimit);
    lines.push(
      ...table([
        ['Result', 'Type', 'Target', 'Reasons', 'Policy', 'Status', 'OU path'],
        ...shown.map((r) => [
          r.audit_result + (r.exclusion_expired ? ' (exclusion expired)' : ''),
          r.target_type,
          r.target_id,
          r.drift_reasons.join(','),
          r.configuration_policy_id ?? '-',
          r.association_status ?? '-',
          r.ou_path,
        ]),
      ]),
    );
    if (flagged.length > shown.length) {
      lines.push(`… ${flagged.length - shown.length} more in the report`);
    }
  }
  lines.push('');
  lines.push(`Report: ${options.location}`);
  return lines.join('\n');
}
