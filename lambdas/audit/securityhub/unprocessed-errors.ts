/**
 * Decides whether an unprocessed BatchGetConfigurationPolicyAssociations entry is worth
 * asking for again.
 *
 * The API reference types `UnprocessedConfigurationPolicyAssociation.ErrorCode` as a
 * free-form string, "An HTTP status code that identifies why the configuration policy
 * association failed" (e.g. "429", "500", "403"):
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_UnprocessedConfigurationPolicyAssociation.html
 * Because it is free-form, exception-style names (`AccessDeniedException`,
 * `LimitExceededException`, ...) are accepted too; our fan-out also uses the exception
 * name as the code when a whole call failed.
 */

/**
 * RETRYABLE: ask again in a later re-drive round. TERMINAL: asking again cannot help.
 * @internal Exported for its tests.
 */
export type ErrorDisposition = 'RETRYABLE' | 'TERMINAL';

/** Error code the fan-out uses for targets it never sent because the deadline came first. */
export const DEADLINE_EXCEEDED = 'DEADLINE_EXCEEDED';

/**
 * Error code the fan-out uses for a target whose association came back in a shape the
 * audit cannot read (a missing field, or an enum value newer than this code). The target
 * has no definite state, so it is reported as unprocessed rather than guessed at.
 */
export const MALFORMED_RESPONSE = 'MALFORMED_RESPONSE';

/**
 * Name prefixes (lower case, punctuation removed) of terminal errors:
 * - access denied: the caller lacks permission for this target; the same credentials will
 *   be denied again within the same run.
 * - resource not found: the target does not exist (any more) for Security Hub; a retry
 *   seconds later returns the same answer.
 * - invalid input / invalid access: the request itself is wrong for this target (bad id,
 *   target outside the organization, Security Hub not enabled in this account) - not
 *   something that changes on its own during a run.
 */
const TERMINAL_NAME_PREFIXES = ['accessdenied', 'resourcenotfound', 'notfound', 'invalidinput', 'invalidaccess'];

/**
 * Name prefixes of retryable errors: throttling (`LimitExceededException` is how Security
 * Hub reports its request-rate quota, `TooManyRequests*`, `Throttl*`) and service-side
 * faults (`Internal*`, `ServiceUnavailable*`), which are transient by nature.
 */
const RETRYABLE_NAME_PREFIXES = [
  'limitexceeded',
  'toomanyrequests',
  'throttl',
  'requestlimitexceeded',
  'slowdown',
  'internal',
  'serviceunavailable',
  'requesttimeout',
];

/** HTTP statuses that are terminal: 400 invalid input, 401 invalid access (InvalidAccessException), 403 access denied, 404 not found. */
const TERMINAL_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404]);

/**
 * Classifies an ErrorCode. Unknown codes (including an absent code, other 4xx statuses
 * and names we have never seen) are RETRYABLE: re-driving is bounded by the number of
 * rounds and the deadline, so optimism costs little, while wrongly calling an error
 * terminal would leave a target unprocessed that one more call might have fixed.
 * @internal Exported for its tests.
 */
export function classifyErrorCode(errorCode: string | null | undefined): ErrorDisposition {
  const code = (errorCode ?? '').trim();
  if (code === '') return 'RETRYABLE';
  // Our own marker: the target was never asked for; another round would be the fix, but
  // the deadline that produced it forbids one. Terminal keeps it out of re-drive rounds.
  if (code === DEADLINE_EXCEEDED) return 'TERMINAL';
  // The service answered; asking again within the same run returns the same shape.
  if (code === MALFORMED_RESPONSE) return 'TERMINAL';

  if (/^\d{3}$/.test(code)) {
    const status = Number(code);
    // 429 Too Many Requests and every 5xx are transient by definition (RFC 9110).
    if (status === 429 || status >= 500) return 'RETRYABLE';
    if (TERMINAL_STATUSES.has(status)) return 'TERMINAL';
    return 'RETRYABLE';
  }

  const name = code.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (TERMINAL_NAME_PREFIXES.some((prefix) => name.startsWith(prefix))) return 'TERMINAL';
  if (RETRYABLE_NAME_PREFIXES.some((prefix) => name.startsWith(prefix))) return 'RETRYABLE';
  return 'RETRYABLE';
}

/** Convenience for `classifyErrorCode(code) === 'RETRYABLE'`. */
export function isRetryableErrorCode(errorCode: string | null | undefined): boolean {
  return classifyErrorCode(errorCode) === 'RETRYABLE';
}
