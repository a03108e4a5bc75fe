import type { Association } from '../../../../lambdas/audit/model';
import { TargetLedger } from '../../../../lambdas/audit/securityhub/target-ledger';

const A = { id: '111111111111', type: 'ACCOUNT' as const };
const B = { id: '222222222222', type: 'ACCOUNT' as const };
const C = { id: '333333333333', type: 'ACCOUNT' as const };

const association = (targetId: string): Association => ({
  targetId,
  configurationPolicyId: 'SELF_MANAGED_SECURITY_HUB',
  associationType: 'APPLIED',
  associationStatus: 'SUCCESS',
  associationStatusMessage: null,
  updatedAt: null,
});

describe('TargetLedger', () => {
  it('adds each id once, first occurrence first', () => {
    const ledger = new TargetLedger();
    expect(ledger.add([A, B, A]).map((e) => e.target.id)).toEqual([A.id, B.id]);
    expect(ledger.add([B, C]).map((e) => e.target.id)).toEqual([C.id]);
    expect(ledger.total).toBe(3);
    expect(() => ledger.entriesOf(['999999999999'])).toThrow(/not in the fan-out's ledger/);
  });

  it('applies outcomes: found, unprocessed (retryable or not) and unmentioned', () => {
    const ledger = new TargetLedger();
    const group = ledger.add([A, B, C]);
    ledger.recordSent(group);
    const retry = ledger.applyOutcomes(
      group,
      new Map([
        [A.id, { kind: 'FOUND' as const, association: association(A.id) }],
        [B.id, { kind: 'UNPROCESSED' as const, errorCode: '429', errorReason: 'slow down' }],
      ]),
    );
    expect(retry).toEqual([B.id]);
    expect(ledger.associations.get(A.id)).toEqual(association(A.id));
    expect(ledger.unprocessed.get(B.id)).toEqual({
      targetId: B.id,
      errorCode: '429',
      errorReason: 'slow down',
      attempts: 1,
    });
    expect(ledger.associations.has(C.id) || ledger.unprocessed.has(C.id)).toBe(false);

    // A later answer that no longer mentions B drops its stale error.
    ledger.recordSent([group[1]]);
    ledger.applyOutcomes([group[1]], new Map());
    expect(ledger.unprocessed.has(B.id)).toBe(false);
  });

  it('fails a whole group, re-driving only retryable codes', () => {
    const ledger = new TargetLedger();
    const group = ledger.add([A, B]);
    expect(ledger.failGroup(group, 'InternalException', 'boom')).toEqual([A.id, B.id]);
    expect(ledger.failGroup(group, 'MALFORMED_RESPONSE', 'bad')).toEqual([]);
    expect(ledger.unprocessed.get(A.id)).toMatchObject({ errorCode: 'MALFORMED_RESPONSE', errorReason: 'bad' });
  });

  it('marks targets never sent DEADLINE_EXCEEDED but keeps what re-driven ones knew', () => {
    const ledger = new TargetLedger();
    const group = ledger.add([A, B]);
    ledger.failGroup([group[0]], '503', 'unavailable');
    ledger.markNotSent(group);
    expect(ledger.unprocessed.get(A.id)).toMatchObject({ errorCode: '503' });
    expect(ledger.unprocessed.get(B.id)).toMatchObject({ errorCode: 'DEADLINE_EXCEEDED', attempts: 0 });
  });

  it('counts settled targets once', () => {
    const ledger = new TargetLedger();
    const group = ledger.add([A, B]);
    expect(ledger.settle(group)).toBe(2);
    expect(ledger.settle([group[0]])).toBe(2);
  });
});
