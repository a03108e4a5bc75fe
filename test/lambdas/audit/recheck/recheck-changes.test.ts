import { compareWithKnown } from '../../../../lambdas/audit/recheck/recheck-changes';
import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { row, RUN_ID, RUN_TIME } from '../report/row-fixtures';
import { RECHECK_TIME, recheckRow } from './recheck-fixtures';

const A = '111111111111';
const P1 = 'a1b2c3d4-5678-90ab-cdef-111111111111';
const P2 = 'a1b2c3d4-5678-90ab-cdef-222222222222';
const FIRST_SEEN = '2026-11-20T02:00:00.000Z';

/** The full run's row of A. */
const knownRow = (overrides: Partial<AssociationRow> = {}): AssociationRow =>
  row({
    target_id: A,
    run_id: RUN_ID,
    audited_at: RUN_TIME,
    configuration_policy_id: P1,
    association_status: 'SUCCESS',
    association_type: 'INHERITED',
    ...overrides,
  });
const drifted = (overrides: Partial<AssociationRow> = {}) =>
  knownRow({
    drift: true,
    drift_reasons: ['FAILED'],
    audit_result: 'DRIFT',
    first_drift_seen: FIRST_SEEN,
    ...overrides,
  });

const compare = (now: AssociationRow, known: AssociationRow | undefined) => compareWithKnown([now], () => known);

describe('compareWithKnown', () => {
  it('calls drift on a target the known state does not hold NEW_DRIFT, first seen now', () => {
    const out = compare(recheckRow(A, ['MISSING'], { first_drift_seen: FIRST_SEEN }), undefined);
    expect(out.rows[0]).toMatchObject({ changes: ['NEW_DRIFT'], first_drift_seen: RECHECK_TIME });
    expect(out.newDrift).toEqual(out.rows);
    expect(out.changed).toEqual(out.rows);
  });

  it('reports nothing for an unknown target without drift', () => {
    const out = compare(recheckRow(A), undefined);
    expect(out.rows[0].changes).toEqual([]);
    expect(out.changed).toEqual([]);
  });

  it('calls drift that is gone RESOLVED, with no first drift time', () => {
    const out = compare(recheckRow(A), drifted());
    expect(out.rows[0]).toMatchObject({ changes: ['RESOLVED'], first_drift_seen: null });
    expect(out.resolved).toEqual(out.rows);
    expect(out.newDrift).toEqual([]);
  });

  it('keeps the first drift time of continued drift and reports no change', () => {
    const out = compare(
      recheckRow(A, ['FAILED'], { association_status: 'FAILED' }),
      drifted({ association_status: 'FAILED' }),
    );
    expect(out.rows[0]).toMatchObject({ changes: [], first_drift_seen: FIRST_SEEN });
    expect(out.changed).toEqual([]);
  });

  it('calls another policy, status or type CHANGED, as the nightly history does', () => {
    expect(compare(recheckRow(A, [], { configuration_policy_id: P2 }), knownRow()).rows[0].changes).toEqual([
      'CHANGED',
    ]);
    expect(compare(recheckRow(A, ['FAILED']), knownRow({ configuration_policy_id: P2 })).rows[0].changes).toEqual([
      'NEW_DRIFT',
      'CHANGED',
    ]);
    // An upper-case policy id in an older row is the same policy.
    expect(compare(recheckRow(A), knownRow({ configuration_policy_id: P1.toUpperCase() })).rows[0].changes).toEqual([]);
  });

  it('does not call a target CHANGED when one side has no association state', () => {
    const unprocessed = recheckRow(A, ['UNPROCESSED'], {
      configuration_policy_id: null,
      association_status: null,
      association_type: null,
    });
    expect(compare(unprocessed, knownRow()).rows[0].changes).toEqual(['NEW_DRIFT']);
  });

  it('compares each row with its own known row', () => {
    const B = '222222222222';
    const known = new Map([[A, drifted()]]);
    const out = compareWithKnown([recheckRow(A), recheckRow(B, ['FAILED'])], (id) => known.get(id));
    expect(out.resolved.map((r) => r.target_id)).toEqual([A]);
    expect(out.newDrift.map((r) => r.target_id)).toEqual([B]);
    expect(out.changed.map((r) => r.target_id)).toEqual([A, B]);
  });
});
