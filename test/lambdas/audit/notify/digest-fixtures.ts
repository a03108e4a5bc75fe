/** Rows and a summary for the digest tests. Not a test file itself. */
import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import type { RunSummary } from '../../../../lambdas/audit/report/summary';
import { sampleRows, sampleSummary } from '../report/row-fixtures';

/** A row with every column set; override what the test is about. */
export function row(overrides: Partial<AssociationRow> & Pick<AssociationRow, 'target_id'>): AssociationRow {
  return {
    run_id: '20261126T020000Z',
    audited_at: '2026-11-26T02:00:00.000Z',
    target_type: 'ACCOUNT',
    target_name: `name-${overrides.target_id}`,
    parent_id: 'r-ab12',
    ou_path: 'r-ab12',
    account_status: 'ACTIVE',
    configuration_policy_id: null,
    association_type: null,
    association_status: null,
    association_status_message: null,
    updated_at: null,
    expected_policy_id: null,
    baseline_policy_id: null,
    drift: false,
    drift_reasons: [],
    audit_result: 'OK',
    changes: [],
    error_code: null,
    error_reason: null,
    first_drift_seen: null,
    excluded_reason: null,
    exclusion_expires: null,
    exclusion_expired: false,
    ...overrides,
  };
}

/** A real summary (from the report fixtures) with the given counts. */
export function summaryWith(overrides: Partial<RunSummary>): RunSummary {
  return { ...sampleSummary(sampleRows().rows), ...overrides };
}
