import {
  BatchGetConfigurationPolicyAssociationsCommand,
  type BatchGetConfigurationPolicyAssociationsCommandInput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_TUNING } from '../../../../lambdas/audit/config';
import { AssociationFanOut } from '../../../../lambdas/audit/securityhub/association-fan-out';
import { fakeTime } from '../../../support/fake-time';

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
});
