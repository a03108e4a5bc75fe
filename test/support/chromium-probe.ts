/// <reference lib="dom" />
// The functions passed to page.evaluate run in the browser and use its DOM types.
/**
 * Opens an HTML report in headless Chromium (from the npm package @sparticuz/chromium,
 * driven by puppeteer-core) with every network request aborted, and prints what the
 * page did as JSON: console errors, page errors, requests it tried, dialogs, CSP
 * violations, whether injected script ran, and the DOM facts the tests compare with
 * the run summary. Optionally saves a screenshot.
 *
 * A separate process because both packages ship ES modules only, which jest's CommonJS
 * runtime cannot load; the browser test runs this file with `node --import tsx`.
 *
 *   tsx test/support/chromium-probe.ts <report.html> [--screenshot out.png]
 */
import { readFile } from 'node:fs/promises';
import chromium from '@sparticuz/chromium';
import puppeteer from 'puppeteer-core';

/** What the probe reports. */
export interface ProbeResult {
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  readonly requests: string[];
  readonly dialogs: string[];
  readonly cspViolations: string[];
  readonly dom: DomFacts;
  readonly printDom: { readonly hiddenInClosedDetails: number; readonly closedDetails: number };
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
    // Elements the renderer never writes: their presence would mean markup from a value was parsed.
    foreignElements: all(
      'script, img, iframe, object, embed, form, a, link, base, meta[http-equiv="refresh"], [style], body style, [onerror], [onclick]',
    ).map((e) => e.outerHTML.slice(0, 80)),
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

function readPrintDom() {
  const closed = Array.from(document.querySelectorAll('details:not([open])'));
  const hidden = closed.filter((d) => {
    const inner = d.querySelector(':scope > details, :scope > ul');
    return inner !== null && inner.getClientRects().length === 0;
  });
  return { hiddenInClosedDetails: hidden.length, closedDetails: closed.length };
}

/** Loads `html` with no network and reports on it. */
export async function probeReport(html: string, screenshot?: `${string}.png`): Promise<ProbeResult> {
  const browser = await puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: [...chromium.args, '--no-sandbox'],
    headless: true,
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
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
    // The top of the page (status, counts, trend, the first drifted targets): what the README shows.
    if (screenshot) await page.screenshot({ path: screenshot, clip: { x: 0, y: 0, width: 1280, height: 1100 } });
    await page.emulateMediaType('print');
    const printDom = await page.evaluate(readPrintDom);
    return { ...result, cspViolations, dom, printDom };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const [file, flag, out] = process.argv.slice(2);
  if (!file) throw new Error('usage: chromium-probe <report.html> [--screenshot out.png]');
  const shot = flag === '--screenshot' && out?.endsWith('.png') ? (out as `${string}.png`) : undefined;
  const result = await probeReport(await readFile(file, 'utf8'), shot);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
