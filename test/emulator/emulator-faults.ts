/**
 * Fault-injection settings of the emulator and their validation. Everything is off by
 * default, so an emulator without faults behaves like a healthy, unthrottled AWS.
 */
import type { TargetType } from '../../lambdas/audit/model';
import type { Seed } from './seeded-random';
import type { QuotaOptions } from './token-bucket';

/** Faults both services support. */
export interface ServiceFaults {
  /** Server-side token bucket; requests beyond it get the service's throttling error. */
  readonly quota?: QuotaOptions;
  /** Share of requests (0 to 1) answered with HTTP 500 or 503 instead. */
  readonly serverErrorFraction?: number;
  /** Added to every response of the service, in real milliseconds. */
  readonly latencyMs?: number;
}

/** Organizations faults. */
export interface OrganizationsFaults extends ServiceFaults {
  /**
   * Share of list pages (0 to 1) served empty with a NextToken that continues at the same
   * place, and of completed listings that end with an extra empty page. AWS documents
   * both: "These operations can occasionally return an empty set of results even when
   * there are more results available."
   */
  readonly emptyPageFraction?: number;
}

/**
 * Makes targets come back in `UnprocessedConfigurationPolicyAssociations`. A target is
 * selected when it is listed in `targetIds`, or when its deterministic per-seed draw falls
 * under `fraction` (limited to `targetTypes` when given). The first matching rule wins.
 */
export interface UnprocessedRule {
  readonly targetIds?: readonly string[];
  readonly fraction?: number;
  readonly targetTypes?: readonly TargetType[];
  /**
   * Batch-get calls asking for a selected target that answer "unprocessed" before one
   * processes it; `'forever'` never processes it.
   */
  readonly attempts: number | 'forever';
  /** An HTTP status as a string, as the service sends it. Default `"429"`. */
  readonly errorCode?: string;
  /** Default `"Rate exceeded"`. */
  readonly errorReason?: string;
}

/** Security Hub faults. */
export interface SecurityHubFaults extends ServiceFaults {
  readonly unprocessed?: readonly UnprocessedRule[];
  /** Batch-get requests with more identifiers than this fail with InvalidInputException (400). */
  readonly maxBatchSize?: number;
}

/** All faults. Replace them at run time with `RunningEmulator.setFaults`. */
export interface EmulatorFaults {
  /** Seed of every fault decision. Default: the organization's seed. */
  readonly seed?: Seed;
  readonly organizations?: OrganizationsFaults;
  readonly securityHub?: SecurityHubFaults;
}

/** Fault settings are malformed. */
export class EmulatorConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmulatorConfigError';
  }
}

const isFraction = (v: number | undefined): boolean => v === undefined || (Number.isFinite(v) && v >= 0 && v <= 1);

function checkService(name: string, f: ServiceFaults | undefined): void {
  if (!f) return;
  if (!isFraction(f.serverErrorFraction)) throw new EmulatorConfigError(`${name}.serverErrorFraction must be from 0 to 1`);
  if (f.latencyMs !== undefined && !(f.latencyMs >= 0)) throw new EmulatorConfigError(`${name}.latencyMs must be >= 0`);
  if (f.quota && !(f.quota.ratePerSecond >= 0 && f.quota.burst >= 1)) {
    throw new EmulatorConfigError(`${name}.quota needs ratePerSecond >= 0 and burst >= 1`);
  }
}

/** Throws {@link EmulatorConfigError} when a setting is out of range. */
export function validateFaults(faults: EmulatorFaults): void {
  checkService('organizations', faults.organizations);
  checkService('securityHub', faults.securityHub);
  if (!isFraction(faults.organizations?.emptyPageFraction)) {
    throw new EmulatorConfigError('organizations.emptyPageFraction must be from 0 to 1');
  }
  const sh = faults.securityHub;
  if (sh?.maxBatchSize !== undefined && !(Number.isInteger(sh.maxBatchSize) && sh.maxBatchSize >= 1)) {
    throw new EmulatorConfigError('securityHub.maxBatchSize must be a positive integer');
  }
  (sh?.unprocessed ?? []).forEach((rule, i) => {
    if (rule.attempts !== 'forever' && !(Number.isInteger(rule.attempts) && rule.attempts >= 0)) {
      throw new EmulatorConfigError(`securityHub.unprocessed[${i}].attempts must be a non-negative integer or 'forever'`);
    }
    if (!isFraction(rule.fraction)) throw new EmulatorConfigError(`securityHub.unprocessed[${i}].fraction must be from 0 to 1`);
    if (rule.fraction === undefined && rule.targetIds === undefined) {
      throw new EmulatorConfigError(`securityHub.unprocessed[${i}] needs targetIds or fraction`);
    }
  });
}
