/**
 * The re-check's shared types: what one change event means for the audit, and why an
 * event was not acted on. Kept apart from the modules that produce and use them so the
 * parser, the planner and the orchestrator need not import one another for a type.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { AuditTuning } from '../config';
import type { RECHECK_SETTINGS, SettingValues } from '../settings';
import type { AuditDeps, SourceDocument } from './audit';
import type { DigestOptions } from './digest';
import type { FindingsDestination } from '../findings/run-findings';

/** What a change touches, as far as the event itself can tell. */
export type ChangeScope =
  /** An account that joined, moved or changed state; `parentId` when the event names where it now is. */
  | { readonly kind: 'ACCOUNT'; readonly accountId: string; readonly parentId: string | null }
  /** An account that left the organization (removed); its findings close once the listing agrees. */
  | { readonly kind: 'ACCOUNT_GONE'; readonly accountId: string }
  /** A new OU under `parentId`. */
  | { readonly kind: 'OU_CREATED'; readonly ouId: string; readonly parentId: string; readonly name: string | null }
  /** An OU that was deleted. */
  | { readonly kind: 'OU_GONE'; readonly ouId: string }
  /** An association started or stopped on a target: the target and, for a root or OU, its subtree. */
  | { readonly kind: 'TARGET'; readonly targetId: string }
  /** A policy created, edited or deleted: every target applying or inheriting it. */
  | { readonly kind: 'POLICY'; readonly policyId: string }
  /** The organization's configuration changed (central/local): every target. */
  | { readonly kind: 'ORGANIZATION' };

/** The services whose events the re-check takes. */
export type ChangeService = 'organizations' | 'securityhub';

/** One change, parsed and validated from one EventBridge event. */
export interface Change {
  /** EventBridge event id: duplicates of one delivery are dropped by it. */
  readonly eventId: string;
  /** CloudTrail `eventName` (or the service event's name, e.g. `CreateAccountResult`). */
  readonly eventName: string;
  readonly service: ChangeService;
  /** CloudTrail `eventTime`, epoch ms: when the change was made (latency is measured from it). */
  readonly eventTime: number;
  readonly scope: ChangeScope;
}

/** Why an event was dropped as bad: counted, logged (bounded and quoted), never acted on. */
export type BadEventReason =
  | 'NOT_JSON'
  | 'MALFORMED'
  | 'UNEXPECTED_SOURCE'
  | 'UNKNOWN_EVENT_NAME'
  | 'UNEXPECTED_ACCOUNT'
  | 'UNEXPECTED_REGION'
  | 'BAD_ID';

/** The parser's verdict on one event. */
export type ParsedEvent =
  | { readonly status: 'CHANGE'; readonly change: Change }
  /** A well-formed event that changes nothing (a call that failed, an account creation still in progress). */
  | { readonly status: 'IGNORED'; readonly eventName: string; readonly why: string }
  | { readonly status: 'BAD'; readonly reason: BadEventReason; readonly detail: string };

/** Who may send the events: anything else is a bad event. */
export interface ExpectedSenders {
  /** The audit (delegated administrator) account: Security Hub events come from it. */
  readonly auditAccountId: string;
  /** The home Region: Security Hub events come from it. */
  readonly homeRegion: string;
  /** The management account: Organizations events come from it, in us-east-1; `null` when none is forwarded. */
  readonly managementAccountId: string | null;
}

/** The re-check's own settings. */
type RecheckTuning = SettingValues<typeof RECHECK_SETTINGS>;

/** Everything a re-check talks to. */
export interface RecheckDeps extends Pick<
  AuditDeps,
  'organizations' | 'securityHub' | 'store' | 'mac' | 'clock' | 'sleep' | 'random' | 'logger' | 'securityHubCounter'
> {
  readonly sns: SNSClient;
  readonly metrics: Metrics;
}

/** What to re-check and how. */
export interface RecheckRequest {
  readonly changes: readonly Change[];
  /** Events of the batch dropped as bad: counted in the record and the metrics. */
  readonly badEvents: number;
  readonly tuning: AuditTuning;
  readonly recheck: RecheckTuning;
  readonly reportPrefix: string;
  /** Epoch ms after which nothing more is read, so the record is still written. */
  readonly deadline: number;
  readonly baseline?: SourceDocument;
  readonly exclusions?: SourceDocument;
  /** Where findings go; absent: none are published. */
  readonly findings?: FindingsDestination;
  /** The digest's topic; `null`: no digest. */
  readonly topicArn: string | null;
  /** The digest's options, once the record's key is known. */
  readonly digestOptions: (associationsKey: string) => DigestOptions;
}
