import { foldFetchResult, freshProgress, settleProgress } from '../../../../lambdas/audit/checkpoint/fetch-progress';
import type { Association, FetchResult, UnprocessedTarget } from '../../../../lambdas/audit/model';

const association = (targetId: string): Association => ({
  targetId,
  configurationPolicyId: 'SELF_MANAGED_SECURITY_HUB',
  associationType: 'APPLIED',
  associationStatus: 'SUCCESS',
  associationStatusMessage: null,
  updatedAt: null,
});
const unprocessed = (targetId: string, errorCode: string, attempts = 1): UnprocessedTarget => ({
  targetId,
  errorCode,
  errorReason: 'reason',
  attempts,
});
const result = (associations: Association[], left: UnprocessedTarget[]): FetchResult => ({
  associations: new Map(associations.map((a) => [a.targetId, a])),
  unprocessed: new Map(left.map((u) => [u.targetId, u])),
  stats: { apiCalls: 1, throttledRequests: 0, redriveAttempts: 0, splitGroups: 0, deadlineReached: false },
});

describe('foldFetchResult', () => {
  it('sorts answers into definite ones, re-drive candidates and targets never sent', () => {
    const progress = freshProgress([]);
    const notSent = foldFetchResult(
      progress,
      ['a', 'b', 'c', 'd', 'e'],
      result(
        [association('a')],
        [unprocessed('b', '403'), unprocessed('c', '429'), unprocessed('e', 'DEADLINE_EXCEEDED', 0)],
      ),
    );
    expect([...progress.associations.keys()]).toEqual(['a']);
    expect([...progress.unprocessed.keys()]).toEqual(['b']);
    expect([...progress.redrive.keys()]).toEqual(['c']);
    // d was asked and not mentioned: MISSING, definite, in none of the lists.
    expect(notSent).toEqual(['e']);
  });

  it('adds up the attempts of a re-driven target and keeps its last real error when it is not sent', () => {
    const progress = freshProgress([]);
    foldFetchResult(progress, ['c', 'f'], result([], [unprocessed('c', '429'), unprocessed('f', '500')]));
    foldFetchResult(progress, ['c'], result([], [unprocessed('c', '503')]));
    expect(progress.redrive.get('c')).toMatchObject({ errorCode: '503', attempts: 2 });
    const notSent = foldFetchResult(progress, ['f'], result([], [unprocessed('f', 'DEADLINE_EXCEEDED', 0)]));
    expect(notSent).toEqual(['f']);
    expect(progress.redrive.get('f')).toMatchObject({ errorCode: '500', attempts: 1 });
  });
});

describe('settleProgress', () => {
  it('ends the fan-out as fetchAssociations does at its deadline', () => {
    const progress = freshProgress(['p']);
    progress.redrive.set('r', unprocessed('r', '429', 3));
    settleProgress(progress);
    expect(progress.unprocessed.get('r')).toMatchObject({ errorCode: '429', attempts: 3 });
    expect(progress.unprocessed.get('p')).toMatchObject({ errorCode: 'DEADLINE_EXCEEDED', attempts: 0 });
    expect([progress.pending, progress.redrive.size]).toEqual([[], 0]);
  });
});
