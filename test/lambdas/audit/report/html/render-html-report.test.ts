import { createHash } from 'node:crypto';
import { escapeHtml, htmlText } from '../../../../../lambdas/audit/report/html/html-escape';
import { MAX_TABLE_ROWS, renderHtmlReport } from '../../../../../lambdas/audit/report/html/render-html-report';
import { buildReportTree } from '../../../../../lambdas/audit/report/html/report-tree';
import { trendPoint } from '../../../../../lambdas/audit/report/html/run-trend';
import type { AssociationRow } from '../../../../../lambdas/audit/report/rows';
import type { ConsoleContext } from '../../../../../lambdas/audit/report/console-links';
import { row, sampleRows, sampleSummary } from '../row-fixtures';

const HOSTILE_NAME = '<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" \'single\' & </td>';

function render(rows: readonly AssociationRow[]) {
  const summary = sampleSummary([...rows]);
  return renderHtmlReport({ summary, rows, tree: buildReportTree(rows), trend: { points: [trendPoint(summary)] } });
}

/** Rows that are not of the fixtures' organization, under the fixtures' summary (these tests read the rows only). */
function renderRows(rows: readonly AssociationRow[], console?: ConsoleContext) {
  const summary = sampleSummary(sampleRows().rows);
  const trend = { points: [trendPoint(summary)] };
  return renderHtmlReport({ summary, rows, tree: buildReportTree(rows), trend, console });
}

/** Drifted rows in three OUs, listed here in walk order (not worst first). */
function mixedDrift(): AssociationRow[] {
  const ou = (id: string, name: string) =>
    row({ target_id: id, target_type: 'ORGANIZATIONAL_UNIT', target_name: name, ou_path: `r-ab12/${id}` });
  const drifted = (id: string, parent: string, reasons: AssociationRow['drift_reasons'], seen: string, isNew = false) =>
    row({
      target_id: id,
      parent_id: parent,
      ou_path: `r-ab12/${parent}`,
      drift: true,
      audit_result: 'DRIFT',
      drift_reasons: reasons,
      changes: isNew ? ['NEW_DRIFT'] : [],
      first_drift_seen: seen,
      expected_policy_id: '11111111-1111-4111-8111-111111111111',
      configuration_policy_id: '22222222-2222-4222-8222-222222222222',
    });
  return [
    row({ target_id: 'r-ab12', target_type: 'ROOT', target_name: 'Root', parent_id: null }),
    ou('ou-ab12-11111111', 'Sandbox'),
    ou('ou-ab12-22222222', 'Payments'),
    ou('ou-ab12-33333333', 'Quiet'),
    drifted('100000000001', 'ou-ab12-11111111', ['PENDING_STALE'], '2026-11-20T02:00:00.000Z'),
    drifted('100000000002', 'ou-ab12-11111111', ['BASELINE_MISMATCH'], '2026-11-21T02:00:00.000Z'),
    drifted('100000000003', 'ou-ab12-22222222', ['FAILED'], '2026-11-24T02:00:00.000Z'),
    drifted('100000000004', 'ou-ab12-22222222', ['FAILED'], '2026-11-26T02:00:00.000Z', true),
    drifted('100000000005', 'ou-ab12-11111111', ['MISSING'], '2026-11-25T02:00:00.000Z', true),
    row({ target_id: '100000000006', parent_id: 'ou-ab12-33333333', ou_path: 'r-ab12/ou-ab12-33333333' }),
  ];
}

const idsIn = (html: string, pattern: RegExp) =>
  [...(pattern.exec(html)?.[0] ?? '').matchAll(/<(?:tr|li) data-target-id="([^"]+)"/g)].map((m) => m[1]);

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
    // Markup from the names is text: no tag opens, no attribute is added. The only links
    // are the page's own anchors (no console context: no console links).
    const withoutAnchors = html.replace(/<a class="jump" href="#[\w%-]+">/g, '');
    expect(withoutAnchors).not.toMatch(/<(script|img|iframe|link|a\s)|\sstyle=|https?:\/\//i);
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
    const tables = /<table class="stack" id="(\w+)">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/g;
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
    const drifted = /<table class="stack" id="drifted">[\s\S]*?<\/table>/.exec(html)![0];
    expect((drifted.match(/<tr /g) ?? []).length).toBe(MAX_TABLE_ROWS);
    expect(html).toContain(`${total - MAX_TABLE_ROWS} more not shown here`);
    expect(html).toContain(`data-targets="${total + 1}" data-drifted="${total}"`);
  });

  it('opens with the worst targets (FAILED, new first) and where and since when they drifted', () => {
    const html = renderRows(mixedDrift());
    // The reason guide's order: severity (FAILED HIGH; PENDING_STALE and BASELINE_MISMATCH MEDIUM; MISSING LOW), new first, reason.
    const worstFirst = ['100000000004', '100000000003', '100000000001', '100000000002', '100000000005'];
    expect(idsIn(html, /<ol class="worst" id="worst">[\s\S]*?<\/ol>/)).toEqual(worstFirst);
    expect(idsIn(html, /<table class="stack" id="drifted">[\s\S]*?<\/table>/)).toEqual(worstFirst);
    const first = /<ol class="worst" id="worst"><li[\s\S]*?<\/li>/.exec(html)![0];
    expect(first).toContain('<span class="reason">FAILED</span> <span class="new">NEW</span>');
    expect(first).toContain('<a class="jump" href="#t-ou-ab12-22222222">Payments');
    expect(first).toContain(
      '<time datetime="2026-11-26T02:00:00.000Z" title="2026-11-26T02:00:00.000Z">2026-11-26</time>',
    );
    // The first screen comes before the counts, the trend and the full table.
    expect(html.indexOf('id="worst"')).toBeLessThan(html.indexOf('id="counts"'));
    expect(html.indexOf('id="drift-by-ou"')).toBeLessThan(html.indexOf('id="counts"'));
  });

  it('shows which OUs hold drift, worst first, with counts and the earliest drift', () => {
    const html = renderRows(mixedDrift());
    const table = /<table class="stack" id="drift-by-ou">[\s\S]*?<\/table>/.exec(html)![0];
    expect(idsIn(html, /<table class="stack" id="drift-by-ou">[\s\S]*?<\/table>/)).toEqual([
      'ou-ab12-22222222',
      'ou-ab12-11111111',
    ]);
    const cells = (id: string) =>
      [
        ...new RegExp(`<tr data-target-id="${id}">([\\s\\S]*?)</tr>`)
          .exec(table)![1]
          .matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g),
      ].map((m) => m[1].replace(/<[^>]+>/g, ''));
    expect(cells('ou-ab12-22222222')).toEqual(['Payments ou-ab12-22222222', '2', '2', '1', 'FAILED', '2026-11-24']);
    expect(cells('ou-ab12-11111111')).toEqual([
      'Sandbox ou-ab12-11111111',
      '3',
      '0',
      '1',
      'PENDING_STALE',
      '2026-11-20',
    ]);
  });

  it('links every in-page anchor to an element that exists, the tree from the top', () => {
    const html = renderRows(mixedDrift());
    const targets = [...html.matchAll(/<a class="jump" href="#([^"]+)">/g)].map((m) => decodeURIComponent(m[1]));
    expect(targets).toEqual(expect.arrayContaining(['org-tree', 'attention', 't-ou-ab12-22222222']));
    for (const target of new Set(targets)) expect(html).toContain(` id="${target}"`);
    expect(html.indexOf('href="#org-tree"')).toBeLessThan(html.indexOf('id="worst"'));
  });

  it('links no anchor to a parent the report does not have, and shows no drift section without drift', () => {
    const orphan = row({
      target_id: '100000000009',
      parent_id: 'ou-ab12-99999999',
      ou_path: 'r-ab12/ou-ab12-99999999',
      drift: true,
      audit_result: 'DRIFT',
      drift_reasons: ['FAILED'],
    });
    const html = renderRows([...mixedDrift(), orphan]);
    expect(idsIn(html, /<ol class="worst" id="worst">[\s\S]*?<\/ol>/)).toContain('100000000009');
    expect(html).not.toContain('href="#t-ou-ab12-99999999"');
    expect(html).toContain('<tr data-target-id="ou-ab12-99999999"><td data-label="Root or OU"><span class="id">');
    const quiet = renderRows([row({ target_id: 'r-ab12', target_type: 'ROOT', parent_id: null })]);
    expect(quiet).toContain('<section id="attention"><h2>Needs attention</h2><p class="empty">No drift.</p></section>');
    expect(quiet).not.toContain('id="drift-by-ou"');
  });

  it('links accounts, OUs, policies and the S3 object to the consoles of the run partition and Region', () => {
    const html = renderRows(mixedDrift(), { partition: 'aws-us-gov', region: 'us-gov-west-1', bucket: 'reports' });
    const hrefs = [...html.matchAll(/<a class="console" href="([^"]+)" rel="noopener noreferrer">/g)].map((m) => m[1]);
    const gov = 'https://console.amazonaws-us-gov.com';
    expect(hrefs).toEqual(
      expect.arrayContaining([
        `${gov}/organizations/v2/home/accounts/100000000004`,
        `${gov}/organizations/v2/home/organizational-units/ou-ab12-22222222`,
        `${gov}/organizations/v2/home/root`,
        `${gov}/securityhub/home?region=us-gov-west-1#/configuration-policies`,
        `${gov}/s3/object/reports?region=us-gov-west-1&amp;prefix=audit%2Fassociations%2Fdt%3D2026-11-26%2F20261126T020000Z.jsonl.gz`,
      ]),
    );
    expect(hrefs.every((h) => h.startsWith(`${gov}/`))).toBe(true);
    expect(renderRows(mixedDrift())).not.toContain('class="console"');
  });
});
