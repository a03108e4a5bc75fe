/**
 * The drift-change digest: what changed since the previous run, for people. One digest,
 * three renderings sent in one SNS message (see publish-digest.ts): a subject line, a
 * plain-text e-mail body, and an Amazon Q Developer (chat) custom notification.
 */
import type { AssociationRow } from '../report/rows';
import { chatNotification } from './digest-chat';
import { digestSubject } from './digest-subject';
import { digestText } from './digest-text';
import { MAX_SNS_MESSAGE_BYTES, snsMessageBytes } from './sns-message';
import type { DigestChanges, DigestInput, DigestOptions, DigestSummary, DriftDigest } from '../types/digest';
import { compareWorstFirst } from '../drift/reason-guide';

/** The rows that changed direction: NEW_DRIFT and RESOLVED. */
function digestChanges(rows: readonly AssociationRow[]): DigestChanges {
  // Worst first, so a new FAILED target is never hidden behind the targets listed before it.
  return {
    newDrift: rows.filter((r) => r.changes.includes('NEW_DRIFT')).sort(compareWorstFirst),
    resolved: rows.filter((r) => r.changes.includes('RESOLVED')).sort(compareWorstFirst),
  };
}

/**
 * Builds the digest sent when the drift state changed, or `null` when it did not,
 * so a quiet night sends nothing.
 */
export function buildDriftDigest(
  summary: DigestSummary,
  rows: readonly AssociationRow[],
  options: DigestOptions,
): DriftDigest | null {
  if (summary.new_drift === 0 && summary.resolved_drift === 0) {
    return null;
  }
  const changes = digestChanges(rows);
  // Every listed value is bounded, but maxTargets is configuration: list fewer targets
  // until the message fits SNS's size limit (the rest are counted, never silently dropped).
  let maxTargets = options.maxTargets;
  for (;;) {
    const input: DigestInput = { summary, changes, options: { ...options, maxTargets } };
    const digest = { subject: digestSubject(input), message: digestText(input), chat: chatNotification(input) };
    if (maxTargets === 0 || snsMessageBytes(digest) <= MAX_SNS_MESSAGE_BYTES) return digest;
    maxTargets = Math.floor(maxTargets / 2);
  }
}
