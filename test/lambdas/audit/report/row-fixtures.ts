/** Rows and summaries for report tests. Not a test file itself. */
import type { Association, FetchStats } from '../../../../lambdas/audit/model';
import { evaluateDrift } from '../../../../lambdas/audit/drift/drift-rules';
import { buildAssociationRows, type AssociationRow } from '../../../../lambdas/audit/report/rows';
import { buildRunSummary, type RunSummary } from '../../../../lambdas/audit/report/summary';
import { DEEP, L1, L2, L3, L4, P1, P2, ROOT, TOP, assoc, deepOrg, mapOf, unprocessedOf } from '../drift/fixtures';

export const RUN_TIME = '2026-11-26T02:00:00.000Z';
export const RUN_ID = '20261126T020000Z';
export const DT = '2026-11-26';

export const STATS: FetchStats = { apiCalls: 12, throttledRequests: 3, redriveAttempts: 2, splitGroups: 0, deadlineReached: false };

/**
 * A run over {@link deepOrg} with a bit of everything: L3 unprocessed, DEEP failed and
 * excluded, TOP out of line with the baseline, L4 with an expired exclusion.
 */
export function sampleRows(runId = RUN_ID, auditedAt = RUN_TIME, previousRows: AssociationRow[] | null = null) {
  const associations: Association[] = [
    assoc(ROOT, P1, 'APPLIED'),
    assoc(L1, P1),
    assoc(L2, P1, 'INHERITED', 'PENDING', '2026-11-26T01:00:00.000Z', 'Applying'),
    assoc(L4, P1),
    assoc(DEEP, P1, 'INHERITED', 'FAILED', '2026-11-25T00:00:00.000Z', 'Access denied'),
    assoc(TOP, P2, 'APPLIED'),
  ];
  const findings = evaluateDrift({
    org: deepOrg(),
    associations: mapOf(associations),
    unprocessed: mapOf([unprocessedOf(L3, 'ThrottlingException', 'Rate exceeded')]),
    baseline: new Map([[ROOT, P1]]),
    exclusions: [
      { targetId: DEEP, reason: 'Being fixed, CHG-7', expires: '2026-12-31' },
      { targetId: L4, reason: 'Old', expires: '2026-01-31' },
    ],
    now: Date.parse(auditedAt),
    pendingStaleMs: 86_400_000,
  });
  return buildAssociationRows({ findings, runId, auditedAt, previousRows });
}

export function sampleSummary(rows: readonly AssociationRow[], runId = RUN_ID, previousRunId: string | null = null, dt = DT): RunSummary {
  return buildRunSummary(rows, {
    runId,
    auditedAt: RUN_TIME,
    trigger: 'SCHEDULED',
    org: deepOrg(),
    fetchStats: STATS,
    organizationsApiCalls: 9,
    departedTargets: [],
    previousRunId,
    durationSeconds: 12.3456,
    prefix: 'audit/',
    dt,
  });
}
