/**
 * The steps of an audit run, shared by the one-invocation pipeline (`runAudit`) and the
 * run that spans several invocations (`checkpoint/resumable-audit.ts`): begin (name the
 * run, parse the documents, read and verify the previous run), walk (with or without the
 * fetch), evaluate, compare with history, build rows, summarise, write, publish findings.
 */
import { countFromNow, type RequestCounter } from '../aws/request-counter';
import type { Baseline, Exclusion, FetchResult, OrgSnapshot } from '../model';
import { parseBaseline } from '../drift/baseline';
import { parseExclusions } from '../drift/exclusions';
import { checkKnownTargets } from '../drift/known-targets';
import { evaluateDrift, type TargetFinding } from '../drift/drift-rules';
import { compareWithHistory, type HistoryResult } from '../history/compare-history';
import { readPreviousRun, type PreviousRunRead } from '../history/read-previous';
import { buildAssociationRows, encodeRows, type AssociationRow, type EncodedRows } from '../report/rows';
import { buildRunSummary, type RunSummary } from '../report/summary';
import { deriveRunId, type RunIdentity } from '../report/run-id';
import { writeReport, type WrittenReport } from '../report/write-report';
import { publishRunFindings } from '../findings/run-findings';
import type { PublishFindingsResult } from '../findings/publish-findings';
import { listPolicyNames } from '../securityhub/policy-names';
import { displaySafe } from '../util/display-text';
import { collectAssociations, type Collected } from './collect-associations';
import type { AuditDeps, AuditOutcome, AuditRequest } from '../types/audit';

/** The baseline and exclusions, parsed and validated. */
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

/** Fails when a document names a target the organization does not have. */
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

/** What a run knows before it walks, shared by every later step. */
export interface BegunAudit {
  readonly deps: AuditDeps;
  readonly request: AuditRequest;
  readonly run: RunIdentity;
  /** Epoch ms this invocation started. */
  readonly startedAt: number;
  readonly documents: ParsedDocuments;
  /** The previous run, read and verified before the walk. */
  readonly previous: PreviousRunRead;
  /** This invocation's Organizations calls so far. */
  readonly organizationsCalls: () => RequestCounter;
}

/**
 * Names the run, parses the documents and reads the previous run: bad documents, a bad
 * schedule time or a store that cannot be read fail here, in seconds, before any request
 * to Organizations or Security Hub.
 */
export async function beginAudit(deps: AuditDeps, request: AuditRequest): Promise<BegunAudit> {
  const startedAt = deps.clock.now();
  const organizationsCalls = countFromNow(deps.organizationsCounter);
  const run = deriveRunId({
    scheduledTime: request.scheduledTime,
    rerun: request.rerun,
    now: startedAt,
    random: deps.random,
  });
  const documents = parseDocuments(request);
  const partial = { deps, request, run, startedAt, documents, organizationsCalls };
  return { ...partial, previous: await readHistoryStep(partial) };
}

/** Logs what the walk found and checks the documents against it. */
function checkWalk(ctx: BegunAudit, org: OrgSnapshot): void {
  const { deps, request, run } = ctx;
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
  if (org.rejected.length === 0) checkDocumentsAgainstOrg(request, ctx.documents, org);
}

/**
 * Checks what a collection found: logs the walk, checks the documents against the
 * organization, and warns when the deadline cut the fetch short.
 */
export function checkCollected(ctx: BegunAudit, { org, fetched }: Collected): void {
  checkWalk(ctx, org);
  if (fetched.stats.deadlineReached) {
    ctx.deps.logger?.warn('Deadline reached while re-driving; the run is written as it stands', {
      runId: ctx.run.runId,
    });
  }
}

/**
 * Walk and fetch as one pipeline: Security Hub reads start as soon as the walk has found a
 * group's worth of targets. The documents are checked against the organization once the
 * walk is complete; a bad document still fails the run before anything is written.
 */
export async function collectStep(ctx: BegunAudit): Promise<Collected> {
  const { deps, request } = ctx;
  const collected = await collectAssociations(deps, { tuning: request.tuning, deadline: request.deadline });
  checkCollected(ctx, collected);
  return collected;
}

/**
 * Evaluate: one finding per walked target, against the tree, the baseline and the exclusions,
 * judged at `judgedAt` (the clock when the run started, epoch ms).
 */
function evaluateStep(ctx: BegunAudit, org: OrgSnapshot, fetched: FetchResult, judgedAt: number): TargetFinding[] {
  const { documents } = ctx;
  return evaluateDrift({
    org,
    associations: fetched.associations,
    unprocessed: fetched.unprocessed,
    baseline: documents.baseline,
    exclusions: documents.exclusions,
    // The clock, not the schedule time: a replayed old event must not judge an expired
    // exclusion as valid or a PENDING as fresh.
    now: judgedAt,
    pendingStaleMs: ctx.request.tuning.pendingStaleHours * 3_600_000,
  });
}

/**
 * Read history: the previous run this one compares with, verified. Untrusted history is
 * not an error: the run goes on without it (every drifted target counts as new drift).
 */
async function readHistoryStep(ctx: Omit<BegunAudit, 'previous'>): Promise<PreviousRunRead> {
  const { deps, request, run } = ctx;
  const history = await readPreviousRun(deps.store, request.reportPrefix, run.runId, deps.clock.now(), deps.mac);
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
  ctx: BegunAudit,
  parts: {
    readonly org: OrgSnapshot;
    readonly fetched: FetchResult;
    readonly rows: readonly AssociationRow[];
    readonly history: HistoryResult;
    readonly previous: PreviousRunRead;
    readonly encoded: EncodedRows;
    readonly carried?: CarriedCounts;
  },
): RunSummary {
  const { deps, request, run } = ctx;
  const calls = ctx.organizationsCalls();
  const { carried } = parts;
  return buildRunSummary(parts.rows, {
    runId: run.runId,
    auditedAt: run.runTime,
    trigger: run.trigger,
    org: parts.org,
    fetchStats: parts.fetched.stats,
    organizationsApiCalls: calls.requests + (carried?.organizationsApiCalls ?? 0),
    organizationsThrottledRequests: calls.throttledRequests + (carried?.organizationsThrottledRequests ?? 0),
    departedTargets: parts.history.departedTargets,
    previousRunId: parts.previous.snapshot?.runId ?? null,
    previousRunStatus: parts.previous.status,
    previousRunReason: parts.previous.reason,
    associationsSha256: parts.encoded.sha256,
    durationSeconds: (deps.clock.now() - (carried?.startedAt ?? ctx.startedAt)) / 1000,
    checkpointRefused: carried?.checkpointRefused ?? null,
    prefix: request.reportPrefix,
    dt: run.dt,
  });
}

/** Write: dated associations, dated run, then latest/ (never backwards). */
async function writeStep(
  ctx: BegunAudit,
  rows: readonly AssociationRow[],
  encoded: EncodedRows,
  summary: RunSummary,
): Promise<WrittenReport> {
  const { deps, request, run } = ctx;
  const report = await writeReport(
    deps.store,
    request.reportPrefix,
    { rows, encoded, summary, runId: run.runId, dt: run.dt, console: request.console },
    deps.clock.now(),
    deps.mac,
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
 * never throws. What to archive comes from Security Hub's ACTIVE findings, whatever the
 * history says; the trusted previous run only stands in when Security Hub cannot be read.
 */
async function findingsStep(
  ctx: BegunAudit,
  rows: readonly AssociationRow[],
  previous: PreviousRunRead,
  report: WrittenReport,
  summary: RunSummary,
  observedSince: number,
): Promise<PublishFindingsResult | undefined> {
  const { deps, request, run } = ctx;
  if (request.findings === undefined) return undefined;
  const published = await publishRunFindings(deps, {
    destination: request.findings,
    rows,
    previous: previous.rows,
    walkComplete: summary.targets_rejected === 0,
    runId: run.runId,
    auditedAt: run.runTime,
    reportKey: report.associationsKey,
    requestsPerSecond: request.tuning.securityHubRequestsPerSecond,
    burst: request.tuning.securityHubBurst,
    // Half the margin kept for writing the report, so the run still ends in time.
    deadline: request.deadline + (request.tuning.deadlineMarginSeconds * 1000) / 2,
    observedSince,
  });
  if (published.read.status !== 'COMPLETE') {
    deps.logger?.warn("The audit's ACTIVE findings could not all be read; archiving follows history for the rest", {
      runId: run.runId,
      reason: published.read.reason ?? '',
      found: published.read.found,
    });
  }
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
 * Names of the configuration policies, for people: a failure (a missing permission, the
 * quota) costs the names, never the report, so it is logged and the names stay empty.
 */
async function policyNamesStep(ctx: BegunAudit): Promise<ReadonlyMap<string, string> | undefined> {
  const { deps, request, run } = ctx;
  try {
    return await listPolicyNames({
      client: deps.securityHub,
      requestsPerSecond: request.tuning.securityHubRequestsPerSecond,
      burst: request.tuning.securityHubBurst,
      clock: deps.clock,
      sleep: deps.sleep,
      // A quarter of the margin kept for the report: the names must never cost the report.
      deadline: request.deadline + (request.tuning.deadlineMarginSeconds * 1000) / 4,
    });
  } catch (error) {
    deps.logger?.warn('Configuration policy names could not be listed; the report shows ids only', {
      runId: run.runId,
      error: displaySafe(error instanceof Error ? `${error.name}: ${error.message}` : String(error), 300),
    });
    return undefined;
  }
}

/** Counts of a run spread over several invocations, added to this invocation's own. */
export interface CarriedCounts {
  /** Epoch ms the run's first invocation started. */
  readonly startedAt: number;
  readonly organizationsApiCalls: number;
  readonly organizationsThrottledRequests: number;
  /** Why a checkpoint of the run was refused (it started over); `null` when none was. */
  readonly checkpointRefused: string | null;
}

/**
 * From a walked organization and its fetched associations to the written report and
 * findings: evaluate, compare with history, build rows, summarise, write, publish. Every
 * enumerated target reaches the report exactly once.
 */
export async function finishAudit(
  ctx: BegunAudit,
  walked: { readonly org: OrgSnapshot; readonly fetched: FetchResult; readonly carried?: CarriedCounts },
): Promise<AuditOutcome> {
  const { deps, run, previous } = ctx;
  const { org, fetched, carried } = walked;
  // The clock when the run started (its first invocation, for a resumed run): the real time of the run.
  const judgedAt = carried?.startedAt ?? ctx.startedAt;
  const findings = evaluateStep(ctx, org, fetched, judgedAt);
  // Drift that starts now was first seen now, not at the schedule time.
  const history = compareWithHistory(findings, previous.snapshot, new Date(judgedAt).toISOString());
  const listing = countFromNow(deps.securityHubCounter);
  const policyNames = await policyNamesStep(ctx);
  // The listing's throttled attempts count with the fan-out's: throttled_requests is every one the services answered.
  const throttled = fetched.stats.throttledRequests + listing().throttledRequests;
  const counted = { ...fetched, stats: { ...fetched.stats, throttledRequests: throttled } };
  const rows = buildAssociationRows(
    findings,
    history.byTarget,
    { runId: run.runId, auditedAt: run.runTime },
    { policyNames },
  );

  deps.onProgress?.({ phase: 'write' });
  const encoded = encodeRows(rows);
  const summary = summariseStep(ctx, { org, fetched: counted, rows, history, previous, encoded, carried });
  const report = await writeStep(ctx, rows, encoded, summary);
  const findingsResult = await findingsStep(ctx, rows, previous, report, summary, judgedAt);
  return findingsResult ? { summary, rows, report, findings: findingsResult } : { summary, rows, report };
}
