/**
 * The length bounds of every string the audit keeps from outside, in UTF-16 code units,
 * defined once: the code that writes a report row, a run summary or a checkpoint cuts to
 * these, and the schemas that read them back accept up to these. A writer cutting to a
 * bound its own reader refuses would make the next run distrust its history.
 */

/** Longest id-like value: policy ids, error codes. */
export const MAX_ID_LENGTH = 256;
/** Longest name or key: root, OU and account names, object keys. */
export const MAX_NAME_LENGTH = 1024;
/**
 * Longest free text from a service (status message, error reason, error message). Real
 * messages are a sentence; the cap keeps one hostile or broken answer from bloating every
 * report, query and digest that carries it.
 */
export const MAX_SERVICE_TEXT_LENGTH = 1024;
/** Longest free text from a document (an exclusion's reason). */
export const MAX_FREE_TEXT_LENGTH = 65_536;

const ELLIPSIS = '…';

/**
 * `value` cut to at most `max` code units, the `…` included, never inside a surrogate pair;
 * text within the bound is returned as it is.
 */
export function capText(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = Math.max(max - ELLIPSIS.length, 0);
  const last = value.charCodeAt(end - 1);
  // A high surrogate at the cut would leave half a character.
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${value.slice(0, end)}${ELLIPSIS}`;
}

/** {@link capText} for optional text: `null` and `undefined` give `null`. */
export function capNullable(value: string | null | undefined, max: number): string | null {
  return value === undefined || value === null ? null : capText(value, max);
}
