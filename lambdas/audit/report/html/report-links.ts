/**
 * The page's links: into the AWS consoles (when the run knows its partition and Region)
 * and to anchors within the page. Every URL is HTML-escaped as it is written.
 */
import { policyConsoleUrl, s3ObjectConsoleUrl, targetConsoleUrl, type ConsoleContext } from '../console-links';
import { escapeHtml } from './html-escape';

/** Console URLs for the page; every builder gives `undefined` when the run has no console context. */
export interface ReportLinks {
  readonly target: (targetId: string) => string | undefined;
  readonly policy: (policyId: string) => string | undefined;
  readonly s3Object: (key: string) => string | undefined;
}

/** The links of a page rendered with `ctx`; none without it (a CLI run to a directory). */
export function reportLinks(ctx: ConsoleContext | undefined): ReportLinks {
  if (ctx === undefined) return { target: () => undefined, policy: () => undefined, s3Object: () => undefined };
  return {
    target: (id) => targetConsoleUrl(ctx, id),
    policy: (id) => policyConsoleUrl(ctx, id),
    s3Object: (key) => s3ObjectConsoleUrl(ctx, key),
  };
}

/**
 * `html` (already escaped) as a console link to `url`, or as it is when there is no URL.
 * No referrer, so the report's own address never reaches the console's logs.
 */
export function consoleLink(url: string | undefined, html: string): string {
  return url === undefined
    ? html
    : `<a class="console" href="${escapeHtml(url)}" rel="noopener noreferrer">${html}</a>`;
}

/** The element id of a root or OU in the tree, for in-page links. */
export const treeAnchorId = (targetId: string): string => `t-${targetId}`;

/** A link to the element with id `id` on this page. */
export function anchorLink(id: string, html: string): string {
  return `<a class="jump" href="#${escapeHtml(encodeURIComponent(id))}">${html}</a>`;
}
