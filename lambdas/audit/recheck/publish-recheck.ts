/**
 * Publishing a re-check: only what changed. Findings for the changed targets and the
 * targets found gone, through the nightly machinery (same finding ids, same lifecycle,
 * UpdatedAt strictly later), scoped so a partial re-check never archives a finding of a
 * target it did not look at; a digest only when there is new drift, rendered by the
 * nightly renderers (worst first, every value escaped) and saying it is a re-check and
 * what triggered it; and the re-check's metrics.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { AssociationRow } from '../report/rows';
import type { PreviousRunStatus } from '../model';
import type { DigestOptions, DigestSummary, DriftDigest } from '../types/digest';
import { publishFindings, type PublishFindingsDeps, type PublishFindingsResult } from '../findings/publish-findings';
import type { FindingsDestination } from '../findings/run-findings';
import { buildDriftDigest } from '../notify/drift-digest';
import { publishDigest } from '../notify/publish-digest';
import { addRecheckMetrics } from '../metrics/audit-metrics';
import { boundedReason } from '../history/trusted-latest';
import type { RecheckRecord } from './recheck-record';
import type { KnownComparison } from './recheck-changes';

/** What the re-check compared with, as the digest tells it. */
export interface KnownStateNote {
  /** OK: the full run (and the overlay, when trusted); UNTRUSTED: something was not, so more alerts; NONE: no full run. */
  readonly status: PreviousRunStatus;
  /** Why, when UNTRUSTED; bounded and display-safe. */
  readonly reason: string | null;
}

/** What {@link publishRecheck} publishes. */
export interface RecheckPublishInput {
  /** Where findings go; absent: none are published (`publishFindings` off). */
  readonly destination?: FindingsDestination;
  /** The record as written: id, time, events, counts, associations key. */
  readonly record: RecheckRecord;
  readonly comparison: KnownComparison;
  /** The last known rows of targets the re-check found gone from the organization: their findings close. */
  readonly gone: readonly AssociationRow[];
  /** The known row of a target (full run overlaid by the state), for a finding to archive when Security Hub could not be read. */
  readonly known: (targetId: string) => AssociationRow | undefined;
  readonly knownState: KnownStateNote;
  /** SNS topic of the digest; `null`: no digest is sent. */
  readonly topicArn: string | null;
  readonly digestOptions: DigestOptions;
  /** Epoch ms after which no more findings are sent. */
  readonly deadline?: number;
}

/** Collaborators, injected so tests never wait. */
export interface RecheckPublishDeps {
  readonly findings: PublishFindingsDeps;
  readonly sns: SNSClient;
  readonly metrics: Metrics;
}

/** How the digest went: not needed (no new drift, or no topic), sent, or failed (the error, bounded). */
type RecheckDigestOutcome =
  { readonly status: 'NONE' | 'NO_TOPIC' | 'SENT' } | { readonly status: 'FAILED'; readonly reason: string };

/** The outcome of {@link publishRecheck}. */
export interface RecheckPublishResult {
  /** `null` when findings are not published. */
  readonly findings: PublishFindingsResult | null;
  readonly digest: RecheckDigestOutcome;
}

function count(rows: readonly AssociationRow[], predicate: (row: AssociationRow) => boolean): number {
  return rows.reduce((n, row) => (predicate(row) ? n + 1 : n), 0);
}

/**
 * The digest's view of a re-check: counts over the re-checked targets, the re-check id
 * and time, the names of the events behind it, and whether what it compared with was trusted.
 */
function recheckDigestSummary(
  record: RecheckRecord,
  rows: readonly AssociationRow[],
  knownState: KnownStateNote,
): DigestSummary {
  const unknown = count(rows, (r) => r.association_status === null);
  return {
    trigger: 'RECHECK',
    recheckEvents: record.events.map((e) => e.event_name),
    run_id: record.recheck_id,
    audited_at: record.finished_at,
    run_status: unknown === 0 ? 'COMPLETE' : 'INCOMPLETE',
    targets_reported: rows.length,
    drifted: count(rows, (r) => r.drift),
    excluded: count(rows, (r) => r.audit_result === 'EXCLUDED'),
    status_failed: count(rows, (r) => r.association_status === 'FAILED'),
    status_pending: count(rows, (r) => r.association_status === 'PENDING'),
    status_unknown: unknown,
    drift_unprocessed: count(rows, (r) => r.drift_reasons.includes('UNPROCESSED')),
    drift_missing: count(rows, (r) => r.drift_reasons.includes('MISSING')),
    new_drift: count(rows, (r) => r.changes.includes('NEW_DRIFT')),
    resolved_drift: count(rows, (r) => r.changes.includes('RESOLVED')),
    previous_run_status: knownState.status,
    previous_run_reason: knownState.reason,
  };
}

/**
 * The re-check's digest: only when it found new drift (a resolution alone waits for the
 * nightly digest and closes its finding meanwhile); resolved targets are listed with it.
 * @internal Exported for its tests.
 */
export function buildRecheckDigest(
  record: RecheckRecord,
  comparison: KnownComparison,
  knownState: KnownStateNote,
  options: DigestOptions,
): DriftDigest | null {
  if (comparison.newDrift.length === 0) return null;
  return buildDriftDigest(recheckDigestSummary(record, comparison.rows, knownState), comparison.rows, options);
}

/**
 * Findings of the changed and the gone targets only; archiving is scoped to them, so an
 * ACTIVE finding of a target this re-check did not read stays as the nightly run left it.
 * Never throws (see `publishFindings`).
 */
function publishRecheckFindings(
  deps: PublishFindingsDeps,
  destination: FindingsDestination,
  input: RecheckPublishInput,
): Promise<PublishFindingsResult> {
  const { changed } = input.comparison;
  const scope = new Set([...changed, ...input.gone].map((r) => r.target_id));
  const previous = [
    ...input.gone,
    ...changed.flatMap((r) => [input.known(r.target_id)].filter((k) => k !== undefined)),
  ];
  return publishFindings(deps, {
    ...destination,
    runId: input.record.recheck_id,
    auditedAt: input.record.finished_at,
    reportKey: input.record.associations_key,
    rows: changed,
    previous,
    walkComplete: true,
    scope,
    ...(input.deadline === undefined ? {} : { deadline: input.deadline }),
  });
}

/** Sends the digest when there is one and a topic; a failure is returned, not thrown. */
async function sendDigest(deps: RecheckPublishDeps, input: RecheckPublishInput): Promise<RecheckDigestOutcome> {
  const digest = buildRecheckDigest(input.record, input.comparison, input.knownState, input.digestOptions);
  if (digest === null) return { status: 'NONE' };
  if (input.topicArn === null) return { status: 'NO_TOPIC' };
  try {
    await publishDigest(deps.sns, input.topicArn, digest);
    return { status: 'SENT' };
  } catch (error) {
    return { status: 'FAILED', reason: boundedReason(error instanceof Error ? error.message : String(error)) };
  }
}

/**
 * Publishes a written re-check: its metrics first (they must not depend on Security Hub
 * or SNS answering), then the findings, then the digest. Never throws: the caller logs
 * the outcome and decides whether a failed digest is worth a retry.
 */
export async function publishRecheck(
  deps: RecheckPublishDeps,
  input: RecheckPublishInput,
): Promise<RecheckPublishResult> {
  addRecheckMetrics(deps.metrics, input.record);
  const { destination } = input;
  const findings = destination === undefined ? null : await publishRecheckFindings(deps.findings, destination, input);
  const digest = await sendDigest(deps, input);
  return { findings, digest };
}
