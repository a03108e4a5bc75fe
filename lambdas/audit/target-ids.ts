/**
 * The shapes of AWS Organizations ids, from the Organizations API reference (the
 * `pattern` of RootId, OrganizationalUnitId and AccountId). Every id the audit takes from
 * a service answer or a document is checked against them before it can reach an S3 key,
 * a log line, a report row or a query.
 */
import type { TargetType } from './model';

/** Root id as AWS Organizations issues it, e.g. `r-ab12`. */
export const ROOT_ID_PATTERN = /^r-[0-9a-z]{4,32}$/;
/** Organizational unit id, e.g. `ou-ab12-cd34ef56`. */
export const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
/** Account id: exactly twelve digits. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** What a target id looks like, for error messages. */
export const TARGET_ID_EXPECTATION = 'expected a root (r-…), OU (ou-…-…) or 12-digit account id';

const PATTERN_OF: Readonly<Record<TargetType, RegExp>> = {
  ROOT: ROOT_ID_PATTERN,
  ORGANIZATIONAL_UNIT: OU_ID_PATTERN,
  ACCOUNT: ACCOUNT_ID_PATTERN,
};

/** True when `id` has the shape of a root, OU or account id. */
export function isTargetId(id: string): boolean {
  return ROOT_ID_PATTERN.test(id) || OU_ID_PATTERN.test(id) || ACCOUNT_ID_PATTERN.test(id);
}

/** True when `id` has the shape of an id of that target type. */
export function isTargetIdOfType(type: TargetType, id: string): boolean {
  return PATTERN_OF[type].test(id);
}

/**
 * A bounded, quoted rendering of an untrusted id for logs and error messages: JSON
 * escaping neutralises control characters and the length cap keeps a hostile value from
 * flooding a log line.
 */
export function quoteUntrustedId(id: unknown): string {
  const text = typeof id === 'string' ? id : String(id);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
