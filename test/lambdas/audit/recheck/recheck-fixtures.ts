/** Re-check rows and ids for the re-check tests. Not a test file itself. */
import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { row } from '../report/row-fixtures';

/** A re-check on the day after the full run {@link FULL_RUN_ID}. */
export const RECHECK_ID = 'recheck-20261127T101500Z-0a1b2c';
export const RECHECK_TIME = '2026-11-27T10:15:00.000Z';
export const FULL_RUN_ID = '20261126T020000Z';
/** The clock of the tests: a little after the re-check. */
export const NOW = Date.parse('2026-11-27T10:20:00.000Z');

/** A re-checked account row (run_id the re-check's), drifted with `reasons` when given. */
export function recheckRow(
  targetId: string,
  reasons: AssociationRow['drift_reasons'] = [],
  overrides: Partial<AssociationRow> = {},
): AssociationRow {
  const drift = reasons.length > 0;
  return row({
    target_id: targetId,
    run_id: RECHECK_ID,
    audited_at: RECHECK_TIME,
    configuration_policy_id: 'a1b2c3d4-5678-90ab-cdef-111111111111',
    association_status: drift && reasons.includes('FAILED') ? 'FAILED' : 'SUCCESS',
    association_type: 'INHERITED',
    drift,
    drift_reasons: reasons,
    audit_result: drift ? 'DRIFT' : 'OK',
    first_drift_seen: drift ? RECHECK_TIME : null,
    severity: drift ? 'HIGH' : null,
    ...overrides,
  });
}
