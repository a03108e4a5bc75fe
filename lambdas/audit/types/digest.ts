/** The digest's shared types: what the renderers receive and what is published. */
import type { AssociationRow } from '../report/rows';
import type { RunSummary } from '../report/summary';

/**
 * An Amazon Q Developer in chat applications custom notification ("custom notifications",
 * event schema: version 1.0, source custom, content and metadata). Sent as JSON, so every
 * value is JSON-encoded; the chat client renders `title` and `description` as markdown.
 */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

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

/** The deployment that sent a digest. */
export interface DigestDeployment {
  readonly stackName?: string;
  readonly accountId?: string;
  readonly region?: string;
}

/** What the digest points the reader to. */
export interface DigestOptions {
  /** How many changed targets to list; the rest are counted. */
  readonly maxTargets: number;
  /** Where the full report is, e.g. `s3://bucket/associations/dt=…/….jsonl.gz`. */
  readonly reportLocation: string;
  /** Where the run's HTML report is, when one was written. @default none */
  readonly htmlReportLocation?: string;
  /**
   * Which deployment sent it: stack name, account and Region, as far as known. Values the
   * audit's own configuration and Lambda context validated.
   * @default none
   */
  readonly deployment?: DigestDeployment;
}

/** The changed targets of a run, split by direction, in row order. */
export interface DigestChanges {
  readonly newDrift: readonly AssociationRow[];
  readonly resolved: readonly AssociationRow[];
}

/** The run columns the digest shows. */
type DigestColumns =
  | 'run_id'
  | 'audited_at'
  | 'run_status'
  | 'targets_reported'
  | 'drifted'
  | 'excluded'
  | 'status_failed'
  | 'status_pending'
  | 'status_unknown'
  | 'drift_unprocessed'
  | 'drift_missing'
  | 'new_drift'
  | 'resolved_drift'
  | 'previous_run_status'
  | 'previous_run_reason';

/**
 * What the digest tells of the run: a nightly run's summary, or a re-check's counts over
 * the targets it re-checked (`trigger` RECHECK, with the names of the events behind it).
 */
export type DigestSummary = Pick<RunSummary, DigestColumns> &
  (
    | { readonly trigger: RunSummary['trigger'] }
    | {
        readonly trigger: 'RECHECK';
        /** Names of the events that triggered the re-check, validated against the catalog. */
        readonly recheckEvents: readonly string[];
      }
  );

/** Everything the renderers need; they only format. */
export interface DigestInput {
  readonly summary: DigestSummary;
  readonly changes: DigestChanges;
  readonly options: DigestOptions;
}
