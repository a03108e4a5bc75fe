/**
 * One error hierarchy for the audit core, the handler and the CLI. The kind decides what
 * happens next: whether Lambda's asynchronous retries can help, which CLI exit code is
 * returned and what the page says. Every typed error of the project extends {@link AuditError}.
 */

/** The kinds of failure, in the order an operator acts on them. */
export const ERROR_KINDS = [
  /** A document, option, event or configuration value is wrong; retrying cannot help. */
  'BAD_INPUT',
  /** A permission is missing or Security Hub / Organizations access is not set up; retrying cannot help. */
  'PERMISSION',
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
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'CredentialsProviderError',
  'EACCES',
  'EPERM',
]);

/** True when `error`, or one of its first causes, is an access or set-up refusal (by name or code). */
export function isAccessError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const { name, code } = current as { name?: unknown; code?: unknown };
    if (ACCESS_ERROR_NAMES.has(String(name)) || ACCESS_ERROR_NAMES.has(String(code))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
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

/** True when retrying the same invocation cannot succeed, so Lambda must not retry it. */
export function isPermanent(error: unknown): boolean {
  const kind = errorKindOf(error);
  return kind === 'BAD_INPUT' || kind === 'PERMISSION';
}
