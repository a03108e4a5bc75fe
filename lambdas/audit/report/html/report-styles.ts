import { createHash } from 'node:crypto';

/**
 * The report's only stylesheet. The Content-Security-Policy allows exactly this text
 * (by its SHA-256), so an injected `<style>` or `style=` could not apply even if escaping
 * ever failed; there are no style attributes anywhere in the page.
 */
export const REPORT_CSS = `
:root { --ok: #1a7f37; --bad: #c62828; --warn: #b26a00; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0 auto; max-width: 1200px; padding: 24px; overflow-wrap: anywhere; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
a { color: #0969da; }
.jump-links { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 8px 0 0; }
ol.worst { margin: 0; padding-left: 24px; }
ol.worst li { padding: 4px 0; border-bottom: 1px solid var(--line); }
.meta { color: var(--muted); margin: 0 0 16px; }
.status { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: 600; color: #fff; }
.status.COMPLETE { background: var(--ok); }
.status.INCOMPLETE { background: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; background: var(--bg); }
.card .n { font-size: 22px; font-weight: 600; display: block; }
.card.bad .n { color: var(--bad); }
.card.warn .n { color: var(--warn); }
.card .l { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--bg); position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table#drifted td:nth-child(2) { font-size: 11px; }
/* Fixed column widths: a long value wraps inside its column instead of squeezing the others. */
table#drifted, table#excluded { table-layout: fixed; }
#drifted th:nth-child(1) { width: 15%; } #drifted th:nth-child(2) { width: 10%; } #drifted th:nth-child(3) { width: 12%; }
#drifted th:nth-child(4) { width: 15%; } #drifted th:nth-child(5), #drifted th:nth-child(6) { width: 12%; }
#drifted th:nth-child(7) { width: 15%; } #drifted th:nth-child(8) { width: 9%; }
#excluded th:nth-child(1) { width: 22%; } #excluded th:nth-child(2) { width: 18%; } #excluded th:nth-child(3) { width: 10%; }
#excluded th:nth-child(4) { width: 12%; } #excluded th:nth-child(5) { width: 16%; } #excluded th:nth-child(6) { width: 22%; }
table#drift-by-ou { width: auto; min-width: 60%; }
time, td.num { white-space: nowrap; }
code, .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.reason { display: inline-block; white-space: nowrap; background: #ffebe9; color: var(--bad); border-radius: 4px; padding: 0 4px; margin: 1px; font-size: 11px; font-weight: 600; }
.reason.info { background: #eaeef2; color: var(--muted); }
.new { color: var(--bad); font-weight: 600; }
.muted, .empty { color: var(--muted); }
.note { border-left: 4px solid var(--warn); background: #fff8c5; padding: 6px 10px; }
svg.trend { width: 100%; max-width: 720px; height: auto; display: block; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis { fill: var(--muted); font-size: 11px; }
svg polyline { fill: none; stroke-width: 2; }
svg polyline.drifted { stroke: var(--warn); }
svg polyline.failed { stroke: var(--bad); }
svg circle.drifted, svg rect.drifted { fill: var(--warn); }
svg circle.failed, svg rect.failed { fill: var(--bad); }
svg circle.incomplete { stroke: #1f2328; stroke-width: 1.5; }
details { margin-left: 16px; }
details > summary { cursor: pointer; padding: 2px 0; }
.tree > details { margin-left: 0; }
.counts { color: var(--muted); }
.counts .bad { color: var(--bad); font-weight: 600; }
ul.accounts { margin: 2px 0 6px 16px; padding-left: 16px; }
@media (max-width: 700px) {
  body { padding: 12px; }
  details { margin-left: 8px; }
  ul.accounts { margin-left: 4px; padding-left: 12px; }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: auto; min-width: 0; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.stack tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 10px; padding: 6px 8px; }
  table.stack td { display: flow-root; border: 0; padding: 2px 0 2px 7.5em; }
  table.stack td.num { text-align: left; }
  table.stack td::before { content: attr(data-label); float: left; width: 7em; margin-left: -7.5em; color: var(--muted); font-size: 12px; }
  table#drifted td:nth-child(2) { font-size: 13px; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  th { position: static; }
  h2 { break-after: avoid; }
  tr, .card, svg.trend { break-inside: avoid; }
  details::details-content { content-visibility: visible; display: block; }
  details > summary { list-style: none; }
}
`;

/** The CSP source expression that allows exactly {@link REPORT_CSS}. */
const REPORT_CSS_HASH = `'sha256-${createHash('sha256').update(REPORT_CSS, 'utf8').digest('base64')}'`;

/**
 * No scripts, no fetches, no frames, no forms, no base URL: only the one stylesheet.
 * `img-src data:` is not needed either; the chart is inline SVG.
 */
export const REPORT_CSP = `default-src 'none'; style-src ${REPORT_CSS_HASH}; base-uri 'none'; form-action 'none'`;
