import { compareWorstFirst } from '../drift/reason-guide';
import type { AssociationRow } from '../report/rows';

/**
 * The rows a person must look at: drifted, excluded, or whose exclusion expired, worst
 * first (the reason guide's order). One selection for the table and the data formats, so
 * they never disagree.
 */
export function flaggedRows(rows: readonly AssociationRow[]): AssociationRow[] {
  return rows.filter((r) => r.audit_result !== 'OK' || r.exclusion_expired).sort(compareWorstFirst);
}
