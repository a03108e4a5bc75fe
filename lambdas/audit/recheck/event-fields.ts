/**
 * Reading fields of an untrusted event. An event object comes from `JSON.parse` of a queue
 * message, so a field is read only when it is the object's own property: a key such as
 * `constructor` or `toString` can never be answered by `Object.prototype`. Every id is
 * checked against its documented shape before it leaves this module, and what a refusal
 * says about a value is bounded and quoted.
 */
import type { BadEventReason, ChangeScope } from '../types/recheck';
import { quoteUntrustedId } from '../target-ids';

/** A plain JSON object as `JSON.parse` builds it. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Why a field could not be used: becomes a BAD verdict as it is. */
export interface FieldProblem {
  readonly bad: BadEventReason;
  readonly detail: string;
}

/** What one event means: a scope to re-check, a reason it changed nothing, or why it is bad. */
export type ScopeVerdict = { readonly scope: ChangeScope } | { readonly ignored: string } | FieldProblem;

/** True when `value` is a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The own property `key` of `object`, or `undefined`: never an inherited one. */
export function ownField(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** True for a {@link FieldProblem} (a read that failed), as opposed to the value read. */
export function isProblem(value: unknown): value is FieldProblem {
  return isJsonObject(value) && typeof value.bad === 'string' && typeof value.detail === 'string';
}

/** A MALFORMED problem naming the field and, quoted and bounded, what was there. */
export function malformed(path: string, value: unknown, expectation: string): FieldProblem {
  return { bad: 'MALFORMED', detail: `${path}: ${shownValue(value)}, ${expectation}` };
}

/** A short text standing for any value in a message: objects are named, never expanded; strings quoted. */
function shownValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'got null';
  if (Array.isArray(value)) return 'got an array';
  return typeof value === 'object' ? 'got an object' : `got ${quoteUntrustedId(value)}`;
}

/** The object at `path` (a dotted list of own keys), or a MALFORMED problem. */
export function objectAt(root: JsonObject, path: string): JsonObject | FieldProblem {
  let current: unknown = root;
  for (const key of path.split('.')) current = isJsonObject(current) ? ownField(current, key) : undefined;
  return isJsonObject(current) ? current : malformed(path, current, 'expected an object');
}

/** The string at `key` of `object`, or a MALFORMED problem. */
function stringAt(object: JsonObject, key: string, path: string): string | FieldProblem {
  const value = ownField(object, key);
  return typeof value === 'string' ? value : malformed(`${path}.${key}`, value, 'expected a string');
}

/**
 * The id at `key` of `object` when it has the shape `pattern`; a missing or non-string
 * value is MALFORMED, a string of another shape is BAD_ID.
 */
export function idAt(
  object: JsonObject,
  key: string,
  path: string,
  pattern: RegExp,
  what: string,
): string | FieldProblem {
  const value = stringAt(object, key, path);
  if (isProblem(value)) return value;
  return pattern.test(value)
    ? value
    : { bad: 'BAD_ID', detail: `${path}.${key}: ${quoteUntrustedId(value)} is not ${what}` };
}
