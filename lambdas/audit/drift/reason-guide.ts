/**
 * The one table every renderer uses (CLI, HTML, e-mail, chat, findings): drift reason →
 * severity → what to do, the AWS CLI command that would fix a target, and the order lists
 * are shown in (worst first). The judgement, not the data. Pure.
 */
import { DRIFT_REASONS, type AssociationType, type DriftReason, type TargetType } from '../model';

/** ASFF severity labels the audit uses, lowest first. */
export const FINDING_SEVERITIES = ['LOW', 'MEDIUM', 'HIGH'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/**
 * Severity per reason (the README gives the reasoning):
 * - FAILED: Security Hub tried to apply the policy and could not; the target runs with a
 *   configuration nobody chose, and it will not fix itself: HIGH.
 * - PENDING_STALE, INHERITANCE_MISMATCH, BASELINE_MISMATCH: the target is governed, but
 *   not (yet) by the policy it should be; a real gap that usually needs a person: MEDIUM.
 * - UNPROCESSED, MISSING: the audit could not read the target's state; nothing is known
 *   to be wrong, but nothing is known to be right either: LOW, so it is seen without paging.
 */
const SEVERITY_BY_REASON: Readonly<Record<DriftReason, FindingSeverity>> = {
  FAILED: 'HIGH',
  PENDING_STALE: 'MEDIUM',
  INHERITANCE_MISMATCH: 'MEDIUM',
  BASELINE_MISMATCH: 'MEDIUM',
  UNPROCESSED: 'LOW',
  MISSING: 'LOW',
};

/** What to do, per reason; joined into the finding's remediation text. */
const REMEDIATION_BY_REASON: Readonly<Record<DriftReason, string>> = {
  FAILED:
    'Read the association status message, fix its cause (for example a member account without Security Hub enabled) and start the association again from the Security Hub console (Configuration, Policies).',
  PENDING_STALE:
    'The association has been PENDING too long: check the target in the Security Hub console and start the association again.',
  UNPROCESSED:
    'Security Hub did not return this target: check the error code in the report, the audit role and Security Hub quotas; the next run asks again.',
  MISSING:
    'Security Hub returned no association for this target: make sure it is part of central configuration (new accounts can take a while).',
  INHERITANCE_MISMATCH:
    'The target inherits a policy other than its parent’s effective policy: associate the intended policy, or remove the stale association so it inherits again.',
  BASELINE_MISMATCH:
    'The effective policy differs from the baseline: associate the baseline policy, or update the baseline document if the change is intended.',
};

/** The highest severity among the reasons; LOW for none (not expected for a drifted target). */
export function severityOf(reasons: readonly DriftReason[]): FindingSeverity {
  let rank = 0;
  for (const reason of reasons) rank = Math.max(rank, FINDING_SEVERITIES.indexOf(SEVERITY_BY_REASON[reason]));
  return FINDING_SEVERITIES[rank];
}

/** Remediation lines for the reasons, in {@link DRIFT_REASONS} order. */
export function remediationOf(reasons: readonly DriftReason[]): string {
  return DRIFT_REASONS.filter((r) => reasons.includes(r))
    .map((r) => `${r}: ${REMEDIATION_BY_REASON[r]}`)
    .join(' ');
}

/** What a worst-first ordering needs of a row. */
export interface RankedRow {
  readonly drift: boolean;
  readonly drift_reasons: readonly DriftReason[];
  readonly changes: readonly string[];
  readonly ou_path: string;
  readonly target_id: string;
}

/** Drifted before excluded or clean, then by severity (HIGH first). */
function rank(row: RankedRow): number {
  const severity = row.drift_reasons.length === 0 ? -1 : FINDING_SEVERITIES.indexOf(severityOf(row.drift_reasons));
  return (row.drift ? 0 : 10) + (FINDING_SEVERITIES.length - 1 - severity);
}

/** The first of the reasons in rule order (FAILED first); past the end for none. */
const firstReason = (row: RankedRow) =>
  Math.min(DRIFT_REASONS.length, ...row.drift_reasons.map((r) => DRIFT_REASONS.indexOf(r)));

/**
 * Worst first, for every list people read: drifted before the rest, then by severity, then
 * new drift before old, then by reason (FAILED first), then by OU path and id so the order is stable.
 */
export function compareWorstFirst(a: RankedRow, b: RankedRow): number {
  const newA = a.changes.includes('NEW_DRIFT') ? 0 : 1;
  const newB = b.changes.includes('NEW_DRIFT') ? 0 : 1;
  return (
    rank(a) - rank(b) ||
    newA - newB ||
    firstReason(a) - firstReason(b) ||
    (a.ou_path < b.ou_path ? -1 : a.ou_path > b.ou_path ? 1 : 0) ||
    (a.target_id < b.target_id ? -1 : a.target_id > b.target_id ? 1 : 0)
  );
}

/** What a fix command needs of a row. */
export interface FixableRow {
  readonly target_id: string;
  readonly target_type: TargetType;
  readonly drift_reasons: readonly DriftReason[];
  readonly association_type: AssociationType | null;
  readonly configuration_policy_id: string | null;
  readonly expected_policy_id: string | null;
  readonly baseline_policy_id: string | null;
}

const TARGET_KEY: Readonly<Record<TargetType, string>> = {
  ROOT: 'RootId',
  ORGANIZATIONAL_UNIT: 'OrganizationalUnitId',
  ACCOUNT: 'AccountId',
};

/** Reasons a (re)association with the desired policy fixes; UNPROCESSED and MISSING need a look first. */
const FIXED_BY_ASSOCIATING: ReadonlySet<DriftReason> = new Set([
  'FAILED',
  'PENDING_STALE',
  'INHERITANCE_MISMATCH',
  'BASELINE_MISMATCH',
]);

/** An id the command can hold unquoted: letters, digits, `-` and `_` only (validated upstream, checked again here). */
const PLAIN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The exact AWS CLI command that would fix the target, or null when no command can (the
 * state is unknown, or so is the desired policy). The desired policy is the baseline's when
 * there is one, else the one the target should inherit, else (FAILED, PENDING_STALE) the one
 * it has, started again. A target that applies a policy of its own where the desired one is
 * what it would inherit anyway is disassociated from its own instead, so it inherits again.
 * Shown, never run.
 */
export function fixCommand(row: FixableRow): string | null {
  if (!row.drift_reasons.some((r) => FIXED_BY_ASSOCIATING.has(r))) return null;
  const desired = row.baseline_policy_id ?? row.expected_policy_id ?? row.configuration_policy_id;
  if (desired === null || !PLAIN_ID.test(desired) || !PLAIN_ID.test(row.target_id)) return null;
  const target = `--target '{"${TARGET_KEY[row.target_type]}":"${row.target_id}"}'`;
  const current = row.configuration_policy_id;
  const inheritsDesired = row.target_type !== 'ROOT' && desired === row.expected_policy_id;
  if (
    row.association_type === 'APPLIED' &&
    inheritsDesired &&
    current !== null &&
    current !== desired &&
    PLAIN_ID.test(current)
  ) {
    return `aws securityhub start-configuration-policy-disassociation --configuration-policy-identifier ${current} ${target}`;
  }
  return `aws securityhub start-configuration-policy-association --configuration-policy-identifier ${desired} ${target}`;
}
