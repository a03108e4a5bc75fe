import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AuditTuning } from '../config';
import type { Baseline, Clock, Exclusion, FetchResult, OrgSnapshot, Sleep } from '../model';
import { countFromNow, type RequestCounter } from '../aws/request-counter';
import { walkOrganization } from '../organizations/walk-organization';
import { fetchAssociations, type FetchOptions } from '../securityhub/fetch-associations';
import { parseBaseline } from '../drift/baseline';
import { parseExclusions } from '../drift/exclusions';
import { checkKnownTargets } from '../drift/known-targets';
import { evaluateDrift } from '../drift/drift-rules';
import { buildAssociationRows, type AssociationRow } from '../report/rows';
import { buildRunSummary, type RunSummary } from '../report/summary';
import { deriveRunId } from '../report/run-id';
import type { ReportStore } from '../report/report-store';
import { readPreviousSnapshot, writeReport, type WrittenReport } from '../report/write-report';

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
  /** Epoch ms after which no re-drive round starts, so the report can still be written. */
  readonly deadline: number;
  readonly baseline?: SourceDocument;
  readonly exclusions?: SourceDocument;
}

/** The result of one audit run. */
export interface AuditOutcome {
  readonly summary: RunSummary;
  readonly rows: readonly AssociationRow[];
  readonly report: WrittenReport;
}

/** The baseline and exclusions, parsed. */
export interface ParsedDocuments {
  readonly baseline?: Baseline;
  readonly exclusions?: readonly Exclusion[];
}

function parseDocuments(request: AuditRequest): ParsedDocuments {
  return {
    baseline: request.baseline && parseBaseline(request.baseline.text, request.baseline.source),
    exclusions: request.exclusions && parseExclusions(request.exclusions.text, request.exclusions.source),
  };
}

/** Fails when a document names a target the organization does not have (a typo, most likely). */
export function checkDocumentsAgainstOrg(request: AuditRequest, documents: ParsedDocuments, org: OrgSnapshot): void {
  if (documents.baseline && request.baseline) {
    checkKnownTargets([...documents.baseline.keys()], org, request.baseline.source);
  }
  if (documents.exclusions && request.exclusions) {
    checkKnownTargets(
      documents.exclusions.map((e) => e.targetId),
      org,
      request.exclusions.source,
    );
  }
}

/** What a run knows before it walks: its identity, start, parsed documents and call counters. */
export interface BegunAudit {
  readonly startedAt: number;
  readonly run: ReturnType<typeof deriveRunId>;
  readonly documents: ParsedDocuments;
  readonly organizationsCalls: ReturnType<typeof countFromNow>;
}

/** Names the run and parses the documents; bad documents fail here, before any request. */
export function beginAudit(deps: AuditDeps, request: AuditRequest): BegunAudit {
  const startedAt = deps.clock.now();
  const organizationsCalls = countFromNow(deps.organizationsCounter);
  const run = deriveRunId({ scheduledTime: request.scheduledTime, now: startedAt, random: deps.random });
  return { startedAt, run, documents: parseDocuments(request), organizationsCalls };
}

/** Walks the organization and checks the documents against it. */
export async function walkForAudit(deps: AuditDeps, request: AuditRequest, begun: BegunAudit): Promise<OrgSnapshot> {
  const { run } = begun;
  const org = await walkOrganization(deps.organizations, {
    concurrency: request.tuning.maxConcurrency,
    onProgress: (targetsFound) => deps.onProgress?.({ phase: 'walk', targetsFound }),
    pacing: {
      requestsPerSecond: request.tuning.organizationsRequestsPerSecond,
      burst: request.tuning.organizationsBurst,
      clock: deps.clock,
      sleep: deps.sleep,
    },
    deadline: request.deadline,
  });
  deps.logger?.info('Organization walked', {
    runId: run.runId,
    targets: org.targets.length,
    roots: org.rootIds.length,
  });
  if (org.rejected.length > 0) {
    deps.logger?.warn('Organizations listed entries with invalid ids; they are left out and the run is INCOMPLETE', {
      runId: run.runId,
      rejected: org.rejected.length,
      examples: org.rejected
        .slice(0, 5)
        .map((r) => `${r.type} ${r.quotedId} under ${r.parentId}`)
        .join('; '),
    });
  }
  // With entries rejected the walk is known to be partial, so a document naming a target
  // below a rejected OU is not a typo; the run is INCOMPLETE either way.
  if (org.rejected.length === 0) checkDocumentsAgainstOrg(request, begun.documents, org);
  return org;
}

/** The fan-out's tuning from the audit's. */
export function fetchOptionsOf(tuning: AuditTuning): FetchOptions {
  return {
    groupSize: tuning.batchGroupSize,
    concurrency: tuning.maxConcurrency,
    requestsPerSecond: tuning.securityHubRequestsPerSecond,
    burst: tuning.securityHubBurst,
    maxRedriveAttempts: tuning.redriveMaxAttempts,
    baseDelayMs: tuning.redriveBaseDelayMs,
    maxDelayMs: tuning.redriveMaxDelayMs,
  };
}

/** Counts of a run spread over several invocations, added to this invocation's own. */
export interface CarriedCounts {
  /** Epoch ms the run's first invocation started. */
  readonly startedAt: number;
  readonly organizationsApiCalls: number;
  readonly organizationsThrottledRequests: number;
}

/**
 * Evaluates drift on a walked organization and its fetched associations and writes the
 * report: every enumerated target reaches it exactly once.
 */
export async function finishAudit(
  deps: AuditDeps,
  request: AuditRequest,
  begun: BegunAudit,
  walked: { readonly org: OrgSnapshot; readonly fetched: FetchResult; readonly carried?: CarriedCounts },
): Promise<AuditOutcome> {
  const { run, documents } = begun;
  const { org, fetched, carried } = walked;
  const previous = await readPreviousSnapshot(deps.store, request.reportPrefix, run.runId);
  const findings = evaluateDrift({
    org,
    associations: fetched.associations,
    unprocessed: fetched.unprocessed,
    baseline: documents.baseline,
    exclusions: documents.exclusions,
    // The run's own time, so a retry that starts later judges expiry and staleness as the original did.
    now: Date.parse(run.runTime),
    pendingStaleMs: request.tuning.pendingStaleHours * 3_600_000,
  });
  const { rows, departedTargets } = buildAssociationRows({
    findings,
    runId: run.runId,
    auditedAt: run.runTime,
    previousRows: previous?.rows ?? null,
  });

  deps.onProgress?.({ phase: 'write' });
  const calls = begun.organizationsCalls();
  const summary = buildRunSummary(rows, {
    runId: run.runId,
    auditedAt: run.runTime,
    trigger: run.trigger,
    org,
    fetchStats: fetched.stats,
    organizationsApiCalls: calls.requests + (carried?.organizationsApiCalls ?? 0),
    organizationsThrottledRequests: calls.throttledRequests + (carried?.organizationsThrottledRequests ?? 0),
    departedTargets,
    previousRunId: previous?.runId ?? null,
    durationSeconds: (deps.clock.now() - (carried?.startedAt ?? begun.startedAt)) / 1000,
    prefix: request.reportPrefix,
    dt: run.dt,
  });
  const report = await writeReport(deps.store, request.reportPrefix, { rows, summary, runId: run.runId, dt: run.dt });
  if (!report.latestAdvanced) {
    deps.logger?.warn('latest/ already names a newer run and is left as it is; this run is in the dated objects only', {
      runId: run.runId,
      latestRunId: report.latestRunId,
    });
  }
  return { summary, rows, report };
}

/**
 * One complete audit: walk the organization, batch-get every target's association,
 * evaluate drift against the tree, the baseline, the exclusions and the previous run,
 * and write the report. Bad documents fail before anything is written; once the walk
 * succeeded, every enumerated target reaches the report exactly once.
 */
export async function runAudit(deps: AuditDeps, request: AuditRequest): Promise<AuditOutcome> {
  const begun = beginAudit(deps, request);
  const org = await walkForAudit(deps, request, begun);
  const fetched = await fetchAssociations(
    org.targets,
    {
      client: deps.securityHub,
      clock: deps.clock,
      sleep: deps.sleep,
      random: deps.random,
      deadline: request.deadline,
      requestCounter: deps.securityHubCounter,
      onProgress: (done, total) => deps.onProgress?.({ phase: 'fetch', done, total }),
    },
    fetchOptionsOf(request.tuning),
  );
  if (fetched.stats.deadlineReached) {
    deps.logger?.warn('Deadline reached while re-driving; the run is written as it stands', { runId: begun.run.runId });
  }
  return finishAudit(deps, request, begun, { org, fetched });
}
