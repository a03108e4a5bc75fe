import type { AssociationRow } from '../report/rows';
import type { RunSummary } from '../report/summary';

/** An SNS-ready message. */
export interface Digest {
  /** Fewer than 100 characters: SNS Publish requires subjects "less than 100 characters long". */
  readonly subject: string;
  readonly message: string;
}

/** SNS Publish: "Subjects must be ... less than 100 characters long". */
const MAX_SUBJECT_LENGTH = 99;

/** What the digest points the reader to. */
export interface DigestOptions {
  /** How many changed targets to list; the rest are counted. */
  readonly maxTargets: number;
  /** Where the full report is, e.g. `s3://bucket/associations/dt=…/….jsonl.gz`. */
  readonly reportLocation: string;
}

function describeRow(row: AssociationRow): string {
  const reasons = row.drift_reasons.length > 0 ? row.drift_reasons.join(',') : 'no drift';
  const change = row.changes.includes('NEW_DRIFT') ? 'NEW' : 'RESOLVED';
  return `  ${change.padEnd(8)} ${row.target_type.padEnd(19)} ${row.target_id}  ${reasons}  (${row.ou_path})`;
}

/**
 * Builds the digest sent when the drift state changed, or `null` when it did not,
 * so a quiet night sends nothing.
 */
export function buildDriftDigest(
  summary: RunSummary,
  rows: readonly AssociationRow[],
  options: DigestOptions,
): Digest | null {
  if (summary.new_drift === 0 && summary.resolved_drift === 0) {
    return null;
  }
  const changed = rows.filter((r) => r.changes.includes('NEW_DRIFT') || r.changes.includes('RESOLVED'));
  const listed = changed.slice(0, options.maxTargets);
  const lines = [
    `Security Hub configuration audit ${summary.run_id} (${summary.run_status})`,
    '',
    `New drift: ${summary.new_drift}   Resolved: ${summary.resolved_drift}   Drifted now: ${summary.drifted}` +
      `   FAILED: ${summary.status_failed}   Targets: ${summary.targets_reported}`,
    '',
    ...listed.map(describeRow),
    ...(changed.length > listed.length ? [`  … and ${changed.length - listed.length} more`] : []),
    '',
    `Report: ${options.reportLocation}`,
  ];
  const subject = `Security Hub config drift: ${summary.new_drift} new, ${summary.resolved_drift} resolved`;
  return { subject: subject.slice(0, MAX_SUBJECT_LENGTH), message: lines.join('\n') };
}
