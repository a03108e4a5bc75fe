import { ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { BatchGetConfigurationPolicyAssociationsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { Readable } from 'node:stream';
import {
  attachRequestCounter,
  countFromNow,
  isThrottlingError,
  REQUEST_COUNTER_MIDDLEWARE_NAME,
} from '../../../../lambdas/audit/aws/request-counter';

/**
 * These tests run real SDK clients (real middleware stack, retry loop and deserializer)
 * against an in-process request handler: nothing leaves the process, and a zero-delay
 * retry strategy keeps the SDK from sleeping between attempts.
 */
interface FakeResponse {
  readonly status: number;
  readonly errorType?: string;
  readonly body?: unknown;
}

function fakeHandler(responses: FakeResponse[]) {
  let call = 0;
  return {
    calls: () => call,
    handle: () => {
      const next = responses[Math.min(call, responses.length - 1)];
      call += 1;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (next.errorType) headers['x-amzn-errortype'] = next.errorType;
      const body = JSON.stringify(next.body ?? (next.errorType ? { message: `fake ${next.errorType}` } : {}));
      return Promise.resolve({
        response: { statusCode: next.status, headers, body: Readable.from([Buffer.from(body)]) },
      });
    },
  };
}

/** RetryStrategyV2 that retries everything but client errors, up to maxAttempts, without delay. */
function noDelayRetry(maxAttempts: number) {
  const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => 0 });
  return {
    acquireInitialRetryToken: () => Promise.resolve(token(0)),
    refreshRetryTokenForRetry: (t: ReturnType<typeof token>, info: { errorType: string }) => {
      const count = t.getRetryCount() + 1;
      if (count >= maxAttempts || info.errorType === 'CLIENT_ERROR')
        return Promise.reject(new Error('no more retries'));
      return Promise.resolve(token(count));
    },
    recordSuccess: () => undefined,
  };
}

const baseConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
};

function securityHub(handler: ReturnType<typeof fakeHandler>, maxAttempts = 3) {
  return new SecurityHubClient({
    ...baseConfig,
    requestHandler: handler,
    retryStrategy: noDelayRetry(maxAttempts),
  });
}

const batchGet = () =>
  new BatchGetConfigurationPolicyAssociationsCommand({
    ConfigurationPolicyAssociationIdentifiers: [{ Target: { AccountId: '111111111111' } }],
  });

describe('attachRequestCounter', () => {
  it('sits in the deserialize step, after retry, outside the deserializer', () => {
    const client = securityHub(fakeHandler([{ status: 200 }]));
    attachRequestCounter(client);
    const stack = client.middlewareStack.identify();
    const position = (prefix: string) => stack.findIndex((entry) => entry.startsWith(prefix));
    expect(stack[position(REQUEST_COUNTER_MIDDLEWARE_NAME)]).toBe(`${REQUEST_COUNTER_MIDDLEWARE_NAME} - deserialize`);
    expect(position('retryMiddleware')).toBeLessThan(position(REQUEST_COUNTER_MIDDLEWARE_NAME));
    expect(position(REQUEST_COUNTER_MIDDLEWARE_NAME)).toBeLessThan(position('deserializerMiddleware'));
  });

  it('counts every attempt of a retried call and each throttled one (Security Hub 429)', async () => {
    const handler = fakeHandler([
      { status: 429, errorType: 'LimitExceededException' },
      { status: 429, errorType: 'LimitExceededException' },
      { status: 200, body: { ConfigurationPolicyAssociations: [], UnprocessedConfigurationPolicyAssociations: [] } },
    ]);
    const client = securityHub(handler);
    const counter = attachRequestCounter(client);

    const output = await client.send(batchGet());
    expect(output.$metadata.attempts).toBe(3);
    expect(handler.calls()).toBe(3);
    expect(counter.requests).toBe(3);
    expect(counter.throttledRequests).toBe(2);
  });

  it('counts a call that fails for good, and server errors as non-throttling', async () => {
    const handler = fakeHandler([{ status: 500, errorType: 'InternalException' }]);
    const client = securityHub(handler, 2);
    const counter = attachRequestCounter(client);
    await expect(client.send(batchGet())).rejects.toMatchObject({ name: 'InternalException' });
    expect(counter.requests).toBe(2);
    expect(counter.throttledRequests).toBe(0);
  });

  it('counts Organizations TooManyRequestsException as throttling', async () => {
    const handler = fakeHandler([
      { status: 400, errorType: 'TooManyRequestsException' },
      { status: 200, body: { Roots: [] } },
    ]);
    const client = new OrganizationsClient({
      ...baseConfig,
      requestHandler: handler,
      retryStrategy: noDelayRetry(3),
    });
    const counter = attachRequestCounter(client);
    await client.send(new ListRootsCommand({}));
    expect(counter.requests).toBe(2);
    expect(counter.throttledRequests).toBe(1);
  });

  it('returns the same counter when attached twice, so nothing is counted twice', async () => {
    const client = securityHub(fakeHandler([{ status: 200, body: {} }]));
    const first = attachRequestCounter(client);
    const second = attachRequestCounter(client);
    expect(second).toBe(first);
    await client.send(batchGet());
    expect(first.requests).toBe(1);
  });

  it('hands out a read-only view', () => {
    const counter = attachRequestCounter(securityHub(fakeHandler([{ status: 200 }])));
    expect(() => {
      (counter as { requests: number }).requests = 99;
    }).toThrow(TypeError);
    expect(counter.requests).toBe(0);
  });
});

describe('countFromNow', () => {
  it('reports only what the counter gained since it was called', () => {
    const live = { requests: 100, throttledRequests: 7 };
    const counted = countFromNow(live);
    live.requests = 104;
    live.throttledRequests = 9;
    expect(counted()).toEqual({ requests: 4, throttledRequests: 2 });
  });

  it('reads zero without a counter', () => {
    expect(countFromNow(undefined)()).toEqual({ requests: 0, throttledRequests: 0 });
  });
});

describe('isThrottlingError', () => {
  it.each(['LimitExceededException', 'TooManyRequestsException', 'ThrottlingException', 'Throttling'])(
    'recognises %s by name',
    (name) => {
      expect(isThrottlingError(Object.assign(new Error('x'), { name }))).toBe(true);
    },
  );

  it('recognises HTTP 429 whatever the name', () => {
    expect(isThrottlingError({ name: 'Whatever', $metadata: { httpStatusCode: 429 } })).toBe(true);
  });

  it('rejects everything else', () => {
    expect(
      isThrottlingError(
        Object.assign(new Error('x'), { name: 'InternalException', $metadata: { httpStatusCode: 500 } }),
      ),
    ).toBe(false);
    expect(isThrottlingError(undefined)).toBe(false);
    expect(isThrottlingError('LimitExceededException')).toBe(false);
  });
});
