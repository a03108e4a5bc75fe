import { displaySafe } from '../../lambdas/audit/util/display-text';

/** Longest prefix of a bad value (or unknown key) a context error message shows. */
const SHOWN_VALUE_LENGTH = 40;

/**
 * `value` as a context error message shows it: display-safe (control and bidi characters
 * escaped, so a value cannot rewrite the terminal it is printed to) and cut to
 * {@link SHOWN_VALUE_LENGTH} characters, so a huge value cannot bury the message.
 */
export function shownValue(value: string): string {
  return displaySafe(value, SHOWN_VALUE_LENGTH);
}

/** {@link shownValue} in double quotes, as messages quote a bad value. */
export function quotedValue(value: string): string {
  return `"${shownValue(value)}"`;
}
