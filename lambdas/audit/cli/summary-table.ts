import { DRIFT_REASONS } from '../model';
import type { AssociationRow } from '../report/rows';
import type { RunSummary } from '../report/summary';
import { displaySafe, listBounded } from '../util/display-text';
import { untrustedHistoryNotice } from '../history/history-notice';
import { flaggedRows } from './flagged-rows';
import { textTable } from './text-table';

/** Longest cell of the target table; ids are short. */
const MAX_CELL = 80;
/** Longest OU path cell: five OU levels below a root fit. */
const MAX_PATH_CELL = 200;
/** Departed targets named in the summary; the rest are counted. */
const MAX_DEPARTED_SHOWN = 20;

/** A value from outside as a table cell: display-safe and bounded. */
const cell = (value: unknown) => displaySafe(value, MAX_CELL);

/**
 * Why a run is INCOMPLETE, in words, from the summary's counts. Empty for a COMPLETE run;
 * never empty for an INCOMPLETE one, so nothing that makes a run incomplete is only in run.json.
 * @internal Exported for its tests.
 */
export function incompleteReasons(summary: RunSummary): string[] {
  if (summary.run_status === 'COMPLETE') return [];
  const reasons: string[] = [];
  if (summary.status_unknown > 0) {
    reasons.push(
      `${summary.status_unknown} target(s) without a definite association status ` +
        `(unprocessed ${summary.drift_unprocessed}, missing from the answers ${summary.drift_missing})`,
    );
  }
  if (summary.targets_rejected > 0) {
    reasons.push(
      `${summary.targets_rejected} listed entr${summary.targets_rejected === 1 ? 'y' : 'ies'} rejected for an invalid id (an OU's subtree is then not walked)`,
    );
  }
  if (summary.deadline_reached) reasons.push('the deadline was reached while re-driving');
  if (reasons.length === 0) reasons.push('see the run summary (run.json) for details');
  return reasons;
}

const REASON_COLUMNS: Readonly<Record<(typeof DRIFT_REASONS)[number], keyof RunSummary>> = {
  FAILED: 'drift_failed',
  PENDING_STALE: 'drift_pending_stale',
  UNPROCESSED: 'drift_unprocessed',
  MISSING: 'drift_missing',
  INHERITANCE_MISMATCH: 'drift_inheritance_mismatch',
  BASELINE_MISMATCH: 'drift_baseline_mismatch',
};

/** The first lines: run id, status, trigger and duration, then why the run is incomplete (if it is). */
function headerLines(summary: RunSummary): string[] {
  return [
    `Run ${cell(summary.run_id)}  ${cell(summary.run_status)}  (${cell(summary.trigger.toLowerCase())}, ${summary.duration_seconds.toFixed(1)} s)`,
    ...incompleteReasons(summary).map((reason) => `INCOMPLETE: ${reason}`),
    ...[untrustedHistoryNotice(summary)].flatMap((notice) =>
      notice === undefined ? [] : [`HISTORY UNTRUSTED: ${displaySafe(notice, 400)}`],
    ),
  ];
}

/** What was enumerated: targets by kind, and how many reached the report or were rejected. */
function targetCountsTable(summary: RunSummary): string[] {
  return textTable([
    ['Targets', 'Roots', 'OUs', 'Accounts', 'Suspended', 'Reported', 'Rejected'],
    [
      summary.targets_enumerated,
      summary.roots,
      summary.organizational_units,
      summary.accounts,
      summary.suspended_accounts,
      summary.targets_reported,
      summary.targets_rejected,
    ].map(String),
  ]);
}

/** Association statuses, audit results and the change against the previous run. */
function resultCountsTable(summary: RunSummary): string[] {
  return textTable([
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
  ]);
}

/** Targets per drift reason, in {@link DRIFT_REASONS} order so the table reads the same every run. */
function driftReasonTable(summary: RunSummary): string[] {
  return textTable([['Drift reason', 'Targets'], ...DRIFT_REASONS.map((r) => [r, String(summary[REASON_COLUMNS[r]])])]);
}

/** API use, throttling and re-drive rounds, followed by the departed targets (if any). */
function apiAndHistoryLines(summary: RunSummary): string[] {
  const lines = [
    `API calls: Organizations ${summary.organizations_api_calls}, Security Hub ${summary.securityhub_api_calls}; ` +
      `throttled ${summary.throttled_requests}; re-drive rounds ${summary.redrive_attempts}` +
      (summary.deadline_reached ? '; DEADLINE REACHED' : ''),
  ];
  if (summary.departed_targets.length > 0) {
    // Departed ids come from a previous run's object, so they are bounded and made display-safe too.
    lines.push(
      `Left the organization since ${cell(summary.previous_run_id)}: ` +
        listBounded(summary.departed_targets, MAX_DEPARTED_SHOWN, (id) => cell(id)),
    );
  }
  return lines;
}

/** One flagged row as table cells; every value came from outside, so each is display-safe and bounded. */
function flaggedRowCells(r: AssociationRow): string[] {
  return [
    cell(r.severity ?? '-'),
    cell(r.audit_result) +
      (r.exclusion_expired ? ' (exclusion expired)' : '') +
      (r.changes.includes('NEW_DRIFT') ? ' new' : ''),
    `${cell(r.target_name)} (${cell(r.target_id)})`,
    cell(r.drift_reasons.join(',')),
    policyCell(r.configuration_policy_name, r.configuration_policy_id),
    cell(r.association_status ?? '-'),
    displaySafe(r.ou_path_names ?? r.ou_path, MAX_PATH_CELL),
  ];
}

/** A policy as "name (id)", or the id alone when no name is known. */
function policyCell(name: string | null, id: string | null): string {
  if (id === null) return '-';
  return name === null ? cell(id) : `${cell(name)} (${cell(id)})`;
}

/** The fix commands of the rows shown: one line each, under the table, so they can be copied whole. */
function fixLines(rows: readonly AssociationRow[]): string[] {
  const fixes = rows.filter((r) => r.remediation_command !== null);
  if (fixes.length === 0) return [];
  return [
    '',
    'To fix (not run by the audit; check each before you run it):',
    ...fixes.map((r) => `  ${displaySafe(r.remediation_command, 400)}`),
  ];
}

/**
 * The drifted targets and those whose exclusion expired, worst first, at most `listLimit` of them
 * (the rest are counted, the report has them all). Preceded by a blank line; empty when there is nothing to show.
 */
function flaggedTargetLines(rows: readonly AssociationRow[], listLimit: number): string[] {
  const flagged = flaggedRows(rows);
  if (flagged.length === 0 || listLimit <= 0) return [];
  const shown = flagged.slice(0, listLimit);
  const lines = [
    '',
    ...textTable([
      ['Severity', 'Result', 'Target', 'Reasons', 'Policy', 'Status', 'OU path'],
      ...shown.map(flaggedRowCells),
    ]),
    ...fixLines(shown),
  ];
  if (flagged.length > shown.length) lines.push(`… ${flagged.length - shown.length} more in the report`);
  return lines;
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
  return [
    ...headerLines(summary),
    '',
    ...targetCountsTable(summary),
    '',
    ...resultCountsTable(summary),
    '',
    ...driftReasonTable(summary),
    '',
    ...apiAndHistoryLines(summary),
    ...flaggedTargetLines(rows, options.listLimit),
    '',
    `Report: ${displaySafe(options.location, 1000)}`,
  ].join('\n');
}
