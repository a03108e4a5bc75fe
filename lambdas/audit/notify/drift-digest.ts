/**
 * The drift-change digest: what changed since the previous run, for people. One digest,
 * three renderings sent in one SNS message (see publish-digest.ts): a subject line, a
 * plain-text e-mail body, and an Amazon Q Developer (chat) custom notification.
 */
import type { AssociationRow } from '../report/rows';
import type { RunSummary } from '../report/summary';
import { chatNotification, type ChatNotification } from './digest-chat';
import { digestSubject } from './digest-subject';
import { digestText } from './digest-text';
import { MAX_SNS_MESSAGE_BYTES, snsMessageBytes } from './sns-message';

/** A digest ready to publish. */
export interface Digest {
  /** ASCII, no line breaks, fewer than 100 characters (SNS Publish's rules for subjects). */
  readonly subject: string;
  /** Plain-text body: e-mail and every protocol without its own rendering. */
  readonly message: string;
  /**
   * Amazon Q Developer custom notification for HTTPS (chat), SQS and Lambda subscribers.
   * @default none: every protocol gets `message` (a plain alert, such as a failure page)
   */
  readonly chat?: ChatNotification;
}

/** The drift digest always carries the chat rendering. */
export type DriftDigest = Digest & { readonly chat: ChatNotification };

/** What the digest points the reader to. */
export interface DigestOptions {
  /** How many changed targets to list; the rest are counted. */
  readonly maxTargets: number;
  /** Where the full report is, e.g. `s3://bucket/associations/dt=…/….jsonl.gz`. */
  readonly reportLocation: string;
  /** Where the run's HTML report is, when one was written. @default none */
  readonly htmlReportLocation?: string;
}

/** The changed targets of a run, split by direction, in row order. */
export interface DigestChanges {
  readonly newDrift: readonly AssociationRow[];
  readonly resolved: readonly AssociationRow[];
}

/** Everything the renderers need; they only format. */
export interface DigestInput {
  readonly summary: RunSummary;
  readonly changes: DigestChanges;
  readonly options: DigestOptions;
}

/** The rows that changed direction: NEW_DRIFT and RESOLVED. */
export function digestChanges(rows: readonly AssociationRow[]): DigestChanges {
  return {
    newDrift: rows.filter((r) => r.changes.includes('NEW_DRIFT')),
    resolved: rows.filter((r) => r.changes.includes('RESOLVED')),
  };
}

/**
 * Builds the digest sent when the drift state changed, or `null` when it did not,
 * so a quiet night sends nothing.
 */
export function buildDriftDigest(
  summary: RunSummary,
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
