/**
 * The top of the page: what is wrong (the worst drifted targets), where (which roots and
 * OUs hold drift) and since when, with links down to the full table and the tree.
 */
import type { AssociationRow } from '../rows';
import { driftByOu, type OuDrift } from './drift-by-ou';
import { htmlText } from './html-escape';
import { anchorLink, consoleLink, treeAnchorId, type ReportLinks } from './report-links';
import { idSpan, newBadge, reasonBadges, since, targetIdLink } from './row-cells';
import { compareWorstFirst } from '../../drift/reason-guide';

/** Drifted targets listed at the top; the table below has them all. */
const WORST_SHOWN = 5;
/** Roots and OUs listed at the top; the tree below has them all. */
const OUS_SHOWN = 10;

/** The root or OU that holds a target, as a link to it in the tree. */
function where(row: AssociationRow, names: ReadonlyMap<string, string>): string {
  const holder = row.target_type === 'ACCOUNT' ? row.parent_id : row.target_id;
  if (holder === null) return '–';
  const name = names.get(holder);
  // Only a root or OU the report has is in the tree; an unknown parent shows as its id.
  return name === undefined ? idSpan(holder) : anchorLink(treeAnchorId(holder), `${htmlText(name)} ${idSpan(holder)}`);
}

function worstItem(row: AssociationRow, names: ReadonlyMap<string, string>, links: ReportLinks): string {
  return `<li data-target-id="${htmlText(row.target_id)}"><span class="what">${reasonBadges(row)}${newBadge(row)}</span> <strong>${htmlText(row.target_name)}</strong> ${targetIdLink(row, links)}<br><span class="muted">in</span> ${where(row, names)} <span class="muted">· drift since</span> ${since(row.first_drift_seen)}</li>`;
}

function ouRow(ou: OuDrift, links: ReportLinks): string {
  const name = ou.row === undefined ? '' : `${anchorLink(treeAnchorId(ou.id), htmlText(ou.row.target_name))} `;
  return `<tr data-target-id="${htmlText(ou.id)}"><td data-label="Root or OU">${name}${consoleLink(links.target(ou.id), idSpan(ou.id))}</td><td class="num" data-label="Drifted">${ou.drifted}</td><td class="num" data-label="FAILED">${ou.failed}</td><td class="num" data-label="New">${ou.newDrift}</td><td data-label="Worst">${reasonBadges(ou.worst)}</td><td data-label="Since">${since(ou.since)}</td></tr>`;
}

function ouTable(rows: readonly AssociationRow[], links: ReportLinks): string {
  const ous = driftByOu(rows);
  if (ous.length === 0) return '';
  const more =
    ous.length > OUS_SHOWN
      ? `<p class="muted">${ous.length - OUS_SHOWN} more root(s) or OU(s) hold drift; ${anchorLink('org-tree', 'the tree')} shows them all.</p>`
      : '';
  return `<h3>Drift by OU (${ous.length})</h3><table class="stack" id="drift-by-ou"><thead><tr><th>Root or OU</th><th class="num">Drifted</th><th class="num">FAILED</th><th class="num">New</th><th>Worst</th><th>Since</th></tr></thead><tbody>${ous
    .slice(0, OUS_SHOWN)
    .map((ou) => ouRow(ou, links))
    .join('')}</tbody></table>${more}`;
}

/** The first screen: the worst drifted targets, then drift by OU. */
export function firstScreen(rows: readonly AssociationRow[], links: ReportLinks): string {
  const drifted = rows.filter((r) => r.drift).sort(compareWorstFirst);
  if (drifted.length === 0)
    return '<section id="attention"><h2>Needs attention</h2><p class="empty">No drift.</p></section>';
  const names = new Map(rows.filter((r) => r.target_type !== 'ACCOUNT').map((r) => [r.target_id, r.target_name]));
  const rest =
    drifted.length > WORST_SHOWN
      ? anchorLink('drifted-targets', `All ${drifted.length} drifted targets, worst first`)
      : anchorLink('drifted-targets', 'Details of each drifted target');
  return `<section id="attention"><h2>Needs attention</h2><ol class="worst" id="worst">${drifted
    .slice(0, WORST_SHOWN)
    .map((r) => worstItem(r, names, links))
    .join('')}</ol><p>${rest} · ${anchorLink('org-tree', 'Organization tree')}</p>${ouTable(rows, links)}</section>`;
}
