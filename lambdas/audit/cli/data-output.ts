/**
 * The CLI's machine-readable outputs (`--format json|jsonl|csv`). Every value in them
 * came from outside (service answers, documents), and the text may land on a terminal
 * or in a spreadsheet, so each format is made safe for both without changing what a
 * parser reads (JSON) or with visible escapes (CSV, which has no escape of its own).
 */
import type { AssociationRow } from '../report/rows';
import { ASSOCIATION_COLUMNS } from '../report/schema';
import type { RunSummary } from '../report/summary';
import { displaySafe } from '../util/display-text';

// JSON.stringify escapes C0 controls but leaves C1 controls and bidi/format characters raw.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A value as JSON for a terminal: the same JSON value, but every character a terminal
 * would act on or reorder is written as a `\uXXXX` escape (valid JSON).
 * @internal Exported for its tests.
 */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Where the run's report went, for the JSON output. */
export interface ReportLocations {
  readonly associations: string;
  readonly html: string;
}

/** `--format json`: one document with the summary, where the report is, and the flagged rows. */
export function formatJson(summary: RunSummary, report: ReportLocations, rows: readonly AssociationRow[]): string {
  return jsonForTerminal({ summary, report, rows });
}

/** `--format jsonl`: one flagged row per line, as in the report's associations file. Empty when none. */
export function formatJsonl(rows: readonly AssociationRow[]): string {
  return rows.map((row) => jsonForTerminal(row)).join('\n');
}

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: a leading formula character defused with a single quote (OWASP's rule),
 * control and bidi characters as visible escapes, never cut, then quoted per RFC 4180
 * when it holds a comma, a quote, a line break or edge spaces. Lists are joined with `;`.
 * @internal Exported for its tests.
 */
export function csvCell(value: string | number | boolean | null | readonly string[]): string {
  const text = value === null ? '' : typeof value === 'object' ? value.join(';') : String(value);
  const defused = FORMULA_START.test(text) ? `'${text}` : text;
  const safe = displaySafe(defused, Number.POSITIVE_INFINITY);
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** `--format csv`: a header of the report's column names, then one flagged row per line. */
export function formatCsv(rows: readonly AssociationRow[]): string {
  const names = ASSOCIATION_COLUMNS.map((c) => c.name);
  const lines = [names.map(csvCell).join(',')];
  for (const row of rows) {
    const record = row as unknown as Record<string, Parameters<typeof csvCell>[0]>;
    lines.push(names.map((name) => csvCell(record[name])).join(','));
  }
  return lines.join('\n');
}
