/**
 * One error hierarchy for the audit core, the handler and the CLI. The kind decides what
 * happens next: whether Lambda's asynchronous retries can help, which CLI exit code is
 * returned and what the page says. Every typed error of the project extends {@link AuditError}.
 */
import type { OrgTreeProblem, WalkOperation } from './model';
import { displaySafe, listBounded } from './util/display-text';

/** The kinds of failure, in the order an operator acts on them. */
const ERROR_KINDS = [
  /** A document, option, event or configuration value is wrong; retrying cannot help. */
  'BAD_INPUT',
  /** A permission is missing or Security Hub / Organizations access is not set up; retrying cannot help. */
  'PERMISSION',
  /** An invariant of the audit's own code broke: a bug. Deterministic, so it pages at once and is not retried. */
  'INVARIANT',
  /** Throttling, a timeout, a 5xx or a deadline; a later attempt may succeed. */
  'TRANSIENT',
  /** Data the audit read or is about to write does not add up; retrying will not fix it by itself. */
  'INTEGRITY',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Base of every error the audit raises on purpose. `cause` keeps the error it wraps. */
export class AuditError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
  }
}

/**
 * Error names of the credential chain and of the services when the caller has no usable
 * credentials: none found, expired, or unknown to AWS. A subset of the access errors
 * (retrying cannot help either), told apart so the CLI can say "sign in", not "ask for a
 * permission".
 */
const CREDENTIALS_ERROR_NAMES: ReadonlySet<string> = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
]);

/**
 * Error names (SDK exceptions) and codes (file system) that mean the caller lacks access or
 * the service is not set up for it, across the services the audit calls: retrying the
 * same invocation cannot help.
 */
const ACCESS_ERROR_NAMES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'Forbidden',
  'UnauthorizedOperation',
  'InvalidAccessException',
  'AuthorizationErrorException',
  'AWSOrganizationsNotInUseException',
  ...CREDENTIALS_ERROR_NAMES,
  'EACCES',
  'EPERM',
]);

/** True when `error` or one of its first causes (four levels) passes `test`. */
function anyInChain(error: unknown, test: (e: { name?: unknown; code?: unknown; message?: unknown }) => boolean) {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    if (test(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** True when `error`, or one of its first causes, is an access or set-up refusal (by name or code). */
export function isAccessError(error: unknown): boolean {
  return anyInChain(
    error,
    ({ name, code }) => ACCESS_ERROR_NAMES.has(String(name)) || ACCESS_ERROR_NAMES.has(String(code)),
  );
}

/** True when `error`, or one of its first causes, says the caller has no usable AWS credentials. */
export function isCredentialsError(error: unknown): boolean {
  return anyInChain(error, ({ name }) => CREDENTIALS_ERROR_NAMES.has(String(name)));
}

/**
 * True when the SDK found no Region (AWS_REGION unset and none in the profile). The SDK
 * throws a plain `Error`, so its message is all there is to recognize it by.
 */
export function isMissingRegionError(error: unknown): boolean {
  return anyInChain(error, ({ message }) => message === 'Region is missing');
}

/**
 * The kind of any thrown value. Errors that are not ours are treated as transient:
 * an SDK or network error we did not classify might pass on the next attempt.
 */
export function errorKindOf(error: unknown): ErrorKind {
  if (error instanceof AuditError) return error.kind;
  if (error instanceof AggregateError) {
    const kinds = error.errors.map(errorKindOf);
    return ERROR_KINDS.find((kind) => kinds.includes(kind)) ?? 'TRANSIENT';
  }
  return 'TRANSIENT';
}

/** True when retrying the same invocation cannot succeed, so it must not be retried. */
export function isPermanent(error: unknown): boolean {
  const kind = errorKindOf(error);
  return kind === 'BAD_INPUT' || kind === 'PERMISSION' || kind === 'INVARIANT';
}

/**
 * A condition the code itself guarantees did not hold (kind INVARIANT). Thrown instead of a
 * plain `Error`, which {@link errorKindOf} would take for a passing fault and retry.
 */
export class InvariantError extends AuditError {
  constructor(message: string) {
    super('INVARIANT', `Internal: ${message}`);
  }
}

/**
 * A configuration value is missing or malformed (kind BAD_INPUT: retrying the same
 * invocation cannot help). The message names each variable and what was expected; it
 * never echoes a value.
 */
export class ConfigError extends AuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BAD_INPUT', message, options);
  }
}

/** The event is not one the function accepts. */
export class AuditEventError extends AuditError {
  constructor(message: string) {
    super('BAD_INPUT', message);
  }
}

/** A document named in the configuration is not in the report bucket (BAD_INPUT). */
export class MissingDocumentError extends AuditError {
  constructor(message: string) {
    super('BAD_INPUT', message);
  }
}

/** The command line is wrong; the message says how (BAD_INPUT, exit code 3). */
export class UsageError extends AuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BAD_INPUT', message, options);
  }
}

/**
 * A document (baseline or exclusions) cannot be used. Always BAD_INPUT: running the
 * same invocation again reads the same document. The message names the document.
 */
export class DocumentError extends AuditError {
  /** Where the document came from (`s3://bucket/key` or a path), as given. */
  readonly source: string;

  constructor(label: string, source: string, problem: string, options?: { cause?: unknown }) {
    super('BAD_INPUT', `Invalid ${label} ${displaySafe(source)}: ${problem}`, options);
    this.source = source;
  }
}

/** The baseline document could not be read (BAD_INPUT). The message names the source and the problems found. */
export class BaselineError extends DocumentError {
  constructor(source: string, problem: string, options?: { cause?: unknown }) {
    super('baseline', source, problem, options);
  }
}

/** The exclusions document could not be read (BAD_INPUT). The message names the source and the problems found. */
export class ExclusionsError extends DocumentError {
  constructor(source: string, problem: string, options?: { cause?: unknown }) {
    super('exclusions', source, problem, options);
  }
}

/**
 * Unknown ids named in the message; the rest are counted ("and N more").
 * @internal Exported for its tests.
 */
export const MAX_LISTED_UNKNOWN_IDS = 20;

/**
 * A document (baseline or exclusions) names targets the organization walk did not find
 * (BAD_INPUT). Usually a typo or a moved/closed account; failing loudly beats silently
 * auditing against a desired state that can never match.
 */
export class UnknownTargetsError extends AuditError {
  /** Every unknown id, deduplicated, in document order. */
  readonly unknownIds: readonly string[];
  readonly source: string;

  constructor(source: string, unknownIds: readonly string[]) {
    super(
      'BAD_INPUT',
      `${displaySafe(source)}: ${unknownIds.length} target id${unknownIds.length === 1 ? ' is' : 's are'} not in the organization: ${listBounded(unknownIds, MAX_LISTED_UNKNOWN_IDS, (id) => displaySafe(id))}`,
    );
    this.source = source;
    this.unknownIds = unknownIds;
  }
}

/**
 * A List* call failed (after the SDK's retries); the walk cannot produce a complete tree.
 * PERMISSION when the caller may not read the organization (or it has none), else TRANSIENT.
 */
export class OrganizationWalkError extends AuditError {
  constructor(
    readonly operation: WalkOperation,
    /** Parent the call listed children of; `null` for ListRoots. */
    readonly parentId: string | null,
    cause: unknown,
  ) {
    const reason = displaySafe(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause), 500);
    super(
      isAccessError(cause) ? 'PERMISSION' : 'TRANSIENT',
      parentId === null
        ? `Organizations ${operation} failed: ${reason}`
        : `Organizations ${operation} failed for parent ${parentId}: ${reason}`,
      { cause },
    );
  }
}

/**
 * A re-check's live look-up in Organizations failed (after the SDK's retries). PERMISSION
 * when the caller may not read the organization, else TRANSIENT: the queue retries it.
 */
export class OrganizationsLookupError extends AuditError {
  constructor(
    readonly operation: string,
    readonly subjectId: string,
    cause: unknown,
  ) {
    const reason = displaySafe(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause), 500);
    super(
      isAccessError(cause) ? 'PERMISSION' : 'TRANSIENT',
      `Organizations ${operation} failed for ${subjectId}: ${reason}`,
      {
        cause,
      },
    );
  }
}

/** The run's deadline came before the organization was listed; not wrapped as a failed call. */
export class WalkDeadlineError extends AuditError {
  constructor(readonly pagesListed: number) {
    super(
      'TRANSIENT',
      `The run's deadline came after ${pagesListed} Organizations pages, before the organization was listed; ` +
        'raise ORGANIZATIONS_REQUESTS_PER_SECOND if your organization allows it, or see the README on very large organizations',
    );
  }
}

/** The walk results are not a tree; the audit must not report on a misread organization. */
export class OrgTreeError extends AuditError {
  constructor(
    readonly problem: OrgTreeProblem,
    /** The id that broke the rule. */
    readonly targetId: string,
    message: string,
  ) {
    super('INTEGRITY', message);
  }
}

/**
 * A {@link SavedWalk} to resume from does not describe a walk the organization walk could
 * have saved. Resuming from it could list a container twice or, worse, silently leave a
 * subtree out of the tree, so it is refused.
 */
export class SavedWalkError extends AuditError {
  constructor(problem: string) {
    super('INTEGRITY', `Saved organization walk is inconsistent: ${problem}`);
  }
}

/**
 * The whole BatchGet API was refused: the caller is not allowed to read configuration
 * policy associations at all, so no partial report would be meaningful.
 */
export class SecurityHubFetchError extends AuditError {
  constructor(message: string, options: { cause: unknown }) {
    super('PERMISSION', message, options);
  }
}

/** A checkpoint that cannot be trusted: wrong size, checksum, run, version or content. */
export class CheckpointIntegrityError extends AuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTEGRITY', message, options);
  }
}

/**
 * KMS could not make or check a MAC (throttled, unavailable, key disabled, access denied).
 * TRANSIENT: the round is retried, and nothing is ever written or adopted unsigned instead.
 */
export class MacServiceError extends AuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRANSIENT', message, options);
  }
}

/**
 * A read or write against the report store failed. `cause` holds the underlying error.
 * PERMISSION for access denied, TRANSIENT otherwise (a later attempt may succeed).
 */
export class ReportStoreError extends AuditError {
  /** The object key involved. */
  readonly key: string;

  constructor(message: string, key: string, options?: { cause?: unknown }) {
    super(isAccessError(options?.cause) ? 'PERMISSION' : 'TRANSIENT', message, options);
    this.key = key;
  }
}

/**
 * A local report file (or the place one should be) is a FIFO, device, socket or another
 * non-regular file: opening or reading it could block forever, so it is refused. Bad input:
 * the folder needs fixing, and a retry cannot help.
 */
export class NotRegularFileError extends AuditError {
  /** The object key involved, or the path when no key is. */
  readonly key: string;

  constructor(path: string, what: string, key: string, expected = 'a regular file') {
    super(
      'BAD_INPUT',
      `Refusing ${displaySafe(path, 300)}: it is ${what}, not ${expected}; a report folder holds only directories and regular files`,
    );
    this.key = key;
  }
}

/** An object is larger than the audit is willing to read or inflate. */
export class ObjectTooLargeError extends AuditError {
  constructor(source: string, limitBytes: number, what = 'object') {
    super('INTEGRITY', `${source}: ${what} is too large (over ${limitBytes} bytes); not read`);
  }
}

/** A report object is not what this code writes: bad gzip, bad JSON, too deep, wrong columns or types. */
export class ReportFormatError extends AuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTEGRITY', message, options);
  }
}

/** The event time cannot name a run (not a date-time, or too far in the future). Retrying cannot help. */
export class RunIdError extends AuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BAD_INPUT', message, options);
  }
}

/** The rows do not account for every enumerated target exactly once. Never written. */
export class ReportIntegrityError extends AuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTEGRITY', message, options);
  }
}

/** Sending the digest failed; the report itself was already written. The kind follows the SNS error. */
export class DigestPublishError extends AuditError {
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(kind, message, options);
  }
}

/*
 * Control-flow signals. They are not failures and never leave the module that throws
 * them, so they carry no kind: a plain `Error` keeps them out of the AuditError hierarchy
 * that decides retries and pages (were one ever to escape, it would be classified like any
 * unexpected error).
 */

/**
 * Thrown by the pacer in `'pause'` mode once the deadline has passed: the listing that
 * meets it is abandoned (to be redone whole on resume). Never leaves the walk:
 * `OrganizationWalk.run` ends PAUSED instead.
 */
export class WalkPaused extends Error {}

/** Thrown by the document reader when nesting passes the depth bound; turned into a DocumentError at once. */
export class DocumentTooDeep extends Error {}
