/// <reference lib="dom" />
// The functions passed to page.evaluate run in the browser and use its DOM types.
/**
 * Opens an HTML report in headless Chromium (from the npm package @sparticuz/chromium,
 * driven by puppeteer-core) with every network request aborted, and prints what the
 * page did as JSON: console errors, page errors, requests it tried, dialogs, CSP
 * violations, whether injected script ran, and the DOM facts the tests compare with
 * the run summary, and the layout at a phone's and a desktop's size. Optionally saves
 * screenshots of the top of the page at both sizes.
 *
 * A separate process because both packages ship ES modules only, which jest's CommonJS
 * runtime cannot load; the browser test runs this file with `node --import tsx`.
 *
 *   tsx test/support/chromium-probe.ts <report.html>
 */
import { readFile } from 'node:fs/promises';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Page } from 'puppeteer-core';
import { VIEWPORTS, type ViewportName } from './report-viewports';

/** What the probe reports. */
export interface ProbeResult {
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  readonly requests: string[];
  readonly dialogs: string[];
  readonly cspViolations: string[];
  readonly dom: DomFacts;
  readonly printDom: { readonly hiddenInClosedDetails: number; readonly closedDetails: number };
  /** The layout at each of {@link VIEWPORTS}, by name. */
  readonly layout: Record<ViewportName, LayoutFacts>;
}

/** Where things land at one viewport, with the page scrolled to its top. */
export interface LayoutFacts {
  readonly innerWidth: number;
  readonly innerHeight: number;
  readonly scrollWidth: number;
  /** Elements whose right edge is beyond the viewport (for the failure message). */
  readonly wideElements: string[];
  /** The first item of the worst-first list, and the bottom of its box. */
  readonly firstWorst: { id: string; bottom: number } | null;
  /** Top of the drift-by-OU table and of the first link to the tree. */
  readonly driftByOuTop: number | null;
  readonly treeLinkTop: number | null;
  /** Narrowest cell of the drifted table, and its tallest row (px). */
  readonly driftedNarrowestCell: number;
  readonly driftedTallestRow: number;
}

/** A link on the page. */
export interface LinkFact {
  readonly href: string;
  readonly cls: string;
  /** For an in-page link (`#id`): whether an element has that id. */
  readonly resolves: boolean;
}

/** Facts read from the rendered DOM. */
export interface DomFacts {
  readonly title: string;
  readonly h1Count: number;
  readonly runStatus: string;
  readonly scriptRan: string[];
  readonly foreignElements: string[];
  readonly driftedRows: { id: string; cells: number }[];
  readonly excludedRows: { id: string; cells: number }[];
  readonly tree: { id: string; targets: number; drifted: number; excluded: number; failed: number }[];
  readonly cards: Record<string, number>;
  readonly trendPoints: number;
  readonly bodyText: string;
  readonly bodyVisible: boolean;
  readonly overflowsViewport: boolean;
  readonly links: LinkFact[];
}

function readDom(): DomFacts {
  const all = (selector: string) => Array.from(document.querySelectorAll(selector));
  const rows = (table: string) =>
    all(`table#${table} tbody tr`).map((tr) => ({
      id: tr.getAttribute('data-target-id') ?? '',
      cells: tr.querySelectorAll('td').length,
    }));
  const cards: Record<string, number> = {};
  for (const card of all('#status-counts .card, #reason-counts .card')) {
    const parent = card.parentElement?.id === 'reason-counts' ? 'reason:' : '';
    cards[`${parent}${card.getAttribute('data-count')}`] = Number(card.querySelector('.n')?.textContent);
  }
  return {
    title: document.title,
    h1Count: all('h1').length,
    runStatus: document.getElementById('run-status')?.textContent ?? '',
    scriptRan: (window as unknown as { __ran: string[] }).__ran,
    // Elements the renderer never writes (its links have a class): their presence would mean markup from a value was parsed.
    foreignElements: all(
      'script, img, iframe, object, embed, form, a:not(.console):not(.jump), link, base, meta[http-equiv="refresh"], [style], body style, [onerror], [onclick]',
    ).map((e) => e.outerHTML.slice(0, 80)),
    links: all('a').map((a) => {
      const href = a.getAttribute('href') ?? '';
      const target = href.startsWith('#') ? decodeURIComponent(href.slice(1)) : null;
      return { href, cls: a.className, resolves: target !== null && document.getElementById(target) !== null };
    }),
    driftedRows: rows('drifted'),
    excludedRows: rows('excluded'),
    tree: all('#org-tree details[data-target-id]').map((d) => {
      const c = d.querySelector(':scope > summary .counts')!;
      const n = (name: string) => Number(c.getAttribute(`data-${name}`));
      return {
        id: d.getAttribute('data-target-id') ?? '',
        targets: n('targets'),
        drifted: n('drifted'),
        excluded: n('excluded'),
        failed: n('failed'),
      };
    }),
    cards,
    trendPoints: all('svg.trend circle.drifted').length,
    bodyText: document.body.innerText,
    bodyVisible: getComputedStyle(document.body).display !== 'none',
    overflowsViewport: document.documentElement.scrollWidth > window.innerWidth,
  };
}

function readLayout(): LayoutFacts {
  const top = (selector: string) => document.querySelector(selector)?.getBoundingClientRect().top ?? null;
  const worst = document.querySelector('#worst li');
  const cells = Array.from(document.querySelectorAll('table#drifted td')).map((c) => c.getBoundingClientRect().width);
  const rows = Array.from(document.querySelectorAll('table#drifted tbody tr')).map(
    (r) => r.getBoundingClientRect().height,
  );
  return {
    innerWidth: window.innerWidth,
    innerHeight: window.innerHeight,
    scrollWidth: document.documentElement.scrollWidth,
    wideElements: Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map((e) => `${e.tagName} ${Math.round(e.getBoundingClientRect().right)} ${e.outerHTML.slice(0, 60)}`),
    firstWorst: worst && {
      id: worst.getAttribute('data-target-id') ?? '',
      bottom: worst.getBoundingClientRect().bottom,
    },
    driftByOuTop: top('#drift-by-ou'),
    treeLinkTop: top('a[href="#org-tree"]'),
    driftedNarrowestCell: Math.min(...cells),
    driftedTallestRow: Math.max(...rows),
  };
}

function readPrintDom() {
  const closed = Array.from(document.querySelectorAll('details:not([open])'));
  const hidden = closed.filter((d) => {
    const inner = d.querySelector(':scope > details, :scope > ul');
    return inner !== null && inner.getClientRects().length === 0;
  });
  return { hiddenInClosedDetails: hidden.length, closedDetails: closed.length };
}

type Png = `${string}.png`;

/** Reads the layout at every viewport; saves the top of the page at a viewport given a file. */
async function layoutAt(page: Page, screenshots: Partial<Record<ViewportName, Png>>) {
  const layout = {} as Record<ViewportName, LayoutFacts>;
  for (const [name, size] of Object.entries(VIEWPORTS) as [ViewportName, { width: number; height: number }][]) {
    await page.setViewport(size);
    await page.evaluate(() => window.scrollTo(0, 0));
    layout[name] = await page.evaluate(readLayout);
    const path = screenshots[name];
    if (path) await page.screenshot({ path });
  }
  return layout;
}

/** Loads `html` with no network and reports on it; saves the named screenshots (the first screen at each size). */
export async function probeReport(
  html: string,
  screenshots: Partial<Record<ViewportName, Png>> = {},
): Promise<ProbeResult> {
  const browser = await puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: [...chromium.args, '--no-sandbox'],
    headless: true,
  });
  try {
    const page = await browser.newPage();
    await page.setViewport(VIEWPORTS.desktop);
    const result = {
      consoleErrors: [] as string[],
      pageErrors: [] as string[],
      requests: [] as string[],
      dialogs: [] as string[],
    };
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      result.requests.push(request.url());
      void request.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') result.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => result.pageErrors.push(String(error)));
    page.on('dialog', (dialog) => {
      result.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // tsx (esbuild keepNames) wraps named functions in __name(); the functions evaluated
    // in the page below carry those calls, so the page gets a no-op __name first.
    await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn;');
    // Runs before the page (DevTools, not subject to its CSP): a sink injected script
    // would write to, and a record of every CSP violation.
    await page.evaluateOnNewDocument(() => {
      (window as unknown as { __ran: string[] }).__ran = [];
      (window as unknown as { __csp: string[] }).__csp = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    // A fresh document for the scripts above to run in; setContent then writes into it.
    await page.goto('about:blank');
    await page.setContent(html, { waitUntil: 'load' });
    const dom = await page.evaluate(readDom);
    const cspViolations = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    const layout = await layoutAt(page, screenshots);
    await page.emulateMediaType('print');
    const printDom = await page.evaluate(readPrintDom);
    return { ...result, cspViolations, dom, printDom, layout };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error('usage: chromium-probe <report.html>');
  const result = await probeReport(await readFile(file, 'utf8'));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
