import { displaySafe } from '../../util/display-text';

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * `text` as HTML text or a quoted attribute value: the five characters that can end a
 * text node or an attribute become entities. Five fixed replacements; a dependency
 * would add more to the Lambda bundle than it saves.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * A value from outside as HTML: displaySafe first (control and bidi characters as
 * visible escapes, cut to `maxLength`), then HTML-escaped. `null` shows as an en dash.
 */
export function htmlText(value: unknown, maxLength?: number): string {
  if (value === null || value === undefined || value === '') return '–';
  return escapeHtml(displaySafe(value, maxLength));
}
