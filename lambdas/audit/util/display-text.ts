/**
 * Text from outside (service answers, documents, S3 objects, options) on its way to a
 * person: a terminal, an e-mail, a chat message or a log line. Control characters would
 * clear a screen, move the cursor or forge lines; bidirectional overrides would make a
 * value read differently from what it is. Both are shown as visible escapes instead.
 */

/** Longest value shown by default; longer ones are cut with an ellipsis. */
const DEFAULT_DISPLAY_LENGTH = 200;

// C0 controls, DEL, C1 controls, and the Unicode format characters that reorder or hide
// text: bidi embeddings/overrides/isolates, zero-width marks, line/paragraph separators, BOM.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `value` made safe to show: every unsafe character becomes a visible `\xNN`/`\uNNNN`
 * escape, and the result is cut to `maxLength` characters (plus `…`). Cutting happens
 * after escaping, so an escape is never split into a raw character.
 */
export function displaySafe(value: unknown, maxLength: number = DEFAULT_DISPLAY_LENGTH): string {
  const text = typeof value === 'string' ? value : String(value);
  const escaped = text.replace(UNSAFE, escapeChar);
  return escaped.length > maxLength ? `${escaped.slice(0, maxLength)}…` : escaped;
}

/** At most `max` items shown, then "and N more", so a message about many ids stays short. */
export function listBounded(
  items: readonly string[],
  max = 10,
  render: (item: string) => string = displaySafe,
): string {
  const shown = items
    .slice(0, max)
    .map((item) => render(item))
    .join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}
