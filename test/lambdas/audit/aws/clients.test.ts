import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import {
  createAwsClients,
  ORGANIZATIONS_MAX_ATTEMPTS,
  ORGANIZATIONS_ROLE_SESSION_NAME,
} from '../../../../lambdas/audit/aws/clients';

jest.mock('@aws-sdk/credential-providers', () => ({
  fromTemporaryCredentials: jest.fn(() => () => Promise.resolve({ accessKeyId: 'ASSUMED', secretAccessKey: 'secret' })),
}));

const mockedFromTemporaryCredentials = jest.mocked(fromTemporaryCredentials);

describe('createAwsClients', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env.AWS_REGION = 'eu-west-1';
    delete process.env.AWS_MAX_ATTEMPTS;
    delete process.env.AWS_RETRY_MODE;
    mockedFromTemporaryCredentials.mockClear();
  });
  afterAll(() => {
    process.env = saved;
  });

  it('leaves the region to the SDK chain (AWS_REGION) unless one is given', async () => {
    const fromEnv = createAwsClients();
    const explicit = createAwsClients({ region: 'ap-southeast-2' });
    try {
      await expect(fromEnv.securityHub.config.region()).resolves.toBe('eu-west-1');
      await expect(fromEnv.organizations.config.region()).resolves.toBe('eu-west-1');
      await expect(fromEnv.s3.config.region()).resolves.toBe('eu-west-1');
      await expect(fromEnv.sns.config.region()).resolves.toBe('eu-west-1');
      await expect(explicit.securityHub.config.region()).resolves.toBe('ap-southeast-2');
      await expect(explicit.organizations.config.region()).resolves.toBe('ap-southeast-2');
    } finally {
      fromEnv.destroy();
      explicit.destroy();
    }
  });

  it('gives Organizations adaptive retries with more attempts, Security Hub standard ones', async () => {
    const clients = createAwsClients();
    try {
      expect(ORGANIZATIONS_MAX_ATTEMPTS).toBe(8);
      await expect(clients.organizations.config.maxAttempts()).resolves.toBe(8);
      await expect(clients.organizations.config.retryStrategy()).resolves.toMatchObject({ mode: 'adaptive' });
      await expect(clients.securityHub.config.retryStrategy()).resolves.toMatchObject({ mode: 'standard' });
      await expect(clients.securityHub.config.maxAttempts()).resolves.toBe(3);
    } finally {
      clients.destroy();
    }
  });

  it('applies maxAttempts to every client when given', async () => {
    const clients = createAwsClients({ maxAttempts: 2 });
    try {
      for (const client of [clients.organizations, clients.securityHub, clients.s3, clients.sns]) {
        await expect(client.config.maxAttempts()).resolves.toBe(2);
      }
    } finally {
      clients.destroy();
    }
  });

  it('assumes the Organizations role with the standard provider, for Organizations only', async () => {
    const clients = createAwsClients({ organizationsRoleArn: 'arn:aws:iam::123456789012:role/OrgRead' });
    try {
      expect(mockedFromTemporaryCredentials).toHaveBeenCalledTimes(1);
      expect(mockedFromTemporaryCredentials).toHaveBeenCalledWith({
        params: { RoleArn: 'arn:aws:iam::123456789012:role/OrgRead', RoleSessionName: ORGANIZATIONS_ROLE_SESSION_NAME },
      });
      // The Organizations client resolves its identity through the provider we passed.
      await expect(clients.organizations.config.credentials()).resolves.toMatchObject({ accessKeyId: 'ASSUMED' });
    } finally {
      clients.destroy();
    }
  });

  it('bounds every request attempt in time, so a hung socket cannot outlast the deadline', async () => {
    const clients = createAwsClients();
    try {
      for (const client of [clients.organizations, clients.securityHub, clients.s3, clients.sns]) {
        const handler = client.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> };
        await expect(handler.configProvider).resolves.toMatchObject({
          connectionTimeout: 5_000,
          requestTimeout: 30_000,
          throwOnRequestTimeout: true,
        });
      }
    } finally {
      clients.destroy();
    }
  });

  it('does not assume a role without organizationsRoleArn', () => {
    const clients = createAwsClients();
    clients.destroy();
    expect(mockedFromTemporaryCredentials).not.toHaveBeenCalled();
  });

  it('attaches counters to Organizations and Security Hub', () => {
    const clients = createAwsClients();
    try {
      expect(clients.organizationsCounter).toEqual({ requests: 0, throttledRequests: 0 });
      expect(clients.securityHubCounter).toEqual({ requests: 0, throttledRequests: 0 });
      expect(clients.organizations.middlewareStack.identify().some((m) => m.includes('RequestCounter'))).toBe(true);
      expect(clients.securityHub.middlewareStack.identify().some((m) => m.includes('RequestCounter'))).toBe(true);
      expect(clients.s3.middlewareStack.identify().some((m) => m.includes('RequestCounter'))).toBe(false);
    } finally {
      clients.destroy();
    }
  });
});
