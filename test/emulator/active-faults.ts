/**
 * Turns an {@link EmulatorFaults} into the live state the server consults per request:
 * quota buckets, the seeded 5xx stream, and the unprocessed plan. Also holds the errors
 * each service uses for throttling and internal failures.
 */
import { validateFaults, type EmulatorFaults, type ServiceFaults } from './emulator-faults';
import type { Service } from './request-route';
import { createRandom, type Random, type Seed } from './seeded-random';
import { EmulatedServiceError } from './service-error';
import { ServerTokenBucket } from './token-bucket';
import { UnprocessedPlan } from './unprocessed-plan';

/** Live fault state; rebuilt from scratch on every `setFaults`. */
export interface ActiveFaults {
  readonly faults: EmulatorFaults;
  readonly seed: Seed;
  readonly buckets: Readonly<Partial<Record<Service, ServerTokenBucket>>>;
  readonly errorRandom: Readonly<Record<Service, Random>>;
  readonly unprocessed: UnprocessedPlan;
}

/** Validates the faults and builds fresh state (full buckets, zero attempt counts). */
export function activateFaults(faults: EmulatorFaults, defaultSeed: Seed, clock?: () => number): ActiveFaults {
  validateFaults(faults);
  const seed = faults.seed ?? defaultSeed;
  const bucket = (f: ServiceFaults | undefined) => (f?.quota ? new ServerTokenBucket(f.quota, clock) : undefined);
  return {
    faults,
    seed,
    buckets: { organizations: bucket(faults.organizations), securityHub: bucket(faults.securityHub) },
    errorRandom: { organizations: createRandom(seed, 'errors/organizations'), securityHub: createRandom(seed, 'errors/securityhub') },
    unprocessed: new UnprocessedPlan(faults.securityHub?.unprocessed ?? [], seed),
  };
}

/**
 * The service's throttling error. Organizations sends TooManyRequestsException with HTTP
 * 400, like its other client errors; Security Hub sends LimitExceededException with 429.
 * The SDK classifies both as throttling by name.
 */
export function throttleError(service: Service): EmulatedServiceError {
  return service === 'organizations'
    ? new EmulatedServiceError('TooManyRequestsException', 400, 'Rate exceeded')
    : new EmulatedServiceError('LimitExceededException', 429, 'Rate exceeded', { Code: 'LimitExceededException' });
}

/** The service's 5xx error; the SDK retries both 500 and 503 as transient. */
export function serverError(service: Service, status: 500 | 503): EmulatedServiceError {
  if (status === 503) return new EmulatedServiceError('ServiceUnavailableException', 503, 'Service is unavailable. Try again later.');
  return service === 'organizations'
    ? new EmulatedServiceError('ServiceException', 500, "AWS Organizations can't complete your request because of an internal service error. Try again later.")
    : new EmulatedServiceError('InternalException', 500, 'Internal service failure.', { Code: 'InternalException' });
}
