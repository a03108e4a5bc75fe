import { createHash } from 'node:crypto';
import { escapeHtml, htmlText } from '../../../../../lambdas/audit/report/html/html-escape';
import { MAX_TABLE_ROWS, renderHtmlReport } from '../../../../../lambdas/audit/report/html/render-html-report';
import { buildReportTree } from '../../../../../lambdas/audit/report/html/report-tree';
import { trendPoint } from '../../../../../lambdas/audit/report/html/run-trend';
import type { AssociationRow } from '../../../../../lambdas/audit/report/rows';
import { row, sampleRows, sampleSummary } from '../row-fixtures';

const HOSTILE_NAME = '<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" \'single\' & </td>';

function render(rows: readonly AssociationRow[]) {
  const summary = sampleSummary([...rows]);
  return renderHtmlReport({ summary, rows, tree: buildReportTree(rows), trend: { points: [trendPoint(summary)] } });
}

function hostileRows(): AssociationRow[] {
  const { rows } = sampleRows();
  return rows.map((r, i) =>
    i === 0 || r.drift
      ? { ...r, target_name: HOSTILE_NAME, association_status_message: `${HOSTILE_NAME}\u001b[2J\u202e` }
      : r,
  );
}

describe('escapeHtml and htmlText', () => {
  it('escapes the five characters that end text or an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('shows control and bidi characters as visible escapes, then escapes HTML, and shows null as a dash', () => {
    expect(htmlText('a\u001b<b>\u202e')).toBe('a\\x1b&lt;b&gt;\\u202e');
    expect(htmlText(null)).toBe('–');
    expect(htmlText('x'.repeat(300), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});

describe('renderHtmlReport', () => {
  it('contains no script, no style attribute and no external reference, whatever the names', () => {
    const html = render(hostileRows());
    // Markup from the names is text: no tag opens, no attribute is added.
    expect(html).not.toMatch(/<(script|img|iframe|link|a\s)|\sstyle=|https?:\/\//i);
    expect(html).toContain(escapeHtml(HOSTILE_NAME));
    expect(html).toContain('\\x1b[2J\\u202e');
  });

  it('allows exactly its own stylesheet in the Content-Security-Policy', () => {
    const html = render(sampleRows().rows);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    expect(styles).toHaveLength(1);
    const hash = createHash('sha256').update(styles[0], 'utf8').digest('base64');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toBe(
      `default-src 'none'; style-src &#39;sha256-${hash}&#39;; base-uri 'none'; form-action 'none'`.replace(
        /'/g,
        '&#39;',
      ),
    );
  });

  it('has a row per drifted and per excluded target, and the tree counts of the summary', () => {
    const { rows } = sampleRows();
    const summary = sampleSummary(rows);
    const html = render(rows);
    const tables = /<table id="(\w+)">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/g;
    const bodies = Object.fromEntries([...html.matchAll(tables)].map((m) => [m[1], m[2]]));
    expect((bodies.drifted.match(/<tr /g) ?? []).length).toBe(summary.drifted);
    expect((bodies.excluded.match(/<tr /g) ?? []).length).toBe(summary.excluded);
    expect(html).toContain(
      `data-targets="${summary.targets_reported}" data-drifted="${summary.drifted}" data-excluded="${summary.excluded}" data-failed="${summary.status_failed}"`,
    );
  });

  it('says when the trend stops early, escaping the reason', () => {
    const { rows } = sampleRows();
    const summary = sampleSummary(rows);
    const html = renderHtmlReport({
      summary,
      rows,
      tree: buildReportTree(rows),
      trend: { points: [trendPoint(summary)], stoppedBecause: 'run object of <x> is missing' },
    });
    expect(html).toContain('History stops here: run object of &lt;x&gt; is missing');
  });

  it('says "No drift." when nothing drifted', () => {
    const rows = [row({ target_id: 'r-ab12', target_type: 'ROOT', parent_id: null })];
    const summary = { ...sampleSummary(sampleRows().rows), drifted: 0, excluded: 0, targets_reported: 1 };
    const html = renderHtmlReport({
      summary,
      rows,
      tree: buildReportTree(rows),
      trend: { points: [trendPoint(summary)] },
    });
    expect(html).toContain('<p class="empty">No drift.</p>');
  });

  it(`lists at most ${MAX_TABLE_ROWS} drifted targets and counts the rest, for a whole drifted organization`, () => {
    const total = 20_000;
    const rows = [
      row({ target_id: 'r-ab12', target_type: 'ROOT', parent_id: null }),
      ...Array.from({ length: total }, (_, i) =>
        row({ target_id: String(100000000000 + i), drift: true, drift_reasons: ['FAILED'], audit_result: 'DRIFT' }),
      ),
    ];
    const summary = { ...sampleSummary(sampleRows().rows), drifted: total, targets_reported: total + 1 };
    const html = renderHtmlReport({
      summary,
      rows,
      tree: buildReportTree(rows),
      trend: { points: [trendPoint(summary)] },
    });
    const drifted = /<table id="drifted">[\s\S]*?<\/table>/.exec(html)![0];
    expect((drifted.match(/<tr /g) ?? []).length).toBe(MAX_TABLE_ROWS);
    expect(html).toContain(`${total - MAX_TABLE_ROWS} more not shown here`);
    expect(html).toContain(`data-targets="${total + 1}" data-drifted="${total}"`);
  });
});
