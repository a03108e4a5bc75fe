/**
 * Fault-injection settings of the emulator and their validation. Everything is off by
 * default, so an emulator without faults behaves like a healthy, unthrottled AWS.
 *
 * Order in which the server applies a service's faults to one request (the first that
 * fires decides the answer): `latencyMs`, `throttleStorm`, `dropConnectionFraction`,
 * `stall`, `quota`, `serverErrorFraction`; then the operation runs, with the response
 * faults (empty pages, unprocessed entries, malformed or invalid entries) inside it.
 */
import type { AccountStatus, TargetType } from '../../lambdas/audit/model';
import type { Seed } from './seeded-random';
import type { QuotaOptions } from './token-bucket';

/**
 * Every request of the service is throttled for a while after the faults are activated
 * (by `startEmulator` or `setFaults`).
 */
export interface ThrottleStorm {
  /**
   * How long the storm lasts, in milliseconds of the emulator's clock
   * (`StartEmulatorOptions.clock`, real time by default), so tests end it by moving an
   * injected clock instead of sleeping.
   */
  readonly durationMs: number;
}

/** Requests that get no answer for a while, after which the connection is cut. */
export interface StallFault {
  /** Share of requests (0 to 1, seeded) that stall. */
  readonly fraction: number;
  /**
   * Real milliseconds the request hangs before its socket is destroyed: a client whose
   * request timeout is shorter times out, one with a longer timeout sees a reset.
   */
  readonly ms: number;
}

/** Faults both services support. */
export interface ServiceFaults {
  /** Server-side token bucket; requests beyond it get the service's throttling error. */
  readonly quota?: QuotaOptions;
  /** Share of requests (0 to 1) answered with HTTP 500 or 503 instead. */
  readonly serverErrorFraction?: number;
  /** Added to every response of the service, in real milliseconds. */
  readonly latencyMs?: number;
  /**
   * Every request is answered with the service's throttling error (TooManyRequestsException
   * / LimitExceededException) until the storm is over; counted in `stats().throttles`.
   */
  readonly throttleStorm?: ThrottleStorm;
  /**
   * Share of requests (0 to 1, seeded) whose socket is destroyed once the request body is
   * read, without any response: the client sees ECONNRESET ("socket hang up"). Counted in
   * `stats().droppedConnections`.
   */
  readonly dropConnectionFraction?: number;
  /** Requests left unanswered, then cut; counted in `stats().stalledRequests`. */
  readonly stall?: StallFault;
}

/** An extra entry in a parent's child listing, served verbatim even when its id is not valid. */
export interface InvalidChild {
  /** An existing root or OU of the organization. */
  readonly parentId: string;
  /**
   * `ACCOUNT`: appended to ListAccountsForParent, ListAccounts and ListChildren(ACCOUNT);
   * `ORGANIZATIONAL_UNIT`: to ListOrganizationalUnitsForParent and
   * ListChildren(ORGANIZATIONAL_UNIT).
   */
  readonly type: 'ACCOUNT' | 'ORGANIZATIONAL_UNIT';
  /** Any string, e.g. `'12345'`, `'ou-../x'` or `''`. */
  readonly id: string;
  /** Default: `invalid child <n>`. */
  readonly name?: string;
}

/** How an account object is damaged in ListAccounts and ListAccountsForParent. */
export type MalformedAccountKind =
  /** No `Id` member. */
  | 'missingId'
  /** Neither `Status` nor `State`. */
  | 'missingStatus'
  /** No `Status`, and `State` is `SUSPENDING`, a value the audit does not know. */
  | 'unknownState'
  /** No `Name` member. */
  | 'missingName';

/** Every {@link MalformedAccountKind}. */
export const MALFORMED_ACCOUNT_KINDS: readonly MalformedAccountKind[] = [
  'missingId',
  'missingStatus',
  'unknownState',
  'missingName',
];

/** Damages one account's object wherever it is listed. */
export interface MalformedAccountRule {
  /** An existing account of the organization. */
  readonly accountId: string;
  readonly kind: MalformedAccountKind;
}

/** Organizations faults. */
export interface OrganizationsFaults extends ServiceFaults {
  /**
   * Share of list pages (0 to 1) served empty with a NextToken that continues at the same
   * place, and of completed listings that end with an extra empty page. AWS documents
   * both: "These operations can occasionally return an empty set of results even when
   * there are more results available."
   *
   * `1` also puts a NextToken on every page and ends every listing with an empty page, but
   * adds an empty page before every full one too (twice the calls); for exactly "a
   * NextToken on every page and an empty last page" use {@link alwaysNextToken}.
   */
  readonly emptyPageFraction?: number;
  /**
   * Every non-empty page of every listing carries a NextToken, the last one included, and
   * every non-empty listing ends with one extra, empty page without a NextToken. No empty
   * pages in between (unless `emptyPageFraction` adds them).
   */
  readonly alwaysNextToken?: boolean;
  /** Entries appended to their parent's listings; see {@link InvalidChild}. */
  readonly invalidChildren?: readonly InvalidChild[];
  /** Accounts served with missing or unknown members; see {@link MalformedAccountKind}. */
  readonly malformedAccounts?: readonly MalformedAccountRule[];
  /**
   * Imitates older answers that carry the retired `Account.Status`: `'withState'` sends it
   * next to `State` (the transition period), `'statusOnly'` instead of it (before `State`
   * existed). Default: `State` only, as after the retirement on 2026-09-09. See
   * {@link legacyAccountStatus} for the value.
   */
  readonly legacyAccountStatus?: LegacyAccountStatusMode;
}

/** How an account's retired `Status` member is served; see `OrganizationsFaults.legacyAccountStatus`. */
export type LegacyAccountStatusMode = 'withState' | 'statusOnly';

/**
 * The retired `Status` of a state. It knew only ACTIVE, SUSPENDED and PENDING_CLOSURE; a
 * closed account still listed was reported SUSPENDED. PENDING_ACTIVATION has no such
 * value (assumed: the member is left out).
 */
export function legacyAccountStatus(state: AccountStatus): 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | undefined {
  switch (state) {
    case 'CLOSED':
      return 'SUSPENDED';
    case 'PENDING_ACTIVATION':
      return undefined;
    default:
      return state;
  }
}

/** A per-target attempt count drawn from the seed, both bounds included. */
export interface AttemptRange {
  readonly min: number;
  readonly max: number;
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
   * processes it; `'forever'` never processes it. A range draws each selected target's
   * own count from the seed (see `RunningEmulator.unprocessedAttempts`).
   */
  readonly attempts: number | 'forever' | AttemptRange;
  /** An HTTP status as a string, as the service sends it. Default `"429"`. */
  readonly errorCode?: string;
  /** Default `"Rate exceeded"`. */
  readonly errorReason?: string;
}

/**
 * How a batch-get answer for a target is damaged. All but `unknownTargetMember` change the
 * target's ConfigurationPolicyAssociationSummary (so they apply only to targets that have
 * an association, i.e. not to a seeded `missing` one):
 * - `missingStatus`: no AssociationStatus;
 * - `unknownStatus`: AssociationStatus `DELETING`;
 * - `unknownAssociationType`: AssociationType `DELEGATED`;
 * - `missingPolicyId`: no ConfigurationPolicyId;
 * - `unknownTargetType`: TargetType `ORGANIZATION`;
 * - `missingTargetId`: no TargetId;
 * - `foreignTargetId`: TargetId `../../<id>`, a string that is no valid target id;
 * - `unknownTargetMember`: instead of a summary, an unprocessed entry whose identifier is
 *   `{ Target: { FutureTargetId: '<id>' } }` (ErrorCode `429`, ErrorReason `Rate exceeded`),
 *   which the SDK deserializes as an unknown union member (`{ $unknown: [name, value] }`);
 * - `nonUuidPolicyId`: ConfigurationPolicyId `policy-1`, neither a UUID nor self-managed;
 * - `unparsableUpdatedAt`: UpdatedAt `yesterday`, which the SDK cannot deserialize, so the
 *   whole call fails on the client;
 * - `notFoundForCall`: every batch-get naming this target fails whole with
 *   ResourceNotFoundException (HTTP 404), as the API model allows for the whole call.
 */
export type MalformedKind =
  | 'missingStatus'
  | 'unknownStatus'
  | 'unknownAssociationType'
  | 'missingPolicyId'
  | 'unknownTargetType'
  | 'missingTargetId'
  | 'unknownTargetMember'
  | 'foreignTargetId'
  | 'nonUuidPolicyId'
  | 'unparsableUpdatedAt'
  | 'notFoundForCall';

/** Every {@link MalformedKind}. */
export const MALFORMED_KINDS: readonly MalformedKind[] = [
  'missingStatus',
  'unknownStatus',
  'unknownAssociationType',
  'missingPolicyId',
  'unknownTargetType',
  'missingTargetId',
  'unknownTargetMember',
  'foreignTargetId',
  'nonUuidPolicyId',
  'unparsableUpdatedAt',
  'notFoundForCall',
];

/**
 * Damages the batch-get answer for the listed targets, on every batch-get that asks for
 * them (after any unprocessed rule has let them through). Several kinds may apply to one
 * target; `unknownTargetMember` then wins.
 */
export interface MalformedRule {
  /** Targets (root, OU or account ids) of the organization. */
  readonly targetIds: readonly string[];
  readonly kind: MalformedKind;
}

/** Security Hub faults. */
export interface SecurityHubFaults extends ServiceFaults {
  readonly unprocessed?: readonly UnprocessedRule[];
  /** Batch-get requests with more identifiers than this fail with InvalidInputException (400). */
  readonly maxBatchSize?: number;
  /** Batch-get answers served damaged; see {@link MalformedKind}. */
  readonly malformed?: readonly MalformedRule[];
  /**
   * Every BatchGetConfigurationPolicyAssociations call is refused whole with this error,
   * as Security Hub does for a caller that is not the delegated administrator, in the
   * wrong Region or without the permission (counted in `stats().clientErrors`).
   */
  readonly batchGetError?: BatchGetRefusal;
  /** BatchImportFindings answers these findings in FailedFindings; see {@link ImportFailureRule}. */
  readonly importFailures?: readonly ImportFailureRule[];
  /**
   * GetFindings' own quota, checked after the service's `quota`. Documented: "GetFindings -
   * RateLimit of 3 requests per second. BurstLimit of 6 requests per second." (API
   * Reference, Welcome page).
   */
  readonly getFindingsQuota?: QuotaOptions;
}

/** Makes BatchImportFindings fail the listed findings (by finding Id) for a number of imports. */
export interface ImportFailureRule {
  readonly findingIds: readonly string[];
  /** Imports of each listed finding that fail before one succeeds; `'forever'` never succeeds. */
  readonly attempts: number | 'forever';
  /** Default `LimitExceeded`. */
  readonly errorCode?: string;
  /** Default `Rate exceeded`. */
  readonly errorMessage?: string;
}

/** The errors Security Hub refuses a whole batch-get with. */
export const BATCH_GET_REFUSALS = [
  'ResourceNotFoundException',
  'AccessDeniedException',
  'InvalidAccessException',
] as const;
export type BatchGetRefusal = (typeof BATCH_GET_REFUSALS)[number];

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
const isMillis = (v: number): boolean => Number.isFinite(v) && v >= 0;
const fail = (message: string): never => {
  throw new EmulatorConfigError(message);
};

function checkService(name: string, f: ServiceFaults | undefined): void {
  if (!f) return;
  if (!isFraction(f.serverErrorFraction)) fail(`${name}.serverErrorFraction must be from 0 to 1`);
  if (f.latencyMs !== undefined && !(f.latencyMs >= 0)) fail(`${name}.latencyMs must be >= 0`);
  if (f.quota && !(f.quota.ratePerSecond >= 0 && f.quota.burst >= 1))
    fail(`${name}.quota needs ratePerSecond >= 0 and burst >= 1`);
  if (f.throttleStorm && !isMillis(f.throttleStorm.durationMs))
    fail(`${name}.throttleStorm.durationMs must be a finite number >= 0`);
  if (!isFraction(f.dropConnectionFraction)) fail(`${name}.dropConnectionFraction must be from 0 to 1`);
  if (f.stall) {
    if (f.stall.fraction === undefined || !isFraction(f.stall.fraction))
      fail(`${name}.stall.fraction must be from 0 to 1`);
    // setTimeout caps at 2^31-1 ms; anything longer would fire at once.
    if (!(isMillis(f.stall.ms) && f.stall.ms <= 2_147_483_647)) fail(`${name}.stall.ms must be from 0 to 2147483647`);
  }
}

function checkAttempts(where: string, attempts: UnprocessedRule['attempts']): void {
  if (attempts === 'forever') return;
  if (typeof attempts === 'number') {
    if (!(Number.isInteger(attempts) && attempts >= 0))
      fail(`${where} must be a non-negative integer, 'forever' or { min, max }`);
    return;
  }
  const { min, max } = (attempts ?? {}) as Partial<AttemptRange>;
  if (!(Number.isInteger(min) && Number.isInteger(max) && min! >= 0 && min! <= max!)) {
    fail(`${where} as a range needs integers 0 <= min <= max`);
  }
}

function checkOrganizations(o: OrganizationsFaults | undefined): void {
  if (!o) return;
  if (!isFraction(o.emptyPageFraction)) fail('organizations.emptyPageFraction must be from 0 to 1');
  if (o.alwaysNextToken !== undefined && typeof o.alwaysNextToken !== 'boolean')
    fail('organizations.alwaysNextToken must be a boolean');
  (o.invalidChildren ?? []).forEach((c, i) => {
    if (typeof c.parentId !== 'string') fail(`organizations.invalidChildren[${i}].parentId must be a string`);
    if (c.type !== 'ACCOUNT' && c.type !== 'ORGANIZATIONAL_UNIT')
      fail(`organizations.invalidChildren[${i}].type must be ACCOUNT or ORGANIZATIONAL_UNIT`);
    if (typeof c.id !== 'string') fail(`organizations.invalidChildren[${i}].id must be a string`);
    if (c.name !== undefined && typeof c.name !== 'string')
      fail(`organizations.invalidChildren[${i}].name must be a string`);
  });
  if (o.legacyAccountStatus !== undefined && !['withState', 'statusOnly'].includes(o.legacyAccountStatus))
    fail("organizations.legacyAccountStatus must be 'withState' or 'statusOnly'");
  (o.malformedAccounts ?? []).forEach((m, i) => {
    if (typeof m.accountId !== 'string') fail(`organizations.malformedAccounts[${i}].accountId must be a string`);
    if (!MALFORMED_ACCOUNT_KINDS.includes(m.kind))
      fail(`organizations.malformedAccounts[${i}].kind must be one of ${MALFORMED_ACCOUNT_KINDS.join(', ')}`);
  });
}

function checkSecurityHub(sh: SecurityHubFaults | undefined): void {
  const own = sh?.getFindingsQuota;
  if (own && !(own.ratePerSecond >= 0 && own.burst >= 1))
    fail('securityHub.getFindingsQuota needs ratePerSecond >= 0 and burst >= 1');
  if (!sh) return;
  if (sh.maxBatchSize !== undefined && !(Number.isInteger(sh.maxBatchSize) && sh.maxBatchSize >= 1)) {
    fail('securityHub.maxBatchSize must be a positive integer');
  }
  (sh.importFailures ?? []).forEach((rule, i) => {
    if (rule.attempts !== 'forever' && !(Number.isInteger(rule.attempts) && rule.attempts >= 0))
      fail(`securityHub.importFailures[${i}].attempts must be a non-negative integer or 'forever'`);
  });
  if (sh.batchGetError !== undefined && !BATCH_GET_REFUSALS.includes(sh.batchGetError))
    fail(`securityHub.batchGetError must be one of ${BATCH_GET_REFUSALS.join(', ')}`);
  (sh.unprocessed ?? []).forEach((rule, i) => {
    checkAttempts(`securityHub.unprocessed[${i}].attempts`, rule.attempts);
    if (!isFraction(rule.fraction)) fail(`securityHub.unprocessed[${i}].fraction must be from 0 to 1`);
    if (rule.fraction === undefined && rule.targetIds === undefined)
      fail(`securityHub.unprocessed[${i}] needs targetIds or fraction`);
  });
  (sh.malformed ?? []).forEach((rule, i) => {
    if (!Array.isArray(rule.targetIds) || !rule.targetIds.every((id) => typeof id === 'string')) {
      fail(`securityHub.malformed[${i}].targetIds must be an array of strings`);
    }
    if (!MALFORMED_KINDS.includes(rule.kind))
      fail(`securityHub.malformed[${i}].kind must be one of ${MALFORMED_KINDS.join(', ')}`);
  });
}

/**
 * Throws {@link EmulatorConfigError} when a setting is out of range. Settings that name
 * parts of the organization (parents, accounts, targets) are checked against it when the
 * emulator activates the faults.
 */
export function validateFaults(faults: EmulatorFaults): void {
  checkService('organizations', faults.organizations);
  checkService('securityHub', faults.securityHub);
  checkOrganizations(faults.organizations);
  checkSecurityHub(faults.securityHub);
}
