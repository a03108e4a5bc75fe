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
