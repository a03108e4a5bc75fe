/**
 * The audit's shared types: what a run is given (deps, request) and what it returns. Kept
 * apart from the orchestrator so every stage can name them without importing it.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AuditTuning } from '../config';
import type { Clock, Sleep } from '../model';
import type { RequestCounter } from '../aws/request-counter';
import type { AssociationRow } from '../report/rows';
import type { RunSummary } from '../report/summary';
import type { ReportStore } from '../store/report-store';
import type { ObjectMac } from '../store/object-mac';
import type { WrittenReport } from '../report/write-report';
import type { ConsoleContext } from '../report/console-links';
import type { FindingsDestination } from '../findings/run-findings';
import type { PublishFindingsResult } from '../findings/publish-findings';

/** A JSON document handed to the audit, with where it came from for error messages. */
export interface SourceDocument {
  readonly text: string;
  /** `s3://bucket/key` or a file path. */
  readonly source: string;
}

/** Progress of a long run, for the CLI's stderr. */
export type AuditProgress =
  | { readonly phase: 'walk'; readonly targetsFound: number }
  | { readonly phase: 'fetch'; readonly done: number; readonly total: number }
  | { readonly phase: 'write' };

/** Minimal logger shape; Powertools Logger satisfies it. */
export interface AuditLogger {
  info(message: string, attributes: Record<string, string | number | boolean>): void;
  warn(message: string, attributes: Record<string, string | number | boolean>): void;
}

/** Everything the audit talks to, injected so tests control clients, time and randomness. */
export interface AuditDeps {
  readonly organizations: OrganizationsClient;
  readonly securityHub: SecurityHubClient;
  readonly store: ReportStore;
  /** Signs what the run writes as state and authenticates what it reads back. */
  readonly mac: ObjectMac;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly organizationsCounter?: RequestCounter;
  readonly securityHubCounter?: RequestCounter;
  readonly logger?: AuditLogger;
  readonly onProgress?: (progress: AuditProgress) => void;
}

/** What to audit and how. */
export interface AuditRequest {
  readonly tuning: AuditTuning;
  /** '' or a prefix ending in '/'. */
  readonly reportPrefix: string;
  /** EventBridge event time of a scheduled run; absent for a manual run. */
  readonly scheduledTime?: string;
  /** An explicit re-run: a schedule time more than `MAX_EVENT_AGE_MS` old is accepted (and judged at the clock). */
  readonly rerun?: boolean;
  /** State machine execution of this round; checkpoints are bound to it. Absent for a direct invocation. */
  readonly execution?: string;
  /** Epoch ms after which no re-drive round starts, so the report can still be written. */
  readonly deadline: number;
  readonly baseline?: SourceDocument;
  readonly exclusions?: SourceDocument;
  /** Publish the run's drift as Security Hub findings to this account's product; absent: not published. */
  readonly findings?: FindingsDestination;
  /** Partition, Region and report bucket for the HTML report's console links; absent: no links. */
  readonly console?: ConsoleContext;
}

/** The result of one audit run. */
export interface AuditOutcome {
  readonly summary: RunSummary;
  readonly rows: readonly AssociationRow[];
  readonly report: WrittenReport;
  /** How publishing the findings went; absent when they were not published. */
  readonly findings?: PublishFindingsResult;
}
