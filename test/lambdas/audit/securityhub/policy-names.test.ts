import { ListConfigurationPoliciesCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { listPolicyNames } from '../../../../lambdas/audit/securityhub/policy-names';
import { fakeTime } from '../../../support/fake-time';

const shMock = mockClient(SecurityHubClient);
const client = new SecurityHubClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const P1 = '11111111-1111-4111-8111-111111111111';
const P2 = '22222222-2222-4222-8222-222222222222';

function deps(deadlineInMs = 60_000) {
  const time = fakeTime();
  return {
    client,
    requestsPerSecond: 8,
    burst: 2,
    clock: time.clock,
    sleep: time.sleep,
    deadline: time.clock.now() + deadlineInMs,
  };
}

beforeEach(() => shMock.reset());

describe('listPolicyNames', () => {
  it('reads every page, lower-cases ids and leaves out entries that are not a policy id and a bounded name', async () => {
    shMock
      .on(ListConfigurationPoliciesCommand)
      .resolvesOnce({ ConfigurationPolicySummaries: [{ Id: P1.toUpperCase(), Name: 'Org baseline' }], NextToken: 't' })
      .resolvesOnce({ ConfigurationPolicySummaries: [], NextToken: 'u' })
      .resolvesOnce({
        ConfigurationPolicySummaries: [
          { Id: P2, Name: 'x'.repeat(257) },
          { Id: 'policy-1', Name: 'not a policy id' },
          { Id: P2, Name: '' },
        ],
      });
    expect(await listPolicyNames(deps())).toEqual(new Map([[P1, 'Org baseline']]));
    expect(shMock.commandCalls(ListConfigurationPoliciesCommand).map((c) => c.args[0].input)).toEqual([
      { MaxResults: 100, NextToken: undefined },
      { MaxResults: 100, NextToken: 't' },
      { MaxResults: 100, NextToken: 'u' },
    ]);
  });

  it('stops after a bounded number of pages when the service keeps returning a NextToken', async () => {
    shMock.on(ListConfigurationPoliciesCommand).resolves({ ConfigurationPolicySummaries: [], NextToken: 'again' });
    await listPolicyNames(deps());
    expect(shMock.commandCalls(ListConfigurationPoliciesCommand)).toHaveLength(20);
  });

  it('sends nothing once its deadline has passed, so the names never cost the report', async () => {
    await expect(listPolicyNames(deps(0))).rejects.toThrow(/deadline came before the policies were listed/);
    expect(shMock.commandCalls(ListConfigurationPoliciesCommand)).toHaveLength(0);
  });
});
