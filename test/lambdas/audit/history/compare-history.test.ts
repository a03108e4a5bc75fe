import type { Association } from '../../../../lambdas/audit/model';
import { evaluateDrift, type TargetFinding } from '../../../../lambdas/audit/drift/drift-rules';
import {
  compareWithHistory,
  type PreviousRun,
  type PreviousTarget,
} from '../../../../lambdas/audit/history/compare-history';
import { toPreviousRun } from '../../../../lambdas/audit/history/previous-run';
import { buildAssociationRows, type AssociationRow } from '../../../../lambdas/audit/report/rows';
import { DEEP, L1, L2, L3, L4, P1, P2, ROOT, TOP, assoc, cleanAssociations, deepOrg, mapOf } from '../drift/fixtures';

const T1 = '2026-11-24T02:00:00.000Z';
const T2 = '2026-11-25T02:00:00.000Z';
const T3 = '2026-11-26T02:00:00.000Z';
const T4 = '2026-11-27T02:00:00.000Z';

function findings(overrides: Association[] = [], drop: string[] = [], runTime = T3): TargetFinding[] {
  const associations = mapOf(cleanAssociations());
  for (const a of overrides) associations.set(a.targetId, a);
  for (const id of drop) associations.delete(id);
  return evaluateDrift({
    org: deepOrg(),
    associations,
    unprocessed: new Map(),
    now: Date.parse(runTime),
    pendingStaleMs: 86_400_000,
  });
}

function previous(targetId: string, fields: Partial<PreviousTarget> = {}): PreviousTarget {
  return {
    targetId,
    drift: false,
    firstDriftSeen: null,
    configurationPolicyId: P1,
    associationStatus: 'SUCCESS',
    associationType: targetId === ROOT ? 'APPLIED' : 'INHERITED',
    ...fields,
  };
}

const runOf = (targets: PreviousTarget[]): PreviousRun => ({ runId: '20261125T020000Z', targets });

const allPrevious = (changes: Record<string, Partial<PreviousTarget>> = {}) =>
  [ROOT, L1, L2, L3, L4, DEEP, TOP].map((id) => previous(id, changes[id]));

/** {@link compareWithHistory} against these previous targets (`null`: no previous run). */
const applyHistory = (current: TargetFinding[], targets: PreviousTarget[] | null, runTime: string) =>
  compareWithHistory(current, targets && runOf(targets), runTime);

/** Rows of a run at `runTime`, compared with the rows of the run before (`null`: first run). */
function sampleRowsAt(runTime: string, overrides: Association[], before: AssociationRow[] | null): AssociationRow[] {
  const current = findings(overrides, [], runTime);
  const history = compareWithHistory(current, before && toPreviousRun(before[0]?.run_id ?? 'none', before), runTime);
  return buildAssociationRows(current, history.byTarget, { runId: runTime, auditedAt: runTime });
}

describe('compareWithHistory', () => {
  it('marks every drifted target NEW_DRIFT on the first run, and nothing else', () => {
    const result = applyHistory(findings([assoc(TOP, P1, 'INHERITED', 'FAILED')]), null, T3);
    expect(result.byTarget.get(TOP)).toEqual({ changes: ['NEW_DRIFT'], firstDriftSeen: T3 });
    expect(result.byTarget.get(DEEP)).toEqual({ changes: [], firstDriftSeen: null });
    expect(result.departedTargets).toEqual([]);
    expect(result.byTarget.size).toBe(7);
  });

  it('NEW_DRIFT for a target drifting now but not before, and for a target new since the last run', () => {
    const rows = allPrevious().filter((r) => r.targetId !== DEEP);
    const result = applyHistory(findings([assoc(TOP, P2), assoc(DEEP, P1, 'INHERITED', 'FAILED')]), rows, T3);
    expect(result.byTarget.get(TOP)!.changes).toEqual(['NEW_DRIFT', 'CHANGED']);
    expect(result.byTarget.get(DEEP)).toEqual({ changes: ['NEW_DRIFT'], firstDriftSeen: T3 });
  });

  it('RESOLVED for a target drifted before and not now', () => {
    const rows = allPrevious({ [TOP]: { drift: true, firstDriftSeen: T1, associationStatus: 'FAILED' } });
    expect(applyHistory(findings(), rows, T3).byTarget.get(TOP)).toEqual({
      changes: ['RESOLVED', 'CHANGED'],
      firstDriftSeen: null,
    });
  });

  it('an exclusion covering ongoing drift resolves it', () => {
    const current = evaluateDrift({
      org: deepOrg(),
      associations: mapOf([...cleanAssociations(), assoc(TOP, P1, 'INHERITED', 'FAILED')]),
      unprocessed: new Map(),
      exclusions: [{ targetId: TOP, reason: 'accepted', expires: '2099-01-01' }],
      now: Date.parse(T3),
      pendingStaleMs: 1,
    });
    const rows = allPrevious({ [TOP]: { drift: true, firstDriftSeen: T1, associationStatus: 'FAILED' } });
    expect(applyHistory(current, rows, T3).byTarget.get(TOP)).toEqual({ changes: ['RESOLVED'], firstDriftSeen: null });
  });

  it.each([
    ['policy id', { configurationPolicyId: P2 }],
    ['status', { associationStatus: 'PENDING' as const }],
    ['type', { associationType: 'APPLIED' as const }],
  ])('CHANGED when the %s differs', (_what, fields) => {
    const result = applyHistory(findings(), allPrevious({ [L3]: fields }), T3);
    expect(result.byTarget.get(L3)!.changes).toEqual(['CHANGED']);
    expect([...result.byTarget.values()].filter((h) => h.changes.length > 0)).toHaveLength(1);
  });

  it('no CHANGED when either run lacks the association state, nor for a target new since the last run', () => {
    const wasUnknown = allPrevious({
      [L3]: {
        configurationPolicyId: null,
        associationStatus: null,
        associationType: null,
        drift: true,
        firstDriftSeen: T2,
      },
    });
    expect(applyHistory(findings(), wasUnknown, T3).byTarget.get(L3)!.changes).toEqual(['RESOLVED']);
    expect(applyHistory(findings([], [L3]), allPrevious(), T3).byTarget.get(L3)!.changes).toEqual(['NEW_DRIFT']);
    expect(
      applyHistory(
        findings(),
        allPrevious().filter((r) => r.targetId !== L3),
        T3,
      ).byTarget.get(L3)!.changes,
    ).toEqual([]);
  });

  it('keeps an ongoing drift quiet apart from CHANGED', () => {
    const rows = allPrevious({ [TOP]: { drift: true, firstDriftSeen: T1, associationStatus: 'FAILED' } });
    const result = applyHistory(findings([assoc(TOP, P1, 'INHERITED', 'FAILED')]), rows, T3);
    expect(result.byTarget.get(TOP)).toEqual({ changes: [], firstDriftSeen: T1 });
  });

  it('falls back to the previous row time when a drifted previous row lacks first_drift_seen', () => {
    const [prior] = sampleRowsAt(T2, [assoc(TOP, P1, 'INHERITED', 'FAILED')], null).filter((r) => r.target_id === TOP);
    const target = toPreviousRun('20261125T020000Z', [{ ...prior, first_drift_seen: null }]).targets[0];
    expect(target.firstDriftSeen).toBe(T2);
    const rows = allPrevious().map((p) => (p.targetId === TOP ? target : p));
    expect(
      applyHistory(findings([assoc(TOP, P1, 'INHERITED', 'FAILED')]), rows, T3).byTarget.get(TOP)!.firstDriftSeen,
    ).toBe(T2);
  });

  it('compares a previous row with an upper-case policy UUID as the same policy (no CHANGED)', () => {
    const policy = 'abcdef01-2345-4678-89ab-cdef01234567';
    const [prior] = sampleRowsAt(T2, [assoc(TOP, policy, 'APPLIED')], null).filter((r) => r.target_id === TOP);
    const target = toPreviousRun('20261125T020000Z', [{ ...prior, configuration_policy_id: policy.toUpperCase() }])
      .targets[0];
    expect(target.configurationPolicyId).toBe(policy);
    const rows = allPrevious().map((p) => (p.targetId === TOP ? target : p));
    const now = applyHistory(findings([assoc(TOP, policy, 'APPLIED')]), rows, T3);
    expect(now.byTarget.get(TOP)!.changes).toEqual([]);
  });

  it('lists departed targets sorted and once', () => {
    const rows = [
      ...allPrevious(),
      previous('999999999999'),
      previous('ou-ab12-99999999'),
      previous('333333333333'),
      previous('333333333333'),
    ];
    expect(applyHistory(findings(), rows, T3).departedTargets).toEqual([
      '333333333333',
      '999999999999',
      'ou-ab12-99999999',
    ]);
  });

  it('carries first_drift_seen across several runs through real rows, and restarts after a resolution', () => {
    const run = sampleRowsAt;
    const top = (rows: AssociationRow[]) => rows.find((r) => r.target_id === TOP)!;
    const failed = [assoc(TOP, P1, 'INHERITED', 'FAILED')];

    const r1 = run(T1, failed, null);
    expect(top(r1)).toMatchObject({ drift: true, changes: ['NEW_DRIFT'], first_drift_seen: T1 });
    const r2 = run(T2, failed, r1);
    expect(top(r2)).toMatchObject({ drift: true, changes: [], first_drift_seen: T1 });
    const r3 = run(T3, [assoc(TOP, P2, 'INHERITED', 'FAILED')], r2);
    expect(top(r3)).toMatchObject({ drift: true, changes: ['CHANGED'], first_drift_seen: T1 });
    const r4 = run(T4, [], r3);
    expect(top(r4)).toMatchObject({ drift: false, changes: ['RESOLVED', 'CHANGED'], first_drift_seen: null });
    const r5 = run('2026-11-28T02:00:00.000Z', failed, r4);
    expect(top(r5)).toMatchObject({
      drift: true,
      changes: ['NEW_DRIFT', 'CHANGED'],
      first_drift_seen: '2026-11-28T02:00:00.000Z',
    });
    for (const rows of [r1, r2, r3, r4, r5]) {
      expect(
        rows.filter((r) => r.target_id !== TOP).every((r) => r.first_drift_seen === null && r.changes.length === 0),
      ).toBe(true);
    }
  });
});
