/**
 * The run as one self-contained HTML page: no script, no external asset, no network.
 * Pure: (summary, rows, tree, trend) → string. Every value from outside (names, ids,
 * policy ids, status messages, paths, error text) goes through htmlText: displaySafe,
 * then HTML-escaped, so markup in an account or OU name renders as text.
 */
import { listBounded } from '../../util/display-text';
import type { ConsoleContext } from '../console-links';
import type { AssociationRow } from '../rows';
import type { RunSummary } from '../summary';
import { firstScreen } from './first-screen';
import { escapeHtml, htmlText } from './html-escape';
import { anchorLink, consoleLink, reportLinks, treeAnchorId, type ReportLinks } from './report-links';
import {
  idSpan as id,
  newBadge,
  policyIdLink,
  reasonBadges as reasons,
  since,
  targetCell,
  targetIdLink,
} from './row-cells';
import type { ReportTree, ReportTreeNode, TreeCounts } from './report-tree';
import { REPORT_CSP, REPORT_CSS } from './report-styles';
import type { RunTrend } from './run-trend';
import { trendChart } from './trend-chart';
import { untrustedHistoryNotice } from '../../history/history-notice';
import { compareWorstFirst } from '../../drift/reason-guide';

/** What the page shows. */
export interface HtmlReportInput {
  readonly summary: RunSummary;
  readonly rows: readonly AssociationRow[];
  /** From buildReportTree(rows). */
  readonly tree: ReportTree;
  /** From readRunTrend; the current run is its last point. */
  readonly trend: RunTrend;
  /** The run's partition, Region and bucket, for https links into the consoles; none without it. */
  readonly console?: ConsoleContext;
}

/** Longest status message or error reason shown; names and ids are cut at displaySafe's default. */
const MAX_MESSAGE_LENGTH = 500;
/**
 * Rows per table, and flagged accounts per OU in the tree: a page a browser still opens
 * (about 1 KB a row) when a whole large organization drifts at once. The rest are counted,
 * and Athena has them all.
 * @internal Exported for its tests.
 */
export const MAX_TABLE_ROWS = 5000;
const MAX_TREE_ACCOUNTS = 200;

const more = (shown: number, total: number, where: string) =>
  total > shown
    ? `<p class="note">${total - shown} more not shown here; the associations object and Athena have every ${where}.</p>`
    : '';

const statusText = (row: AssociationRow) =>
  `${htmlText(row.association_status ?? 'unknown')}${row.association_status_message ? `: ${htmlText(row.association_status_message, MAX_MESSAGE_LENGTH)}` : ''}${row.error_code ? ` <span class="muted">(${htmlText(row.error_code)} ${htmlText(row.error_reason ?? '', MAX_MESSAGE_LENGTH)})</span>` : ''}`;

function card(label: string, value: number, tone: '' | 'bad' | 'warn' = ''): string {
  return `<div class="card${value > 0 && tone ? ` ${tone}` : ''}" data-count="${escapeHtml(label)}"><span class="n">${value}</span><span class="l">${escapeHtml(label)}</span></div>`;
}

/** The meta line's history part: what this run compared with, or why it compared with nothing. */
function comparedWith(s: RunSummary): string {
  const untrusted = untrustedHistoryNotice(s);
  if (untrusted !== undefined)
    return ` · <strong class="bad" id="history-untrusted">${htmlText(untrusted, 400)}</strong>`;
  return s.previous_run_id ? ` · compared with <span class="id">${htmlText(s.previous_run_id)}</span>` : ' · first run';
}

function header(s: RunSummary): string {
  const complete = s.run_status === 'COMPLETE';
  const explanation = complete
    ? 'Every enumerated target has a definite association state.'
    : `${s.status_unknown} target(s) have no definite association state (unprocessed or missing)${s.deadline_reached ? '; the run reached its deadline' : ''}.`;
  return `<header><h1>Security Hub configuration audit</h1>
<p class="meta">Run <span class="id" id="run-id">${htmlText(s.run_id)}</span> · ${htmlText(s.audited_at)} · ${htmlText(s.trigger.toLowerCase())} · ${s.duration_seconds.toFixed(0)} s${comparedWith(s)}</p>
<p><span class="status ${complete ? 'COMPLETE' : 'INCOMPLETE'}" id="run-status">${complete ? 'COMPLETE' : 'INCOMPLETE'}</span> ${escapeHtml(explanation)} Targets enumerated ${s.targets_enumerated}, reported ${s.targets_reported}${s.targets_rejected > 0 ? `, rejected ids ${s.targets_rejected}` : ''}.</p></header>`;
}

function counts(s: RunSummary): string {
  return `<section id="counts"><h2>Counts</h2>
<div class="cards" id="status-counts">${card('Targets', s.targets_reported)}${card('SUCCESS', s.status_success)}${card('PENDING', s.status_pending, 'warn')}${card('FAILED', s.status_failed, 'bad')}${card('Unknown', s.status_unknown, 'bad')}${card('Drifted', s.drifted, 'bad')}${card('Excluded', s.excluded)}${card('New drift', s.new_drift, 'bad')}${card('Resolved', s.resolved_drift)}${card('Departed', s.departed_targets.length)}</div>
<h2>Drift by reason</h2>
<div class="cards" id="reason-counts">${card('FAILED', s.drift_failed, 'bad')}${card('PENDING_STALE', s.drift_pending_stale, 'warn')}${card('UNPROCESSED', s.drift_unprocessed, 'bad')}${card('MISSING', s.drift_missing, 'bad')}${card('INHERITANCE_MISMATCH', s.drift_inheritance_mismatch, 'bad')}${card('BASELINE_MISMATCH', s.drift_baseline_mismatch, 'bad')}</div>
<p class="muted">Roots ${s.roots}, OUs ${s.organizational_units}, accounts ${s.accounts} (suspended ${s.suspended_accounts}).${s.departed_targets.length > 0 ? ` Left the organization since the previous run: ${htmlText(listBounded(s.departed_targets, 20), 2000)}.` : ''}</p></section>`;
}

function trendSection(trend: RunTrend): string {
  const note = trend.stoppedBecause
    ? `<p class="note">History stops here: ${htmlText(trend.stoppedBecause)}; older runs are not shown.</p>`
    : '';
  return `<section id="trend"><h2>Trend (last ${trend.points.length} run${trend.points.length === 1 ? '' : 's'})</h2>${trendChart(trend)}${note}</section>`;
}

/** One drifted target as a table row; on a phone each cell is a labelled line of a card. */
function driftedRow(r: AssociationRow, links: ReportLinks): string {
  const cell = (label: string, html: string) => `<td data-label="${label}">${html}</td>`;
  return `<tr data-target-id="${htmlText(r.target_id)}">${[
    cell('Target', targetCell(r, links)),
    cell('Type', htmlText(r.target_type)),
    cell('OU path', `${r.ou_path_names === null ? '' : `${htmlText(r.ou_path_names)}<br>`}${id(r.ou_path)}`),
    cell(
      'Reasons',
      `${reasons(r)}${newBadge(r)}${r.exclusion_expired ? ' <span class="muted">exclusion expired</span>' : ''}`,
    ),
    cell(
      'Expected policy',
      `${policyIdLink(r.expected_policy_id, links, r.expected_policy_name)}${r.baseline_policy_id ? `<br><span class="muted">baseline</span> ${policyIdLink(r.baseline_policy_id, links, r.baseline_policy_name)}` : ''}`,
    ),
    cell(
      'Actual policy',
      `${policyIdLink(r.configuration_policy_id, links, r.configuration_policy_name)}<br><span class="muted">${htmlText(r.association_type)}</span>`,
    ),
    cell(
      'Status',
      `${statusText(r)}${r.remediation_command === null ? '' : `<br><span class="muted">fix:</span> <code class="id">${htmlText(r.remediation_command, 400)}</code>`}`,
    ),
    cell('Drift since', since(r.first_drift_seen)),
  ].join('')}</tr>`;
}

function driftedTable(rows: readonly AssociationRow[], links: ReportLinks): string {
  const drifted = rows.filter((r) => r.drift).sort(compareWorstFirst);
  const body = drifted
    .slice(0, MAX_TABLE_ROWS)
    .map((r) => driftedRow(r, links))
    .join('\n');
  return `<section id="drifted-targets"><h2>Drifted targets, worst first (${drifted.length})</h2>${
    drifted.length === 0
      ? '<p class="empty">No drift.</p>'
      : `<table class="stack" id="drifted"><thead><tr><th>Target</th><th>Type</th><th>OU path</th><th>Reasons</th><th>Expected policy</th><th>Actual policy</th><th>Status and message</th><th>Drift first seen</th></tr></thead><tbody>\n${body}\n</tbody></table>${more(MAX_TABLE_ROWS, drifted.length, 'drifted target')}`
  }</section>`;
}

function excludedRow(r: AssociationRow, links: ReportLinks): string {
  return `<tr data-target-id="${htmlText(r.target_id)}"><td data-label="Target">${targetCell(r, links)}</td><td data-label="Reason">${htmlText(r.excluded_reason)}</td><td data-label="Expires">${htmlText(r.exclusion_expires)}</td><td data-label="Findings">${reasons(r, ' info')}</td><td data-label="Expected / actual">${policyIdLink(r.expected_policy_id, links)} / ${policyIdLink(r.configuration_policy_id, links)}</td><td data-label="Status">${statusText(r)}</td></tr>`;
}

function excludedTable(rows: readonly AssociationRow[], links: ReportLinks): string {
  const excluded = rows.filter((r) => r.audit_result === 'EXCLUDED');
  const body = excluded
    .slice(0, MAX_TABLE_ROWS)
    .map((r) => excludedRow(r, links))
    .join('\n');
  return `<section id="excluded-targets"><h2>Excluded targets (${excluded.length})</h2>${
    excluded.length === 0
      ? '<p class="empty">No exclusions apply.</p>'
      : `<table class="stack" id="excluded"><thead><tr><th>Target</th><th>Exclusion reason</th><th>Expires</th><th>Findings (not drift)</th><th>Expected / actual policy</th><th>Status and message</th></tr></thead><tbody>\n${body}\n</tbody></table>${more(MAX_TABLE_ROWS, excluded.length, 'excluded target')}`
  }</section>`;
}

function countsText(c: TreeCounts): string {
  const bad = (n: number, label: string) => (n > 0 ? `<span class="bad">${n} ${label}</span>` : `${n} ${label}`);
  return `<span class="counts" data-targets="${c.targets}" data-drifted="${c.drifted}" data-excluded="${c.excluded}" data-failed="${c.failed}">${bad(c.drifted, 'drifted')}, ${bad(c.failed, 'FAILED')}, ${c.excluded} excluded, ${c.targets} targets</span>`;
}

/** An account (or, among the unplaced, any target) as a list item; a root or OU keeps its anchor id. */
function accountLine(r: AssociationRow, links: ReportLinks): string {
  const anchor = r.target_type === 'ACCOUNT' ? '' : ` id="${htmlText(treeAnchorId(r.target_id))}"`;
  return `<li${anchor} data-target-id="${htmlText(r.target_id)}">${htmlText(r.target_name)} ${targetIdLink(r, links)} ${r.drift ? reasons(r) : r.audit_result === 'EXCLUDED' ? '<span class="reason info">EXCLUDED</span>' : ''}</li>`;
}

function treeNode(node: ReportTreeNode, links: ReportLinks): string {
  const r = node.row;
  const flagged = node.accounts.filter((a) => a.drift || a.audit_result === 'EXCLUDED').sort(compareWorstFirst);
  const quiet = node.accounts.length - flagged.length;
  const line = (a: AssociationRow) => accountLine(a, links);
  const accounts =
    node.accounts.length === 0
      ? ''
      : `<ul class="accounts">${flagged.slice(0, MAX_TREE_ACCOUNTS).map(line).join('')}${flagged.length > MAX_TREE_ACCOUNTS ? `<li class="muted">${flagged.length - MAX_TREE_ACCOUNTS} more drifted or excluded account(s)</li>` : ''}${quiet > 0 ? `<li class="muted">${quiet} account(s) without drift</li>` : ''}</ul>`;
  const own = r.drift ? ` ${reasons(r)}` : '';
  return `<details${node.counts.drifted > 0 ? ' open' : ''} id="${htmlText(treeAnchorId(r.target_id))}" data-target-id="${htmlText(r.target_id)}"><summary><strong>${htmlText(r.target_name)}</strong> ${targetIdLink(r, links)}${own} — ${countsText(node.counts)}</summary>${node.children.map((c) => treeNode(c, links)).join('')}${accounts}</details>`;
}

function treeSection(tree: ReportTree, links: ReportLinks): string {
  const unplaced =
    tree.unplaced.length === 0
      ? ''
      : `<p class="note">Not placed in the tree (parent not in the report):</p><ul class="accounts" id="unplaced">${tree.unplaced.map((r) => accountLine(r, links)).join('')}</ul>`;
  return `<section id="organization"><h2>Organization</h2><div class="tree" id="org-tree">${tree.roots.map((n) => treeNode(n, links)).join('')}</div>${unplaced}</section>`;
}

/** Links to every part of the page, at its top. */
const JUMP_LINKS = `<nav class="jump-links" id="jump-links">${[
  ['attention', 'Needs attention'],
  ['drifted-targets', 'All drifted'],
  ['org-tree', 'Organization tree'],
  ['counts', 'Counts'],
  ['trend', 'Trend'],
  ['excluded-targets', 'Excluded'],
]
  .map(([target, label]) => anchorLink(target, label))
  .join(' ')}</nav>`;

function footer(summary: RunSummary, links: ReportLinks): string {
  return `<footer class="muted"><p>Associations object ${consoleLink(links.s3Object(summary.report_key), id(summary.report_key))}. Query the history in Athena (saved queries drift-latest-run, failed-and-drift-trend-30-days).</p></footer>`;
}

/** The whole page. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { summary, rows, tree, trend } = input;
  const links = reportLinks(input.console);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Security Hub configuration audit ${htmlText(summary.run_id)} (${summary.run_status === 'COMPLETE' ? 'COMPLETE' : 'INCOMPLETE'})</title>
<style>${REPORT_CSS}</style></head>
<body>
${header(summary)}
${JUMP_LINKS}
${firstScreen(rows, links)}
${counts(summary)}
${trendSection(trend)}
${driftedTable(rows, links)}
${excludedTable(rows, links)}
${treeSection(tree, links)}
${footer(summary, links)}
</body></html>
`;
}
