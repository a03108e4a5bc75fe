/**
 * Turns an {@link EmulatorFaults} into the live state the server consults per request:
 * quota buckets, storm deadlines, the seeded 5xx / drop / stall streams, the unprocessed
 * plan and the response-shape look-ups. Also holds the errors each service uses for
 * throttling and internal failures.
 */
import { validateFaults, type EmulatorFaults, type MalformedKind, type ServiceFaults } from './emulator-faults';
import type { OrgIndex } from './org-index';
import type { Service } from './request-route';
import { organizationsResponseFaults, securityHubMalformed, type OrganizationsResponseFaults } from './response-faults';
import { createRandom, type Random, type Seed } from './seeded-random';
import { EmulatedServiceError } from './service-error';
import { ServerTokenBucket } from './token-bucket';
import { UnprocessedPlan } from './unprocessed-plan';

/** Live fault state; rebuilt from scratch on every `setFaults`. */
export interface ActiveFaults {
  readonly faults: EmulatorFaults;
  readonly seed: Seed;
  readonly buckets: Readonly<Partial<Record<Service, ServerTokenBucket>>>;
  /** GetFindings' own quota, when set (`securityHub.getFindingsQuota`). */
  readonly getFindingsBucket: ServerTokenBucket | undefined;
  /** Clock reading (ms) until which every request of the service is throttled; -Infinity = no storm. */
  readonly stormUntil: Readonly<Record<Service, number>>;
  readonly errorRandom: Readonly<Record<Service, Random>>;
  /** Separate streams per fault, so enabling one does not shift the decisions of another. */
  readonly dropRandom: Readonly<Record<Service, Random>>;
  readonly stallRandom: Readonly<Record<Service, Random>>;
  readonly unprocessed: UnprocessedPlan;
  readonly organizationsResponses: OrganizationsResponseFaults;
  readonly securityHubMalformed: ReadonlyMap<string, ReadonlySet<MalformedKind>>;
}

/** The emulator's default clock: real milliseconds. */
export const realClock = (): number => performance.now();

/**
 * Validates the faults (also against the organization) and builds fresh state: full
 * buckets, zero attempt counts, storms starting now on `clock`.
 */
export function activateFaults(faults: EmulatorFaults, index: OrgIndex, clock: () => number = realClock): ActiveFaults {
  validateFaults(faults);
  const seed = faults.seed ?? index.org.seed;
  const bucket = (f: ServiceFaults | undefined) => (f?.quota ? new ServerTokenBucket(f.quota, clock) : undefined);
  const now = clock();
  const stormUntil = (f: ServiceFaults | undefined) =>
    f?.throttleStorm ? now + f.throttleStorm.durationMs : -Infinity;
  const streams = (name: string): Record<Service, Random> => ({
    organizations: createRandom(seed, `${name}/organizations`),
    securityHub: createRandom(seed, `${name}/securityhub`),
  });
  return {
    faults,
    seed,
    buckets: { organizations: bucket(faults.organizations), securityHub: bucket(faults.securityHub) },
    getFindingsBucket: faults.securityHub?.getFindingsQuota
      ? new ServerTokenBucket(faults.securityHub.getFindingsQuota, clock)
      : undefined,
    stormUntil: { organizations: stormUntil(faults.organizations), securityHub: stormUntil(faults.securityHub) },
    errorRandom: streams('errors'),
    dropRandom: streams('drops'),
    stallRandom: streams('stalls'),
    unprocessed: new UnprocessedPlan(faults.securityHub?.unprocessed ?? [], seed),
    organizationsResponses: organizationsResponseFaults(faults.organizations, index),
    securityHubMalformed: securityHubMalformed(faults.securityHub, index),
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
  if (status === 503)
    return new EmulatedServiceError('ServiceUnavailableException', 503, 'Service is unavailable. Try again later.');
  return service === 'organizations'
    ? new EmulatedServiceError(
        'ServiceException',
        500,
        "AWS Organizations can't complete your request because of an internal service error. Try again later.",
      )
    : new EmulatedServiceError('InternalException', 500, 'Internal service failure.', { Code: 'InternalException' });
}
