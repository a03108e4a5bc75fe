import { escapeHtml } from './html-escape';
import type { RunTrend, TrendPoint } from './run-trend';

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 44, right: 16, top: 16, bottom: 40 };

/** Series drawn, with the CSS class that colours them. */
const SERIES = [
  { label: 'Drifted', cls: 'drifted', value: (p: TrendPoint) => p.drifted },
  { label: 'FAILED', cls: 'failed', value: (p: TrendPoint) => p.failed },
] as const;

/** A round upper bound for the y axis, so the gridlines read as whole numbers. */
function niceMax(max: number): number {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s * 4 >= max)!;
  return step * 4;
}

/**
 * The trend as an inline SVG: drifted targets and FAILED associations per run, oldest
 * left. Presentation attributes and CSS classes only (no style attributes, which the
 * page's Content-Security-Policy would block); each point has a `<title>` tooltip.
 */
export function trendChart(trend: RunTrend): string {
  const points = trend.points;
  const yMax = niceMax(Math.max(0, ...points.flatMap((p) => SERIES.map((s) => s.value(p)))));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (points.length === 1 ? plotW / 2 : (i * plotW) / (points.length - 1));
  const y = (v: number) => PAD.top + plotH - (v / yMax) * plotH;
  const fmt = (n: number) => n.toFixed(1);

  const grid = [0, 1, 2, 3, 4].map((i) => {
    const value = (yMax / 4) * i;
    return `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${fmt(y(value))}" y2="${fmt(y(value))}"/><text class="axis" x="${PAD.left - 6}" y="${fmt(y(value) + 4)}" text-anchor="end">${value}</text>`;
  });
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  const xLabels = points
    .map((p, i) =>
      i % labelEvery === 0 || i === points.length - 1
        ? `<text class="axis" x="${fmt(x(i))}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(p.runId.slice(4, 8))}</text>`
        : '',
    )
    .join('');
  const lines = SERIES.map((s) => {
    const coords = points.map((p, i) => `${fmt(x(i))},${fmt(y(s.value(p)))}`).join(' ');
    const dots = points
      .map(
        (p, i) =>
          `<circle class="${s.cls}${p.runStatus === 'INCOMPLETE' ? ' incomplete' : ''}" cx="${fmt(x(i))}" cy="${fmt(y(s.value(p)))}" r="3.5"><title>${escapeHtml(`${p.runId} (${p.runStatus}): ${s.value(p)} ${s.label}`)}</title></circle>`,
      )
      .join('');
    return `<polyline class="${s.cls}" points="${coords}"/>${dots}`;
  }).join('');
  const legend = SERIES.map(
    (s, i) =>
      `<rect class="${s.cls}" x="${PAD.left + i * 110}" y="${HEIGHT - 14}" width="10" height="10"/><text class="axis" x="${PAD.left + i * 110 + 14}" y="${HEIGHT - 5}">${s.label}</text>`,
  ).join('');
  const desc = `Drifted targets and FAILED associations over the last ${points.length} run(s)`;
  return (
    `<svg class="trend" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(desc)}">` +
    `<title>${escapeHtml(desc)}</title>${grid.join('')}${xLabels}${lines}${legend}</svg>`
  );
}
