/**
 * The invariants every audit run must keep, whatever the services did to it: each
 * enumerated target reported exactly once, a truthful run status, summary counts equal to
 * the rows, metrics equal to the rows, and in S3 only whole reports. Shared by the fault
 * matrix so each case states only what is special about it.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DRIFT_REASONS } from '../../lambdas/audit/model';
import { addAuditMetrics } from '../../lambdas/audit/metrics/audit-metrics';
import { reportKeys } from '../../lambdas/audit/store/report-store';
import { runIdDate } from '../../lambdas/audit/report/run-id';
import { duplicates, type EmulatedAudit, type WrittenRow } from './emulated-audit';
import type { AuditOutcome } from '../../lambdas/audit/types/audit';

/** What a case expects beyond the invariants. */
export interface ExpectedRun {
  /** Every target id the walk should have enumerated. */
  readonly targetIds: readonly string[];
  readonly runStatus: 'COMPLETE' | 'INCOMPLETE';
  /** Run ids of earlier runs in the same bucket, whose objects may also be there. */
  readonly earlierRunIds?: readonly string[];
}

const count = (rows: readonly WrittenRow[], predicate: (row: WrittenRow) => boolean): number =>
  rows.filter(predicate).length;
const withReason = (rows: readonly WrittenRow[], reason: string): number =>
  count(rows, (r) => (r.drift_reasons as string[]).includes(reason));

/** The metric values one run emits, as CloudWatch would receive them in the EMF document. */
export function emittedMetrics(summary: AuditOutcome['summary']): Record<string, unknown> {
  const metrics = new Metrics({ namespace: 'FaultMatrix', serviceName: 'fault-matrix' });
  addAuditMetrics(metrics, summary);
  return metrics.serializeMetrics();
}

/** The keys a run writes (the dated pair), from its run id. */
function datedKeys(runId: string): string[] {
  const dt = runIdDate(runId);
  if (dt === null) throw new Error(`run id ${runId} encodes no date`);
  const keys = reportKeys('', runId, dt);
  return [keys.associations, keys.run, keys.html];
}

/**
 * Reads back what the run wrote and checks every invariant; returns the rows for the
 * case's own assertions.
 */
export async function expectRunInvariants(
  audit: EmulatedAudit,
  outcome: AuditOutcome,
  expected: ExpectedRun,
): Promise<WrittenRow[]> {
  const rows = await audit.readRows(outcome.report.associationsKey);
  const run = await audit.readRun(outcome.report.runKey);
  const ids = rows.map((r) => r.target_id);

  // Every enumerated target exactly once, and nothing else.
  expect(duplicates(ids)).toEqual([]);
  expect([...ids].sort()).toEqual([...expected.targetIds].sort());

  // The stored summary is the one returned, and its counts are the rows'.
  // Signed with the run's MAC key (the returned summary is the content the MAC covers).
  expect(run).toEqual({ ...(JSON.parse(JSON.stringify(outcome.summary)) as object), mac: run.mac });
  expect(run.mac).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  const summary = outcome.summary;
  expect(summary.targets_enumerated).toBe(rows.length);
  expect(summary.targets_reported).toBe(rows.length);
  expect(summary.status_success).toBe(count(rows, (r) => r.association_status === 'SUCCESS'));
  expect(summary.status_pending).toBe(count(rows, (r) => r.association_status === 'PENDING'));
  expect(summary.status_failed).toBe(count(rows, (r) => r.association_status === 'FAILED'));
  expect(summary.status_unknown).toBe(count(rows, (r) => r.association_status === null));
  expect(summary.drifted).toBe(count(rows, (r) => r.drift === true));
  for (const reason of DRIFT_REASONS) {
    expect([reason, summary[`drift_${reason.toLowerCase()}` as keyof typeof summary]]).toEqual([
      reason,
      withReason(rows, reason),
    ]);
  }

  // Truthful status: COMPLETE exactly when every target has a definite state and none was rejected.
  const definite = summary.status_unknown === 0 && summary.targets_rejected === 0;
  expect(summary.run_status).toBe(definite ? 'COMPLETE' : 'INCOMPLETE');
  expect(summary.run_status).toBe(expected.runStatus);
  // Every row without a state says why: UNPROCESSED with its last error, or MISSING.
  for (const row of rows.filter((r) => r.association_status === null)) {
    const reasons = row.drift_reasons as string[];
    expect([row.target_id, reasons.includes('UNPROCESSED') !== reasons.includes('MISSING')]).toEqual([
      row.target_id,
      true,
    ]);
    if (reasons.includes('UNPROCESSED'))
      expect([row.target_id, typeof row.error_code]).toEqual([row.target_id, 'string']);
  }

  // Metrics as emitted equal what the rows say.
  const metrics = emittedMetrics(summary);
  expect(metrics).toMatchObject({
    FailedAssociations: count(rows, (r) => r.association_status === 'FAILED'),
    PendingAssociations: count(rows, (r) => r.association_status === 'PENDING'),
    StalePendingAssociations: withReason(rows, 'PENDING_STALE'),
    UnprocessedTargets: withReason(rows, 'UNPROCESSED'),
    MissingTargets: withReason(rows, 'MISSING'),
    DriftedTargets: count(rows, (r) => r.drift === true),
    TargetsAudited: rows.length,
    IncompleteRun: expected.runStatus === 'COMPLETE' ? 0 : 1,
  });

  // Nothing half-way: only whole sets of dated objects and the latest pointer, which names a whole run.
  const allowed = new Set([
    ...datedKeys(summary.run_id),
    ...(expected.earlierRunIds ?? []).flatMap(datedKeys),
    outcome.report.latestRunKey,
  ]);
  const keys = await audit.s3.listKeys();
  expect(keys.filter((k) => !allowed.has(k))).toEqual([]);
  expect(keys).toEqual(expect.arrayContaining(datedKeys(summary.run_id)));
  const latest = await audit.readRun(outcome.report.latestRunKey);
  expect(latest.run_id).toBe(outcome.report.latestRunId);
  expect(keys).toEqual(expect.arrayContaining(datedKeys(latest.run_id as string)));
  return rows;
}
