import type { ConsoleContext } from '../console-links';
import type { AssociationRow } from '../rows';
import type { ReportStore } from '../../store/report-store';
import type { RunSummary } from '../summary';
import { renderHtmlReport } from './render-html-report';
import { buildReportTree } from './report-tree';
import { readRunTrend } from './run-trend';

/** Content-Type of the HTML report. */
const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

/**
 * Reads the trend from `runs/`, renders the page and writes it to `key`. The trend
 * reader never throws for a bad history object (the page says where history stops);
 * store errors propagate like any other report write.
 */
export async function writeHtmlReport(
  store: ReportStore,
  prefix: string,
  key: string,
  content: {
    readonly summary: RunSummary;
    readonly rows: readonly AssociationRow[];
    readonly console?: ConsoleContext;
  },
): Promise<void> {
  const trend = await readRunTrend(store, prefix, content.summary);
  const { summary, rows } = content;
  const html = renderHtmlReport({ summary, rows, tree: buildReportTree(rows), trend, console: content.console });
  await store.put(key, Buffer.from(html, 'utf8'), HTML_CONTENT_TYPE);
}
