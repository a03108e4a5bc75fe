/** Pieces of a target's row that the first screen, the tables and the tree share. */
import type { AssociationRow } from '../rows';
import { escapeHtml, htmlText } from './html-escape';
import { consoleLink, type ReportLinks } from './report-links';

/** An id in monospace; `null` shows as an en dash. */
export const idSpan = (value: string | null): string => `<span class="id">${htmlText(value)}</span>`;

/** The row's drift reasons as badges (`cls` ' info' for reasons that are not drift). */
export const reasonBadges = (row: AssociationRow, cls = ''): string =>
  row.drift_reasons.map((r) => `<span class="reason${cls}">${escapeHtml(r)}</span>`).join(' ') || '–';

/** The NEW badge of drift this run found first. */
export const newBadge = (row: AssociationRow): string =>
  row.changes.includes('NEW_DRIFT') ? ' <span class="new">NEW</span>' : '';

/** A target's id, linked to its Organizations console page when the run has a console context. */
export const targetIdLink = (row: AssociationRow, links: ReportLinks): string =>
  consoleLink(links.target(row.target_id), idSpan(row.target_id));

/** A policy id, linked to the Security Hub configuration policies page when there is one to link. */
export const policyIdLink = (policyId: string | null, links: ReportLinks, name: string | null = null): string =>
  `${name === null ? '' : `${htmlText(name)}<br>`}${policyId === null ? idSpan(null) : consoleLink(links.policy(policyId), idSpan(policyId))}`;

/** The target's name over its (linked) id. */
export const targetCell = (row: AssociationRow, links: ReportLinks): string =>
  `${htmlText(row.target_name)}<br>${targetIdLink(row, links)}`;

/** An instant (`first_drift_seen`) as its date; the full instant is the element's `datetime` and title. */
export const since = (instant: string | null): string =>
  instant === null
    ? '–'
    : `<time datetime="${htmlText(instant)}" title="${htmlText(instant)}">${htmlText(instant.slice(0, 10))}</time>`;
