/**
 * Counts requests and throttling errors per HTTP attempt, retries included, for the run
 * summary (`organizations_api_calls`, `securityhub_api_calls`, `throttled_requests`).
 *
 * Why the `deserialize` step: the SDK v3 middleware stack runs the steps in the order
 * initialize -> serialize -> build -> finalizeRequest -> deserialize, each wrapping the
 * next. The retry middleware lives in `finalizeRequest` ("retryMiddleware",
 * step finalizeRequest, priority high, in @smithy/core's retry module), so everything in
 * `deserialize` runs once per attempt, inside the retry loop. Within `deserialize` we add
 * ours with priority `high`, i.e. outside the SDK's deserializer (priority normal), so a
 * failed attempt reaches us as the modeled exception with its `name` (for example
 * `LimitExceededException`) rather than as a raw HTTP response.
 * Step semantics: https://www.npmjs.com/package/@smithy/middleware-stack and
 * https://aws.amazon.com/blogs/developer/middleware-stack-modular-aws-sdk-js/
 */

/** Live, read-only view of one client's counters. */
export interface RequestCounter {
  /** HTTP attempts sent, retries included (also attempts that failed without a response). */
  readonly requests: number;
  /** Attempts answered with a throttling error (see {@link isThrottlingError}). */
  readonly throttledRequests: number;
}

/**
 * Name under which the middleware is registered on a client's stack.
 * @internal Exported for its tests.
 */
export const REQUEST_COUNTER_MIDDLEWARE_NAME = 'securityHubConfigAuditRequestCounter';

/**
 * Error names that mean "slow down". Security Hub answers throttling with
 * `LimitExceededException` (HTTP 429); Organizations with `TooManyRequestsException`;
 * `ThrottlingException`/`Throttling` are the generic AWS names.
 */
const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
  'LimitExceededException',
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
]);

/** True for an error that reports throttling by name or by HTTP status 429. */
export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $metadata } = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  if (typeof name === 'string' && THROTTLING_ERROR_NAMES.has(name)) return true;
  return $metadata?.httpStatusCode === 429;
}

// `any` here only so that every generated client's typed stack accepts this middleware;
// the counter never looks at the arguments or the result.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Next = (args: any) => Promise<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type CounterMiddleware = (next: Next, context: any) => Next;

/**
 * The part of an SDK v3 client this module needs. Kept structural so it fits every
 * generated client without importing @smithy/types (not a direct dependency).
 */
export interface MiddlewareClient {
  readonly middlewareStack: {
    // Method syntax (not a property) so the SDK's overloaded `add` is assignable to it.
    add(
      middleware: CounterMiddleware,
      options: {
        step: 'deserialize';
        name: string;
        priority: 'high';
        tags: string[];
        override: boolean;
      },
    ): void;
  };
}

class MutableCounter implements RequestCounter {
  requests = 0;
  throttledRequests = 0;
}

const attached = new WeakMap<object, RequestCounter>();

/**
 * Adds the counting middleware to `client` and returns its counters. Calling it again for
 * the same client returns the same counter instead of counting twice.
 */
export function attachRequestCounter(client: MiddlewareClient): RequestCounter {
  const existing = attached.get(client);
  if (existing) return existing;

  const counter = new MutableCounter();
  const middleware: CounterMiddleware = (next) => async (args) => {
    counter.requests += 1;
    try {
      const result: unknown = await next(args);
      return result;
    } catch (error) {
      if (isThrottlingError(error)) counter.throttledRequests += 1;
      throw error;
    }
  };
  client.middlewareStack.add(middleware, {
    step: 'deserialize',
    name: REQUEST_COUNTER_MIDDLEWARE_NAME,
    priority: 'high',
    tags: ['METRICS'],
    override: true,
  });

  // Hand out a read-only view: callers must not be able to reset or bump the counts.
  const view: RequestCounter = {
    get requests() {
      return counter.requests;
    },
    get throttledRequests() {
      return counter.throttledRequests;
    },
  };
  attached.set(client, view);
  return view;
}

/**
 * Counts from now on. The counters live as long as their client, which a warm Lambda
 * reuses across runs, so each run reads its own share through this.
 */
export function countFromNow(counter: RequestCounter | undefined): () => RequestCounter {
  const startRequests = counter?.requests ?? 0;
  const startThrottled = counter?.throttledRequests ?? 0;
  return () => ({
    requests: (counter?.requests ?? 0) - startRequests,
    throttledRequests: (counter?.throttledRequests ?? 0) - startThrottled,
  });
}
