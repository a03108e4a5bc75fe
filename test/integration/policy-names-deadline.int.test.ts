/** The policy-name listing against a real client and a server that never answers: the deadline aborts it. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { listPolicyNames } from '../../lambdas/audit/securityhub/policy-names';
import { systemClock, systemSleep } from '../../lambdas/audit/util/system-clock';

let server: Server;
let endpoint: string;

beforeAll(async () => {
  // Accepts the request and never answers, like a stalled connection.
  server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('aborts a call still under way at its deadline, long before the SDK would time out', async () => {
  const client = new SecurityHubClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });
  const started = Date.now();
  await expect(
    listPolicyNames({
      client,
      requestsPerSecond: 8,
      burst: 2,
      clock: systemClock,
      sleep: systemSleep,
      deadline: Date.now() + 300,
    }),
  ).rejects.toThrow();
  expect(Date.now() - started).toBeLessThan(5_000);
  client.destroy();
});
