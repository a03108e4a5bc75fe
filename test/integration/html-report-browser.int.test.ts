/**
 * The HTML report in a real headless Chromium (npm package @sparticuz/chromium): written
 * by six nights of the audit against the emulator, with hostile account, OU and status
 * texts, opened with every network request aborted. The DOM must agree with the run
 * summary, no injected markup may run or change the layout, and the page must log no error.
 * Laid out at a phone's and a desktop's size, it must not overflow sideways, whatever the
 * length of a name, and its first screen must show the worst target and the way to the tree.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProbeResult } from '../support/chromium-probe';
import { VIEWPORTS } from '../support/report-viewports';
import {
  buildSampleReport,
  HOSTILE_ACCOUNT_NAME,
  HOSTILE_STATUS_MESSAGE,
  LONG_ACCOUNT_NAME,
  LONG_OU_NAME,
  LONG_STATUS_MESSAGE,
  SAMPLE_CONSOLE,
  type SampleReport,
} from '../support/sample-html-report';
import { compareWorstFirst } from '../../lambdas/audit/drift/reason-guide';

const PROBE = join(__dirname, '..', 'support', 'chromium-probe.ts');

/** Runs the probe in its own Node process (ES-module-only browser packages; see chromium-probe.ts). */
async function probe(html: string): Promise<ProbeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'html-report-'));
  try {
    const file = join(dir, 'report.html');
    await writeFile(file, html);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', PROBE, file], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout) as ProbeResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('HTML report in headless Chromium', () => {
  let sample: SampleReport;
  let result: ProbeResult;

  beforeAll(async () => {
    sample = await buildSampleReport(6);
    result = await probe(sample.html);
  });

  const last = () => sample.outcomes[sample.outcomes.length - 1];

  it('loads with no request, no console error, no page error and no CSP violation', () => {
    expect(result.requests).toEqual([]);
    expect(result.consoleErrors).toEqual([]);
    expect(result.pageErrors).toEqual([]);
    expect(result.dialogs).toEqual([]);
    expect(result.cspViolations).toEqual([]);
  });

  it('shows the run status and the summary counts', () => {
    const s = last().summary;
    expect(result.dom.runStatus).toBe(s.run_status);
    expect(result.dom.title).toContain(s.run_id);
    expect(result.dom.cards).toMatchObject({
      Targets: s.targets_reported,
      FAILED: s.status_failed,
      PENDING: s.status_pending,
      Drifted: s.drifted,
      Excluded: s.excluded,
      'New drift': s.new_drift,
      Resolved: s.resolved_drift,
      'reason:FAILED': s.drift_failed,
      'reason:PENDING_STALE': s.drift_pending_stale,
      'reason:MISSING': s.drift_missing,
    });
  });

  it('has one row per drifted and per excluded target, each with all its cells', () => {
    const { rows, summary } = last();
    expect(summary.drifted).toBeGreaterThan(3);
    expect(result.dom.driftedRows).toHaveLength(summary.drifted);
    expect(result.dom.driftedRows.map((r) => r.id).sort()).toEqual(
      rows
        .filter((r) => r.drift)
        .map((r) => r.target_id)
        .sort(),
    );
    expect(new Set(result.dom.driftedRows.map((r) => r.cells))).toEqual(new Set([8]));
    expect(result.dom.excludedRows).toHaveLength(summary.excluded);
    expect(new Set(result.dom.excludedRows.map((r) => r.cells))).toEqual(new Set([6]));
  });

  it("shows every root and OU in the tree, with the root's counts equal to the summary's", () => {
    const { rows, summary } = last();
    const containers = rows.filter((r) => r.target_type !== 'ACCOUNT').map((r) => r.target_id);
    expect(result.dom.tree.map((n) => n.id).sort()).toEqual([...containers].sort());
    const root = result.dom.tree[0];
    expect(root).toMatchObject({
      targets: summary.targets_reported,
      drifted: summary.drifted,
      excluded: summary.excluded,
      failed: summary.status_failed,
    });
  });

  it('draws the trend of every night', () => {
    expect(result.dom.trendPoints).toBe(sample.outcomes.length);
  });

  it('renders hostile names and messages as text: nothing runs, no element is injected, the layout holds', () => {
    expect(result.dom.scriptRan).toEqual([]);
    expect(result.dom.foreignElements).toEqual([]);
    expect(result.dom.h1Count).toBe(1);
    expect(result.dom.bodyVisible).toBe(true);
    expect(result.dom.overflowsViewport).toBe(false);
    expect(result.dom.bodyText).toContain(HOSTILE_ACCOUNT_NAME);
    expect(result.dom.bodyText).toContain(HOSTILE_STATUS_MESSAGE);
    // Control and bidi characters in the OU name show as visible escapes.
    expect(result.dom.bodyText).toContain('\\u202eevil\\x1b[2J');
    expect(result.dom.tree.map((n) => n.id)).toContain(sample.hostileOuId);
    expect(result.dom.driftedRows.map((r) => r.id)).toContain(sample.hostileAccountId);
  });

  it('lists the drifted targets worst first', () => {
    const byId = new Map(last().rows.map((r) => [r.target_id, r]));
    const shown = result.dom.driftedRows.map((r) => byId.get(r.id)!);
    expect(shown).toEqual([...shown].sort(compareWorstFirst));
    expect(shown[0].drift_reasons).toContain('FAILED');
  });

  it('links only to its own anchors, which exist, and to the consoles of the run partition and Region', () => {
    const links = result.dom.links;
    const anchors = links.filter((l) => l.cls === 'jump');
    const consoles = links.filter((l) => l.cls === 'console');
    expect(anchors.length + consoles.length).toBe(links.length);
    expect(anchors.filter((l) => !l.href.startsWith('#') || !l.resolves)).toEqual([]);
    const hosts = [
      'us-east-1.console.aws.amazon.com',
      `${SAMPLE_CONSOLE.region}.console.aws.amazon.com`,
      's3.console.aws.amazon.com',
    ];
    expect(
      consoles.filter((l) => !hosts.includes(new URL(l.href).host) || new URL(l.href).protocol !== 'https:'),
    ).toEqual([]);
    expect(consoles.map((l) => l.href)).toContain(
      `https://us-east-1.console.aws.amazon.com/organizations/v2/home/accounts/${sample.hostileAccountId}`,
    );
    expect(
      consoles.some((l) => l.href.startsWith(`https://s3.console.aws.amazon.com/s3/object/${SAMPLE_CONSOLE.bucket}?`)),
    ).toBe(true);
  });

  describe.each(Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[])('at %s size', (name) => {
    const layout = () => result.layout[name];

    it('never scrolls sideways, with 200-character names and a 480-character message without spaces', () => {
      expect(layout().innerWidth).toBe(VIEWPORTS[name].width);
      expect(result.dom.bodyText).toContain(LONG_OU_NAME);
      expect(result.dom.bodyText).toContain(LONG_ACCOUNT_NAME);
      expect(result.dom.bodyText).toContain(LONG_STATUS_MESSAGE);
      expect({ scrollWidth: layout().scrollWidth, wide: layout().wideElements }).toEqual({
        scrollWidth: layout().innerWidth,
        wide: [],
      });
    });

    it('shows the worst target and the link to the tree on the first screen', () => {
      const { firstWorst, treeLinkTop, innerHeight } = layout();
      expect(firstWorst?.id).toBe(result.dom.driftedRows[0].id);
      expect(firstWorst!.bottom).toBeLessThanOrEqual(innerHeight);
      expect(treeLinkTop).toBeLessThan(innerHeight);
    });

    it('keeps every drifted target readable: no sliver columns (cards on a phone), no row taller than the screen', () => {
      expect(layout().driftedNarrowestCell).toBeGreaterThan(name === 'phone' ? VIEWPORTS.phone.width / 2 : 40);
      expect(layout().driftedTallestRow).toBeLessThan(VIEWPORTS[name].height);
    });
  });

  it('shows drift by OU on the first screen of a desktop', () => {
    expect(result.layout.desktop.driftByOuTop).toBeLessThan(VIEWPORTS.desktop.height);
  });

  it('prints the collapsed parts of the tree too', () => {
    expect(result.printDom.closedDetails).toBeGreaterThan(0);
    expect(result.printDom.hiddenInClosedDetails).toBe(0);
  });
});
