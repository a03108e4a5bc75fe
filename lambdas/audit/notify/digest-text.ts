import { displaySafe } from '../util/display-text';
import { neutralizeMentionsAndLinks } from './neutralize';
import { deploymentLabel } from './deployment-label';
import type { AssociationRow } from '../report/rows';
import { reasonCounts, recheckTrigger } from './digest-subject';
import type { DigestInput, DigestSummary } from '../types/digest';
import { untrustedHistoryNotice } from '../history/history-notice';

/** Longest single value (name, message, path) in the e-mail; ids and policy ids are far shorter. */
const MAX_VALUE_LENGTH = 200;

/** A value from outside, for the e-mail: display-safe, bounded, and no link a mail reader would follow. */
const safe = (value: unknown) => neutralizeMentionsAndLinks(displaySafe(value ?? '-', MAX_VALUE_LENGTH));
/** A location the audit built itself (the report's keys): display-safe, and left a link. */
const own = (value: string) => displaySafe(value, 300);

/** A policy as "name (id)", or the id alone when no name is known. */
const policy = (name: string | null, id: string | null) =>
  name === null || id === null ? safe(id) : `${safe(name)} (${safe(id)})`;

/** One changed target, several indented lines so a long name or message stays readable. */
function describeTarget(row: AssociationRow): string[] {
  const name = row.target_name ? `${safe(row.target_name)} (${safe(row.target_id)})` : safe(row.target_id);
  const lines = [
    `- ${name}, ${row.target_type}`,
    `    OU path:  ${safe(row.ou_path_names ?? row.ou_path)}`,
    `    Reasons:  ${row.drift_reasons.length > 0 ? `${row.drift_reasons.join(', ')} (severity ${row.severity ?? '-'})` : 'none (no drift now)'}`,
    `    Policy:   expected ${policy(row.expected_policy_name, row.expected_policy_id)}, actual ${policy(row.configuration_policy_name, row.configuration_policy_id)}` +
      (row.baseline_policy_id ? `, baseline ${policy(row.baseline_policy_name, row.baseline_policy_id)}` : ''),
    `    Status:   ${safe(row.association_status ?? 'unknown')}` +
      (row.association_status_message ? `: ${safe(row.association_status_message)}` : ''),
  ];
  if (row.error_code) lines.push(`    Error:    ${safe(row.error_code)} ${safe(row.error_reason ?? '')}`.trimEnd());
  if (row.drift && row.remediation_command) lines.push(`    Fix:      ${safe(row.remediation_command)}`);
  return lines;
}

/** A titled list of at most `max` targets, then how many were left out. */
function section(title: string, rows: readonly AssociationRow[], max: number): string[] {
  if (rows.length === 0) return [];
  const listed = rows.slice(0, max);
  return [
    `${title} (${rows.length})`,
    ...listed.flatMap(describeTarget),
    ...(rows.length > listed.length ? [`  ... and ${rows.length - listed.length} more (see the report)`] : []),
    '',
  ];
}

/** The first lines: what changed, and which run (or re-check, and what triggered it) saw it. */
function heading(s: DigestSummary): string[] {
  const trigger = recheckTrigger(s);
  if (trigger === undefined) {
    return [
      `Security Hub configuration drift changed: ${s.new_drift} new, ${s.resolved_drift} resolved.`,
      '',
      `Run:        ${s.run_id} (${s.trigger.toLowerCase()}, ${s.audited_at})`,
    ];
  }
  return [
    `Security Hub configuration drift changed (re-check triggered by ${trigger}): ${s.new_drift} new, ${s.resolved_drift} resolved.`,
    '',
    `Re-check:   ${s.run_id} (${s.audited_at}); counts are over the re-checked targets, the nightly run stays the full report`,
  ];
}

/**
 * The plain-text e-mail body. Every value from outside (names, ids, policy ids, status
 * messages, paths) goes through displaySafe, so a name cannot forge lines or reorder text.
 * At most `maxTargets` targets are listed over both sections, new drift first.
 */
export function digestText({ summary: s, changes, options }: DigestInput): string {
  const newShown = Math.min(changes.newDrift.length, options.maxTargets);
  const resolvedShown = Math.max(0, options.maxTargets - newShown);
  const completeness =
    s.run_status === 'COMPLETE'
      ? 'COMPLETE: every target has a definite association state'
      : `INCOMPLETE: ${s.drift_unprocessed + s.drift_missing} target(s) without a definite state`;
  const reasons = reasonCounts(changes.newDrift);
  return [
    ...heading(s),
    ...[deploymentLabel(options.deployment, 'full')].flatMap((label) =>
      label === undefined ? [] : [`Sent by:    ${own(label)}`],
    ),
    `Status:     ${completeness}`,
    ...[untrustedHistoryNotice(s)].flatMap((notice) => (notice === undefined ? [] : [`History:    ${safe(notice)}`])),
    `Targets:    ${s.targets_reported} audited, ${s.drifted} drifted, ${s.excluded} excluded`,
    `Statuses:   ${s.status_failed} FAILED, ${s.status_pending} PENDING, ${s.status_unknown} unknown`,
    ...(reasons ? [`New drift:  ${reasons}`] : []),
    '',
    ...section('New drift', changes.newDrift, newShown),
    ...section('Resolved', changes.resolved, resolvedShown),
    `Report:      ${own(options.reportLocation)}`,
    ...(options.htmlReportLocation ? [`HTML report: ${own(options.htmlReportLocation)}`] : []),
    'Athena:      saved queries drift-latest-run and new-drift-since-previous-run',
  ].join('\n');
}
