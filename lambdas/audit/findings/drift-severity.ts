/**
 * How serious each drift reason is, and what to do about it: the part of a Security Hub
 * finding that is judgement rather than data. Pure.
 */
import { DRIFT_REASONS, type DriftReason } from '../model';

/** ASFF severity labels the audit uses, lowest first. */
const FINDING_SEVERITIES = ['LOW', 'MEDIUM', 'HIGH'] as const;
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
