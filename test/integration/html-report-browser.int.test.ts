/**
 * The HTML report in a real headless Chromium (npm package @sparticuz/chromium): written
 * by six nights of the audit against the emulator, with hostile account, OU and status
 * texts, opened with every network request aborted. The DOM must agree with the run
 * summary, no injected markup may run or change the layout, and the page must log no error.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ProbeResult } from '../support/chromium-probe';
import {
  buildSampleReport,
  HOSTILE_ACCOUNT_NAME,
  HOSTILE_STATUS_MESSAGE,
  type SampleReport,
} from '../support/sample-html-report';

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

  it('prints the collapsed parts of the tree too', () => {
    expect(result.printDom.closedDetails).toBeGreaterThan(0);
    expect(result.printDom.hiddenInClosedDetails).toBe(0);
  });
});
