/**
 * Rows of cells as aligned text columns, two spaces apart; the first row is the header.
 * Cells must already be display-safe: this only pads them.
 */
export function textTable(rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return [];
  // reduce, not Math.max(...): a query's result may have more rows than a call has arguments.
  const widths = rows[0].map((_, i) => rows.reduce((width, r) => Math.max(width, (r[i] ?? '').length), 0));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
}
