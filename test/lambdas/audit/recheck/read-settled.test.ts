import {
  BatchGetConfigurationPolicyAssociationsCommand,
  type BatchGetConfigurationPolicyAssociationsCommandInput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { readSettled } from '../../../../lambdas/audit/recheck/read-settled';
import { fakeTime } from '../../../support/fake-time';

const shMock = mockClient(SecurityHubClient);
const FETCH = {
  groupSize: 50,
  concurrency: 1,
  requestsPerSecond: 1000,
  burst: 1000,
  maxRedriveAttempts: 0,
  baseDelayMs: 0,
  maxDelayMs: 0,
};
const A = { id: '111111111111', type: 'ACCOUNT' as const };
const B = { id: '222222222222', type: 'ACCOUNT' as const };

/** Answers PENDING for a target until `settleAt` (epoch ms on the fake clock), then its final status. */
function serve(now: () => number, settle: Record<string, { at: number; status: 'SUCCESS' | 'FAILED' }>) {
  const asked: string[][] = [];
  shMock
    .on(BatchGetConfigurationPolicyAssociationsCommand)
    .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
      const ids = (input.ConfigurationPolicyAssociationIdentifiers ?? []).map((i) => i.Target!.AccountId!);
      asked.push(ids);
      return {
        ConfigurationPolicyAssociations: ids.map((id) => ({
          TargetId: id,
          ConfigurationPolicyId: '11111111-2222-3333-4444-555555555555',
          AssociationType: 'APPLIED',
          AssociationStatus: now() < settle[id].at ? 'PENDING' : settle[id].status,
        })),
      };
    });
  return asked;
}

beforeEach(() => shMock.reset());

describe('readSettled', () => {
  it('re-reads only the PENDING targets, with growing pauses, until they settle', async () => {
    const time = fakeTime();
    const start = time.now;
    const asked = serve(() => time.now, {
      [A.id]: { at: start, status: 'SUCCESS' },
      [B.id]: { at: start + 12_000, status: 'FAILED' },
    });
    const deps = { client: new SecurityHubClient({}), ...time, deadline: start + 600_000 };
    const read = await readSettled(deps, [A, B], { fetch: FETCH, waitMs: 120_000 });
    expect(asked).toEqual([[A.id, B.id], [B.id], [B.id]]);
    expect(time.sleeps).toEqual([5_000, 10_000]);
    expect(read.fetched.associations.get(B.id)?.associationStatus).toBe('FAILED');
    expect(read.fetched.associations.get(A.id)?.associationStatus).toBe('SUCCESS');
    expect(read.stillPending).toEqual([]);
    expect(read.fetched.stats.apiCalls).toBe(3);
  });

  it('stops at the wait budget and reports what is still PENDING', async () => {
    const time = fakeTime();
    serve(() => time.now, { [A.id]: { at: Number.MAX_SAFE_INTEGER, status: 'SUCCESS' } });
    const deps = { client: new SecurityHubClient({}), ...time, deadline: time.now + 600_000 };
    const read = await readSettled(deps, [A], { fetch: FETCH, waitMs: 30_000 });
    expect(time.sleeps.reduce((a, b) => a + b, 0)).toBe(30_000);
    expect(read.stillPending).toEqual([A.id]);
  });

  it('never waits past the deadline', async () => {
    const time = fakeTime();
    serve(() => time.now, { [A.id]: { at: Number.MAX_SAFE_INTEGER, status: 'SUCCESS' } });
    const deps = { client: new SecurityHubClient({}), ...time, deadline: time.now + 7_000 };
    const read = await readSettled(deps, [A], { fetch: FETCH, waitMs: 120_000 });
    expect(time.sleeps).toEqual([5_000, 2_000]);
    expect(read.stillPending).toEqual([A.id]);
  });

  it('waits only for what the changes made PENDING, not for an association stuck since before them', async () => {
    const time = fakeTime();
    const changedAt = time.now - 2_000;
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => ({
        ConfigurationPolicyAssociations: (input.ConfigurationPolicyAssociationIdentifiers ?? []).map((i) => ({
          TargetId: i.Target!.AccountId!,
          ConfigurationPolicyId: '11111111-2222-3333-4444-555555555555',
          AssociationType: 'APPLIED',
          AssociationStatus: 'PENDING',
          // A was updated by the change; B has been PENDING for a day.
          UpdatedAt: new Date(i.Target!.AccountId === A.id ? changedAt : changedAt - 86_400_000),
        })),
      }));
    const deps = { client: new SecurityHubClient({}), ...time, deadline: time.now + 600_000 };
    const read = await readSettled(deps, [A, B], { fetch: FETCH, waitMs: 20_000, changedSince: changedAt - 1_000 });
    expect(read.stillPending).toEqual([A.id]);
    expect(read.rereads).toBeGreaterThan(0);
  });

  it('ends the wait early enough to publish before the deadline', async () => {
    const time = fakeTime();
    serve(() => time.now, { [A.id]: { at: Number.MAX_SAFE_INTEGER, status: 'SUCCESS' } });
    const deps = { client: new SecurityHubClient({}), ...time, deadline: time.now + 100_000 };
    await readSettled(deps, [A], { fetch: FETCH, waitMs: 600_000, reserveMs: 60_000 });
    expect(time.sleeps.reduce((a, b) => a + b, 0)).toBe(40_000);
  });
});
