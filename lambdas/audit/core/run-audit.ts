import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AuditTuning } from '../config';
import type { Baseline, Clock, Exclusion, FetchResult, OrgSnapshot, Sleep } from '../model';
import { countFromNow, type RequestCounter } from '../aws/request-counter';
import { collectAssociations } from './collect-associations';
import { parseBaseline } from '../drift/baseline';
import { parseExclusions } from '../drift/exclusions';
import { checkKnownTargets } from '../drift/known-targets';
import { evaluateDrift, type TargetFinding } from '../drift/drift-rules';
import { compareWithHistory, type HistoryResult } from '../drift/history';
import { readPreviousRun, type PreviousRunRead } from '../report/read-previous';
import { buildAssociationRows, encodeRows, type AssociationRow, type EncodedRows } from '../report/rows';
import { buildRunSummary, type RunSummary } from '../report/summary';
import { deriveRunId, type RunIdentity } from '../report/run-id';
import type { ReportStore } from '../report/report-store';
import { writeReport, type WrittenReport } from '../report/write-report';
import { publishRunFindings, type FindingsDestination } from '../findings/run-findings';
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
  /** Publish the run's drift as Security Hub findings to this account's product; absent: not published. */
  readonly findings?: FindingsDestination;
}

/** The result of one audit run. */
export interface AuditOutcome {
  readonly summary: RunSummary;
  readonly rows: readonly AssociationRow[];
  readonly report: WrittenReport;
  /** How publishing the findings went; absent when they were not published. */
  readonly findings?: PublishFindingsResult;
}

interface ParsedDocuments {
  readonly baseline?: Baseline;
  readonly exclusions?: readonly Exclusion[];
}

function parseDocuments(request: AuditRequest): ParsedDocuments {
  return {
    baseline: request.baseline && parseBaseline(request.baseline.text, request.baseline.source),
    exclusions: request.exclusions && parseExclusions(request.exclusions.text, request.exclusions.source),
  };
}

function checkDocumentsAgainstOrg(request: AuditRequest, documents: ParsedDocuments, org: OrgSnapshot): void {
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

/** The run's identity and start, shared by every step. */
interface RunContext {
  readonly deps: AuditDeps;
  readonly request: AuditRequest;
  readonly run: RunIdentity;
  readonly startedAt: number;
}

/**
 * Walk and fetch as one pipeline: Security Hub reads start as soon as the walk has found a
 * group's worth of targets. The documents are checked against the organization once the
 * walk is complete; a bad document still fails the run before anything is written.
 */
async function collectStep(
  ctx: RunContext,
  documents: ParsedDocuments,
): Promise<{ org: OrgSnapshot; fetched: FetchResult }> {
  const { deps, request, run } = ctx;
  const { org, fetched } = await collectAssociations(deps, { tuning: request.tuning, deadline: request.deadline });
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
  if (org.rejected.length === 0) checkDocumentsAgainstOrg(request, documents, org);
  if (fetched.stats.deadlineReached) {
    deps.logger?.warn('Deadline reached while re-driving; the run is written as it stands', { runId: run.runId });
  }
  return { org, fetched };
}

/** Evaluate: one finding per walked target, against the tree, the baseline and the exclusions. */
function evaluateStep(
  ctx: RunContext,
  org: OrgSnapshot,
  fetched: FetchResult,
  documents: ParsedDocuments,
): TargetFinding[] {
  return evaluateDrift({
    org,
    associations: fetched.associations,
    unprocessed: fetched.unprocessed,
    baseline: documents.baseline,
    exclusions: documents.exclusions,
    // The run's own time, so a retry that starts later judges expiry and staleness as the original did.
    now: Date.parse(ctx.run.runTime),
    pendingStaleMs: ctx.request.tuning.pendingStaleHours * 3_600_000,
  });
}

/**
 * Read history: the previous run this one compares with, verified. Untrusted history is
 * not an error: the run goes on without it (every drifted target counts as new drift).
 */
async function readHistoryStep(ctx: RunContext): Promise<PreviousRunRead> {
  const { deps, request, run } = ctx;
  const history = await readPreviousRun(deps.store, request.reportPrefix, run.runId, deps.clock.now());
  if (history.status === 'UNTRUSTED') {
    deps.logger?.warn(
      'Previous run snapshot not trusted; comparing with nothing, so every drifted target is new drift',
      {
        runId: run.runId,
        reason: history.reason ?? '',
      },
    );
  }
  return history;
}

/** Summarise: the run's counts, checked against the walk (every target exactly once). */
function summariseStep(
  ctx: RunContext,
  parts: {
    readonly org: OrgSnapshot;
    readonly fetched: FetchResult;
    readonly rows: readonly AssociationRow[];
    readonly history: HistoryResult;
    readonly previous: PreviousRunRead;
    readonly encoded: EncodedRows;
    readonly organizationsCalls: RequestCounter;
  },
): RunSummary {
  const { deps, request, run } = ctx;
  return buildRunSummary(parts.rows, {
    runId: run.runId,
    auditedAt: run.runTime,
    trigger: run.trigger,
    org: parts.org,
    fetchStats: parts.fetched.stats,
    organizationsApiCalls: parts.organizationsCalls.requests,
    organizationsThrottledRequests: parts.organizationsCalls.throttledRequests,
    departedTargets: parts.history.departedTargets,
    previousRunId: parts.previous.snapshot?.runId ?? null,
    previousRunStatus: parts.previous.status,
    previousRunReason: parts.previous.reason,
    associationsSha256: parts.encoded.sha256,
    durationSeconds: (deps.clock.now() - ctx.startedAt) / 1000,
    prefix: request.reportPrefix,
    dt: run.dt,
  });
}

/** Write: dated associations, dated run, then latest/ (never backwards). */
async function writeStep(
  ctx: RunContext,
  rows: readonly AssociationRow[],
  encoded: EncodedRows,
  summary: RunSummary,
): Promise<WrittenReport> {
  const { deps, request, run } = ctx;
  const report = await writeReport(
    deps.store,
    request.reportPrefix,
    { rows, encoded, summary, runId: run.runId, dt: run.dt },
    deps.clock.now(),
  );
  if (report.replacedUntrustedLatest !== undefined) {
    deps.logger?.warn('latest/run.json could not be trusted and was replaced by this run', {
      runId: run.runId,
      reason: report.replacedUntrustedLatest,
    });
  }
  if (!report.latestAdvanced) {
    deps.logger?.warn('latest/ already names a newer run and is left as it is; this run is in the dated objects only', {
      runId: run.runId,
      latestRunId: report.latestRunId,
    });
  }
  return report;
}

/**
 * Publish findings: after the report is written, so a findings failure can never lose it;
 * never throws. Untrusted or missing history archives nothing (findings stay open: more
 * alerting, not less).
 */
async function findingsStep(
  ctx: RunContext,
  rows: readonly AssociationRow[],
  previous: PreviousRunRead,
  report: WrittenReport,
): Promise<PublishFindingsResult | undefined> {
  const { deps, request, run } = ctx;
  if (request.findings === undefined) return undefined;
  const published = await publishRunFindings(deps, {
    destination: request.findings,
    rows,
    previous: previous.rows,
    runId: run.runId,
    auditedAt: run.runTime,
    reportKey: report.associationsKey,
    requestsPerSecond: request.tuning.securityHubRequestsPerSecond,
    burst: request.tuning.securityHubBurst,
    // Half the margin kept for writing the report, so the run still ends in time.
    deadline: request.deadline + (request.tuning.deadlineMarginSeconds * 1000) / 2,
  });
  if (published.failed > 0) {
    deps.logger?.warn('Some Security Hub findings could not be published; the report is complete', {
      runId: run.runId,
      published: published.published,
      failed: published.failed,
      examples: published.failures
        .slice(0, 5)
        .map((f) => `${f.id} ${f.errorCode}`)
        .join('; '),
    });
  }
  return published;
}

/**
 * One complete audit, as a pipeline: read and verify the previous run, walk the
 * organization, fetch every target's association, evaluate drift, compare with the
 * previous run, build the rows, summarise, write. Bad documents and a failing store end
 * the run before the walk (in seconds); untrusted history only makes it alert on every
 * drifted target. Once the walk succeeded, every enumerated target reaches the report
 * exactly once.
 */
export async function runAudit(deps: AuditDeps, request: AuditRequest): Promise<AuditOutcome> {
  const startedAt = deps.clock.now();
  const organizationsCalls = countFromNow(deps.organizationsCounter);
  const run = deriveRunId({ scheduledTime: request.scheduledTime, now: startedAt, random: deps.random });
  const ctx: RunContext = { deps, request, run, startedAt };
  const documents = parseDocuments(request);

  const previous = await readHistoryStep(ctx);

  const { org, fetched } = await collectStep(ctx, documents);
  const findings = evaluateStep(ctx, org, fetched, documents);
  const history = compareWithHistory(findings, previous.snapshot, run.runTime);
  const rows = buildAssociationRows(findings, history.byTarget, { runId: run.runId, auditedAt: run.runTime });

  deps.onProgress?.({ phase: 'write' });
  const encoded = encodeRows(rows);
  const summary = summariseStep(ctx, {
    org,
    fetched,
    rows,
    history,
    previous,
    encoded,
    organizationsCalls: organizationsCalls(),
  });
  const report = await writeStep(ctx, rows, encoded, summary);
  const findingsResult = await findingsStep(ctx, rows, previous, report);
  return findingsResult ? { summary, rows, report, findings: findingsResult } : { summary, rows, report };
}
