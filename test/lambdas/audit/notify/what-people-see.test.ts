/**
 * Untrusted history and hostile text, in every place a person reads: the CLI summary, the
 * HTML report, the digest's subject, e-mail and chat, and the metrics.
 */
import { formatSummary } from '../../../../lambdas/audit/cli/summary-table';
import { untrustedHistoryNotice } from '../../../../lambdas/audit/history/history-notice';
import { buildDriftDigest } from '../../../../lambdas/audit/notify/drift-digest';
import { neutralizeMentionsAndLinks } from '../../../../lambdas/audit/notify/neutralize';
import { renderHtmlReport } from '../../../../lambdas/audit/report/html/render-html-report';
import { buildReportTree } from '../../../../lambdas/audit/report/html/report-tree';
import { trendPoint } from '../../../../lambdas/audit/report/html/run-trend';
import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { row, summaryWith } from '../report/row-fixtures';

const REASON = 'previous run 20261125T020000Z: associations object does not hash to associations_sha256';
const untrusted = summaryWith({
  previous_run_status: 'UNTRUSTED',
  previous_run_reason: REASON,
  previous_run_id: null,
  new_drift: 1,
  resolved_drift: 0,
});
const trusted = summaryWith({ previous_run_status: 'NONE', previous_run_id: null, new_drift: 1, resolved_drift: 0 });

const drifted = (values: Partial<AssociationRow> = {}) =>
  row({
    target_id: '111111111111',
    drift: true,
    drift_reasons: ['FAILED'],
    audit_result: 'DRIFT',
    changes: ['NEW_DRIFT'],
    association_status: 'FAILED',
    ...values,
  });

const digest = (summary = untrusted, rows = [drifted()]) =>
  buildDriftDigest(summary, rows, { maxTargets: 20, reportLocation: 's3://bucket/associations/x.jsonl.gz' })!;
const html = (summary = untrusted) => {
  const rows = [drifted()];
  return renderHtmlReport({ summary, rows, tree: buildReportTree(rows), trend: { points: [trendPoint(summary)] } });
};
const cli = (summary = untrusted) => formatSummary(summary, [drifted()], { listLimit: 20, location: 'reports/' });

describe('untrusted history is visible where people look', () => {
  it('is one notice with the reason, and none when history was verified or absent', () => {
    expect(untrustedHistoryNotice(untrusted)).toBe(
      `previous run not trusted: ${REASON}; every drifted target counts as new drift`,
    );
    expect(untrustedHistoryNotice(trusted)).toBeUndefined();
    expect(untrustedHistoryNotice({ ...untrusted, previous_run_reason: null })).toContain('no reason recorded');
  });

  it('shows in the CLI summary', () => {
    expect(cli()).toContain(`HISTORY UNTRUSTED: previous run not trusted: ${REASON}`);
    expect(cli(trusted)).not.toContain('HISTORY UNTRUSTED');
  });

  it('replaces "first run" in the HTML header', () => {
    expect(html()).toContain('id="history-untrusted"');
    expect(html()).toContain('previous run not trusted: previous run 20261125T020000Z');
    expect(html()).not.toContain('first run</p>');
    expect(html(trusted)).toContain(' · first run</p>');
  });

  it('leads the digest subject and stands in the e-mail and chat bodies', () => {
    const d = digest();
    expect(d.subject).toMatch(/^\[HISTORY UNTRUSTED\] (\[INCOMPLETE\] )?(Security Hub drift|Drift):/);
    expect(d.subject.length).toBeLessThan(100);
    expect(d.message).toContain(`History:    previous run not trusted: ${REASON}`);
    expect(d.chat.content.description).toContain('previous run not trusted');
    expect(digest(trusted).subject).not.toContain('HISTORY UNTRUSTED');
    expect(digest(trusted).message).not.toContain('History:');
  });
});

describe('text from outside cannot ping people or inject links', () => {
  const HOSTILE =
    'ping @here and @channel <!channel> <@U123> see https://evil.example/x or www.evil.example; ops@corp.example';

  it('neutralizes mentions and URLs but keeps e-mail addresses readable', () => {
    const out = neutralizeMentionsAndLinks(HOSTILE);
    expect(out).not.toMatch(/(^|\s)@(here|channel)/);
    expect(out).toContain('\uff20here');
    expect(out).toContain('https[:]//evil.example/x');
    expect(out).toContain('www[.]evil.example');
    expect(out).toContain('ops@corp.example');
  });

  it('in the e-mail body', () => {
    const d = digest(trusted, [drifted({ target_name: HOSTILE, association_status_message: HOSTILE })]);
    expect(d.message).not.toMatch(/https:\/\/evil|(^|\s)@here|(^|\s)@channel|www\.evil/);
    // The audit's own report location stays a link.
    expect(d.message).toContain('s3://bucket/associations/x.jsonl.gz');
  });

  it('in the chat notification', () => {
    const d = digest(trusted, [drifted({ target_name: HOSTILE, association_status_message: HOSTILE })]);
    const chat = JSON.stringify(d.chat);
    expect(chat).not.toMatch(/https:\/\/evil|(^|[\s"])@here|(^|[\s"])@channel|<!channel>|<@U123>|www\.evil/);
    expect(d.chat.content.nextSteps[0]).toContain('s3://bucket/associations/x.jsonl.gz');
  });
});
