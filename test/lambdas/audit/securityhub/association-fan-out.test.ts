import {
  BatchGetConfigurationPolicyAssociationsCommand,
  type BatchGetConfigurationPolicyAssociationsCommandInput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { AssociationFanOut } from '../../../../lambdas/audit/securityhub/association-fan-out';
import { fakeTime } from '../../../support/fake-time';
import { DEFAULT_TUNING } from '../../../support/default-tuning';

const shMock = mockClient(SecurityHubClient);

const OPTIONS = {
  groupSize: 3,
  concurrency: 2,
  requestsPerSecond: 1000,
  burst: 1000,
  maxRedriveAttempts: DEFAULT_TUNING.redriveMaxAttempts,
  baseDelayMs: 0,
  maxDelayMs: 0,
};

const accounts = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: String(100000000000 + from + i), type: 'ACCOUNT' as const }));

function serve(): string[][] {
  const calls: string[][] = [];
  shMock
    .on(BatchGetConfigurationPolicyAssociationsCommand)
    .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
      const ids = (input.ConfigurationPolicyAssociationIdentifiers ?? []).map((i) => i.Target!.AccountId!);
      calls.push(ids);
      return {
        ConfigurationPolicyAssociations: ids.map((id) => ({
          TargetId: id,
          ConfigurationPolicyId: 'SELF_MANAGED_SECURITY_HUB',
          AssociationType: 'APPLIED',
          AssociationStatus: 'SUCCESS',
        })),
      };
    });
  return calls;
}

/** Lets calls started so far run to completion. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

beforeEach(() => shMock.reset());

describe('AssociationFanOut', () => {
  it('sends a group as soon as a full one is waiting, and the partial rest only on finish', async () => {
    const time = fakeTime();
    const calls = serve();
    const fanOut = new AssociationFanOut(
      { client: new SecurityHubClient({}), ...time, deadline: time.now + 60_000 },
      OPTIONS,
    );

    fanOut.add(accounts(0, 2));
    await flush();
    expect(calls).toEqual([]);
    fanOut.add(accounts(2, 5));
    await flush();
    // Seven targets: two full groups sent, one target waiting.
    expect(calls.map((c) => c.length)).toEqual([3, 3]);
    // A target added twice is asked for once.
    fanOut.add(accounts(0, 1));
    const result = await fanOut.finish();
    expect(calls.map((c) => c.length)).toEqual([3, 3, 1]);
    expect(result.associations.size).toBe(7);
    expect(fanOut.progress).toEqual({ done: 7, total: 7 });
    expect(() => fanOut.add(accounts(10, 1))).toThrow(/finished fan-out/);
  });

  it('sends nothing more once abandoned', async () => {
    const time = fakeTime();
    const calls = serve();
    const fanOut = new AssociationFanOut(
      { client: new SecurityHubClient({}), ...time, deadline: time.now + 60_000 },
      { ...OPTIONS, concurrency: 1 },
    );
    fanOut.add(accounts(0, 9));
    await fanOut.abandon();
    expect(calls.length).toBeLessThanOrEqual(1);
  });

  it('saves its answers and carries on from them: answered targets are not asked again, the rest are', async () => {
    const time = fakeTime();
    const calls = serve();
    const deps = { client: new SecurityHubClient({}), ...time, deadline: time.now + 60_000 };
    const first = new AssociationFanOut(deps, { ...OPTIONS, concurrency: 1 });
    first.add(accounts(0, 7));
    await flush();
    // Paused with one group answered: the waiting groups are not sent.
    await first.pause();
    const saved = first.saved();
    expect(saved.associations.length + saved.unanswered.length).toBe(calls.flat().length);
    const asked = calls.flat();

    calls.length = 0;
    const second = new AssociationFanOut(deps, OPTIONS);
    second.restore(accounts(0, 7), JSON.parse(JSON.stringify(saved)) as typeof saved);
    const result = await second.finish();
    expect(calls.flat().sort()).toEqual(
      accounts(0, 7)
        .map((a) => a.id)
        .filter((id) => !asked.includes(id)),
    );
    expect([...result.associations.keys()].sort()).toEqual(accounts(0, 7).map((a) => a.id));
  });

  it('saves retryable answers for a re-drive round and counts only completed rounds', async () => {
    const time = fakeTime();
    shMock.on(BatchGetConfigurationPolicyAssociationsCommand).resolves({
      UnprocessedConfigurationPolicyAssociations: [
        {
          ConfigurationPolicyAssociationIdentifiers: { Target: { AccountId: accounts(0, 1)[0].id } },
          ErrorCode: '429',
          ErrorReason: 'slow down',
        },
      ],
    });
    const fanOut = new AssociationFanOut(
      { client: new SecurityHubClient({}), ...time, deadline: time.now + 60_000 },
      { ...OPTIONS, maxRedriveAttempts: 0 },
    );
    fanOut.add(accounts(0, 2));
    await fanOut.finish();
    const saved = fanOut.saved();
    expect(saved.redrive).toEqual([
      { targetId: accounts(0, 1)[0].id, errorCode: '429', errorReason: 'slow down', attempts: 1 },
    ]);
    // Mentioned in neither list: asked and not answered (MISSING).
    expect(saved.unanswered).toEqual([accounts(1, 1)[0].id]);
    expect(saved.redriveRounds).toBe(0);

    shMock.reset();
    const calls = serve();
    const resumed = new AssociationFanOut(
      { client: new SecurityHubClient({}), ...time, deadline: time.now + 60_000 },
      { ...OPTIONS, maxRedriveAttempts: 2 },
    );
    resumed.restore(accounts(0, 2), saved);
    const result = await resumed.finish();
    expect(calls).toEqual([[accounts(0, 1)[0].id]]);
    expect(result.associations.has(accounts(0, 1)[0].id)).toBe(true);
    expect(result.stats.redriveAttempts).toBe(1);
    expect(resumed.saved().redriveRounds).toBe(1);
  });

  it('saves targets a deadline kept from being sent as not answered, so they are asked again', async () => {
    const time = fakeTime();
    serve();
    const fanOut = new AssociationFanOut({ client: new SecurityHubClient({}), ...time, deadline: time.now }, OPTIONS);
    fanOut.add(accounts(0, 4));
    const result = await fanOut.finish();
    expect(result.stats.deadlineReached).toBe(true);
    expect(fanOut.saved()).toEqual({
      associations: [],
      unprocessed: [],
      redrive: [],
      unanswered: [],
      redriveRounds: 0,
    });
  });
});
