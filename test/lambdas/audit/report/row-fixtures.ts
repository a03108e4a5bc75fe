/** Rows and summaries for the report, digest, metrics and CLI tests. Not a test file itself. */
import type { Association, FetchStats } from '../../../../lambdas/audit/model';
import { evaluateDrift } from '../../../../lambdas/audit/drift/drift-rules';
import { compareWithHistory } from '../../../../lambdas/audit/history/compare-history';
import { toPreviousRun } from '../../../../lambdas/audit/history/previous-run';
import {
  buildAssociationRows,
  emptyRow,
  type AssociationRow,
  type RowNames,
} from '../../../../lambdas/audit/report/rows';
import { buildRunSummary, type RunSummary } from '../../../../lambdas/audit/report/summary';
import { DEEP, L1, L2, L3, L4, P1, P2, ROOT, TOP, assoc, deepOrg, mapOf, unprocessedOf } from '../drift/fixtures';

export const RUN_TIME = '2026-11-26T02:00:00.000Z';
export const RUN_ID = '20261126T020000Z';
export const DT = '2026-11-26';

export const STATS: FetchStats = {
  apiCalls: 12,
  throttledRequests: 3,
  redriveAttempts: 2,
  splitGroups: 0,
  deadlineReached: false,
};

/**
 * A run over {@link deepOrg} with a bit of everything: L3 unprocessed, DEEP failed and
 * excluded, TOP out of line with the baseline, L4 with an expired exclusion.
 */
export function sampleRows(
  runId = RUN_ID,
  auditedAt = RUN_TIME,
  previousRows: AssociationRow[] | null = null,
  names: RowNames = {},
) {
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
  const history = compareWithHistory(findings, previousRows && toPreviousRun('previous', previousRows), auditedAt);
  return {
    rows: buildAssociationRows(findings, history.byTarget, { runId, auditedAt }, names),
    departedTargets: history.departedTargets,
  };
}

/** The run time a run id names, e.g. `20261126T020000Z-manual-0a1b2c` → `2026-11-26T02:00:00.000Z`. */
export function runTimeOf(runId: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(runId);
  if (!m) throw new Error(`not a run id: ${runId}`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
}

export function sampleSummary(
  rows: readonly AssociationRow[],
  runId = RUN_ID,
  previousRunId: string | null = null,
  dt = DT,
): RunSummary {
  return buildRunSummary(rows, {
    runId,
    auditedAt: runTimeOf(runId),
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

/** A row with every column set; override what the test is about. */
export function row(overrides: Partial<AssociationRow> & Pick<AssociationRow, 'target_id'>): AssociationRow {
  const target = { id: overrides.target_id, type: 'ACCOUNT' as const, name: `name-${overrides.target_id}` };
  return {
    ...emptyRow({ ...target, parentId: 'r-ab12', ouPath: 'r-ab12' }, { runId: RUN_ID, auditedAt: RUN_TIME }),
    account_status: 'ACTIVE',
    ou_path_names: 'Root',
    ...overrides,
  };
}

/** A real summary (from the report fixtures) with the given counts. */
export function summaryWith(overrides: Partial<RunSummary>): RunSummary {
  return { ...sampleSummary(sampleRows().rows), ...overrides };
}
