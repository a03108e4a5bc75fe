/**
 * A small EventBridge event-pattern matcher, so the synthesized rules' patterns can be
 * matched against sample events without AWS (no maintained npm port of AWS's Event Ruler
 * could be found and installed). It implements the documented rules the project's
 * patterns use, and a few more, and refuses any other operator rather than guess:
 *
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html:
 *   a pattern field's array lists the values that match (exact, case-sensitive strings;
 *   numbers compared as numbers; `null`), nested objects match nested fields, every field
 *   of the pattern must match, fields the pattern does not name are ignored, and an event
 *   field that is an array matches if any of its elements matches.
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html:
 *   `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (a value, a list, or a
 *   `prefix`/`suffix`), `exists` (leaf fields only), `numeric` (`<`, `<=`, `=`, `>=`, `>` pairs).
 */

type PatternObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is PatternObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NUMERIC: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
};

function numericMatches(spec: unknown, value: unknown): boolean {
  if (!Array.isArray(spec) || spec.length % 2 !== 0) throw new Error(`bad numeric operator ${JSON.stringify(spec)}`);
  if (typeof value !== 'number') return false;
  for (let i = 0; i < spec.length; i += 2) {
    const compare = NUMERIC[String(spec[i])];
    if (compare === undefined) throw new Error(`bad numeric comparison ${JSON.stringify(spec[i])}`);
    if (!compare(value, Number(spec[i + 1]))) return false;
  }
  return true;
}

/** `anything-but`: the value must exist and be none of the listed ones (or not have the prefix/suffix). */
function anythingButMatches(spec: unknown, value: unknown): boolean {
  if (value === undefined) return false;
  if (isObject(spec)) return !operatorMatches(spec, value);
  const excluded = Array.isArray(spec) ? spec : [spec];
  return !excluded.some((candidate) => scalarEquals(candidate, value));
}

function scalarEquals(candidate: unknown, value: unknown): boolean {
  return candidate === value;
}

/** One operator object, e.g. `{ "prefix": "2017-10-02" }`, against one scalar value. */
function operatorMatches(operator: PatternObject, value: unknown): boolean {
  const keys = Object.keys(operator);
  if (keys.length !== 1) throw new Error(`an operator object has one key: ${JSON.stringify(operator)}`);
  const [name] = keys as [string];
  const spec = operator[name];
  switch (name) {
    case 'prefix':
      return typeof value === 'string' && typeof spec === 'string' && value.startsWith(spec);
    case 'suffix':
      return typeof value === 'string' && typeof spec === 'string' && value.endsWith(spec);
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof spec === 'string' && value.toLowerCase() === spec.toLowerCase();
    case 'anything-but':
      return anythingButMatches(spec, value);
    case 'exists':
      return spec === (value !== undefined && !isObject(value));
    case 'numeric':
      return numericMatches(spec, value);
    default:
      throw new Error(`operator ${JSON.stringify(name)} is not implemented by this matcher`);
  }
}

/** A pattern's list of allowed values against one event value (not an array). */
function leafMatches(allowed: readonly unknown[], value: unknown): boolean {
  return allowed.some((entry) => (isObject(entry) ? operatorMatches(entry, value) : entry === value));
}

/** A pattern field (list of values, or nested pattern) against the event's field. */
function fieldMatches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    if (Array.isArray(value)) return value.some((element: unknown) => leafMatches(pattern, element));
    return leafMatches(pattern, value);
  }
  if (!isObject(pattern)) throw new Error(`a pattern field is an array or an object: ${JSON.stringify(pattern)}`);
  if (Array.isArray(value)) return value.some((element: unknown) => fieldMatches(pattern, element));
  return isObject(value) && objectMatches(pattern, value);
}

function objectMatches(pattern: PatternObject, event: PatternObject): boolean {
  return Object.entries(pattern).every(([key, sub]) =>
    fieldMatches(sub, Object.hasOwn(event, key) ? event[key] : undefined),
  );
}

/** True when `event` (an EventBridge event as JSON) matches the event `pattern`. */
export function matchesEventPattern(pattern: object, event: unknown): boolean {
  if (!isObject(event)) return false;
  return objectMatches(pattern as PatternObject, event);
}
