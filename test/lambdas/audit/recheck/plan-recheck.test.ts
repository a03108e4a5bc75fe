import { emptyRow } from '../../../../lambdas/audit/report/rows';
import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { KnownTree } from '../../../../lambdas/audit/recheck/known-tree';
import { planRecheck } from '../../../../lambdas/audit/recheck/plan-recheck';
import type { Change, ChangeScope } from '../../../../lambdas/audit/types/recheck';

const RUN = { runId: 'run-1', auditedAt: '2026-12-05T00:00:00.000Z' };
const POLICY = '11111111-2222-3333-4444-555555555555';
const OTHER_POLICY = '99999999-2222-3333-4444-555555555555';

function row(
  id: string,
  type: AssociationRow['target_type'],
  parentId: string | null,
  policy?: string,
): AssociationRow {
  return { ...emptyRow({ id, type, name: id, parentId, ouPath: '' }, RUN), configuration_policy_id: policy ?? null };
}

/** r-ab12 > ou-ab12-11111111 (policy) > 2 accounts; r-ab12 > ou-ab12-22222222 > 1 account. */
const TREE = new KnownTree([
  row('r-ab12', 'ROOT', null, OTHER_POLICY),
  row('ou-ab12-11111111', 'ORGANIZATIONAL_UNIT', 'r-ab12', POLICY),
  row('111111111111', 'ACCOUNT', 'ou-ab12-11111111', POLICY),
  row('111111111112', 'ACCOUNT', 'ou-ab12-11111111', POLICY),
  row('ou-ab12-22222222', 'ORGANIZATIONAL_UNIT', 'r-ab12', OTHER_POLICY),
  row('222222222221', 'ACCOUNT', 'ou-ab12-22222222', OTHER_POLICY),
]);

let next = 0;
function change(scope: ChangeScope, eventId = `e-${(next += 1)}`, eventTime = 1_000 + next): Change {
  return { eventId, eventName: 'Test', service: 'organizations', eventTime, scope };
}

const OPTIONS = { coalesceAt: 3, maxTargets: 100 };

describe('planRecheck', () => {
  it('looks up a moved account, once however often the event was delivered', () => {
    const moved = change({ kind: 'ACCOUNT', accountId: '222222222221', parentId: 'ou-ab12-11111111' }, 'same');
    const plan = planRecheck([moved, moved, { ...moved }], TREE, OPTIONS);
    expect(plan.changes).toHaveLength(1);
    expect(plan.lookUp).toEqual(['222222222221']);
    expect(plan.subtrees).toEqual([]);
  });

  it('lists the destination once when many accounts moved into it (a burst is one subtree re-check)', () => {
    const moves = ['111111111111', '111111111112', '222222222221', '333333333333'].map((accountId) =>
      change({ kind: 'ACCOUNT', accountId, parentId: 'ou-ab12-22222222' }),
    );
    const plan = planRecheck(moves, TREE, OPTIONS);
    expect(plan.subtrees).toEqual(['ou-ab12-22222222']);
    // The listing finds them where they are now: none is looked up on its own.
    expect(plan.lookUp).toEqual([]);
  });

  it('finds every target applying or inheriting an edited policy in the known tree, case-insensitively', () => {
    const plan = planRecheck([change({ kind: 'POLICY', policyId: POLICY.toUpperCase() })], TREE, OPTIONS);
    expect([...plan.placed].sort()).toEqual(['111111111111', '111111111112', 'ou-ab12-11111111']);
    expect(plan.deferred).toEqual([]);
  });

  it('lists the subtree of an OU whose association changed, and looks up an account', () => {
    const plan = planRecheck(
      [change({ kind: 'TARGET', targetId: 'ou-ab12-11111111' }), change({ kind: 'TARGET', targetId: '222222222221' })],
      TREE,
      OPTIONS,
    );
    expect(plan.subtrees).toEqual(['ou-ab12-11111111']);
    expect(plan.lookUp).toEqual(['222222222221']);
  });

  it('confirms departures live and defers what needs a tree it does not have', () => {
    const plan = planRecheck(
      [change({ kind: 'ACCOUNT_GONE', accountId: '111111111111' }), change({ kind: 'ORGANIZATION' })],
      null,
      OPTIONS,
    );
    expect(plan.gone).toEqual(['111111111111']);
    expect(plan.placed).toEqual([]);
    expect(plan.deferred).toHaveLength(1);
    expect(plan.deferred[0]).toMatch(/no trusted full run/);
  });

  it('leaves a change broader than the limit to the nightly run, and says so', () => {
    const plan = planRecheck(
      [change({ kind: 'ORGANIZATION' }), change({ kind: 'ACCOUNT', accountId: '444444444444', parentId: null })],
      TREE,
      { coalesceAt: 3, maxTargets: 3 },
    );
    expect(plan.placed).toEqual([]);
    expect(plan.lookUp).toEqual(['444444444444']);
    expect(plan.deferred.join(' ')).toMatch(/nightly run covers them/);
  });

  it('never loops on a forged cycle in the known rows', () => {
    const cyclic = new KnownTree([
      row('ou-ab12-33333333', 'ORGANIZATIONAL_UNIT', 'ou-ab12-44444444'),
      row('ou-ab12-44444444', 'ORGANIZATIONAL_UNIT', 'ou-ab12-33333333'),
    ]);
    expect(cyclic.subtree('ou-ab12-33333333').sort()).toEqual(['ou-ab12-33333333', 'ou-ab12-44444444']);
  });
});
