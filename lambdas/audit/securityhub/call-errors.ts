/**
 * What a failed BatchGetConfigurationPolicyAssociations call means for its group. The SDK
 * has already retried what it considers retryable (throttling, 5xx, dropped connections)
 * by the time an error reaches the fan-out.
 */
import { capErrorCode, capServiceText } from './association-answers';
import { SecurityHubFetchError } from '../errors';

/**
 * - `FATAL`: the whole API is refused; no target can be read, so the run stops.
 * - `SPLIT`: something in the group spoils the whole call; halve the group to isolate it.
 * - `UNREADABLE`: the SDK could not deserialize the answer; halve to isolate the entry.
 * - `FAILED`: the call failed as a whole; its targets are unprocessed with the error's name.
 */
export type CallFailure = 'FATAL' | 'SPLIT' | 'UNREADABLE' | 'FAILED';

/**
 * Refusals of the whole API, not of a target: InvalidAccessException is Security Hub's
 * answer when it is not enabled (or not administered) in this account and Region.
 */
const FATAL_NAMES: ReadonlySet<string> = new Set(['AccessDeniedException', 'InvalidAccessException']);

/**
 * Errors one target can cause for its whole group. InvalidInputException may also mean
 * "too many targets"; ResourceNotFoundException (HTTP 404, listed for the whole call in the
 * API model) is one vanished target that must not turn its group-mates UNPROCESSED.
 */
const SPLIT_NAMES: ReadonlySet<string> = new Set(['InvalidInputException', 'ResourceNotFoundException']);

/** The error's `name` (cut like an error code, since it becomes one), or `UnknownError`. */
export function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string') {
    const { name } = error as { name: string };
    if (name !== '') return capErrorCode(name) ?? name;
  }
  return 'UnknownError';
}

/** The error's message (or a thrown string), capped; otherwise null. */
export function errorMessage(error: unknown): string | null {
  if (error instanceof Error) return capServiceText(error.message || null);
  // Anything else thrown has no message worth keeping (and may not stringify safely).
  return typeof error === 'string' ? capServiceText(error) : null;
}

/**
 * True for an answer the service sent successfully but the SDK could not turn into output
 * (e.g. an `UpdatedAt` that is not a date): the SDK's deserializer attaches the raw
 * `$response` to the error it throws, while modeled service exceptions carry `$fault`.
 * @internal Exported for its tests.
 */
export function isDeserializationError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (!('$response' in error) || '$fault' in error) return false;
  const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  return typeof status !== 'number' || (status >= 200 && status < 300);
}

/** Classifies a call's error; see {@link CallFailure}. */
export function classifyCallError(error: unknown): CallFailure {
  const name = errorName(error);
  if (FATAL_NAMES.has(name)) return 'FATAL';
  if (SPLIT_NAMES.has(name)) return 'SPLIT';
  if (isDeserializationError(error)) return 'UNREADABLE';
  return 'FAILED';
}

/** The error thrown when the API is refused with `name`. */
export function refusalError(name: string, cause: unknown): SecurityHubFetchError {
  return new SecurityHubFetchError(
    `Security Hub refused BatchGetConfigurationPolicyAssociations with ${name}: ` +
      'this account is probably not the Security Hub delegated administrator, or this is not ' +
      'the home Region, or the role lacks securityhub:BatchGetConfigurationPolicyAssociations',
    { cause },
  );
}
