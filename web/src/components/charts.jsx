// Small inline SVG charts for the staff consoles (no charting library): a line or step chart over
// time (an office's tier history, the national remote queue through the day) and a bar chart (an
// office's load through the day). Each is one labelled image (role="img", <title>, <desc> with a
// one-line summary) followed by the same numbers as a table, so nothing is only in the picture.
// In Persian the time axis runs from right to left and the value axis stands on the right.
import { lang, t } from '../i18n.js';
import { num } from '../format.js';
import { barLayout, linePath, linearScale, stepPath, thinLabels, valueDomain, xRange } from '../chart-scale.js';

const W = 560;
const H = 220;
const M = { top: 18, bottom: 34, axis: 40, end: 14 }; // axis: the value axis' side, end: the other

let serial = 0;
const useId = (prefix) => `${prefix}-${++serial}`;

function frame(rtl) {
  const left = rtl ? M.end : M.axis;
  const right = rtl ? W - M.axis : W - M.end;
  return { left, right, top: M.top, bottom: H - M.bottom };
}

function ValueAxis({ ticks, y, box, rtl, format }) {
  const at = rtl ? box.right + 6 : box.left - 6;
  return (
    <g class="chart__axis" aria-hidden="true">
      {ticks.map((v) => (
        <g key={v}>
          <line x1={box.left} x2={box.right} y1={y(v)} y2={y(v)} class="chart__grid" />
          <text x={at} y={y(v) + 4} text-anchor={rtl ? 'start' : 'end'}>{format(v)}</text>
        </g>
      ))}
    </g>
  );
}

function CategoryAxis({ labels, xs, box }) {
  const keep = new Set(thinLabels(labels.length, 8));
  return (
    <g class="chart__axis" aria-hidden="true">
      <line x1={box.left} x2={box.right} y1={box.bottom} y2={box.bottom} class="chart__baseline" />
      {labels.map((label, i) => keep.has(i) && (
        // A label at either end of the axis is anchored inwards, so it is not cut by the frame.
        <text key={i} x={xs[i]} y={box.bottom + 18}
          text-anchor={xs[i] <= box.left + 1 ? 'start' : xs[i] >= box.right - 1 ? 'end' : 'middle'}>{label}</text>
      ))}
    </g>
  );
}

/** The numbers of a chart as a table, folded under the picture. */
function DataTable({ caption, columns, rows }) {
  return (
    <details class="chart__data">
      <summary>{t('chartShowData')}</summary>
      <table class="chart__table">
        <caption>{caption}</caption>
        <thead><tr>{columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>{r.map((cell, j) => (j === 0 ? <th key={j} scope="row">{cell}</th> : <td key={j}>{cell}</td>))}</tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** A chart as one labelled image (its title and one-sentence summary) over the plot drawn as
 * `children`, then the summary in words and the numbers as a table. */
function ChartFigure({ title, summary, columns, rows, children }) {
  const id = useId('chart');
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} dir="ltr" class="chart__svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {children}
      </svg>
      <figcaption class="hint">{summary}</figcaption>
      <DataTable caption={title} columns={columns} rows={rows} />
    </figure>
  );
}

/**
 * A line (or step) chart of values over ordered labels.
 * points: [{label, value}] in time order (value null: no data there); title: the chart's name;
 * summary: one sentence saying what it shows; columns: the table's [label, value] headings;
 * step: hold each value until the next (tiers); integer: whole-number axis; domain: fixed [min, max]
 * (e.g. tiers [1, 5]); format: how a value is written on the axis and in the table; dots: mark each
 * point (default: when there are few enough to see).
 */
export function LineChart({ points, title, summary, columns, step = false, integer = false, domain, format = num,
  dots = points.length <= 40 }) {
  const rtl = lang() === 'fa';
  const box = frame(rtl);
  const values = points.map((p) => p.value);
  const scaled = domain
    ? { domain, ticks: Array.from({ length: domain[1] - domain[0] + 1 }, (_, i) => domain[0] + i) }
    : valueDomain(values, { integer });
  const y = linearScale(scaled.domain, [box.bottom, box.top]);
  const [r0, r1] = xRange(box.left, box.right, rtl);
  // One point sits in the middle; n points span the plot, first at the reading start.
  const x = points.length > 1 ? linearScale([0, points.length - 1], [r0, r1]) : () => (box.left + box.right) / 2;
  const xy = points.map((p, i) => ({ x: x(i), y: p.value == null ? null : y(p.value) }));
  const path = step ? stepPath(xy, points.length > 1 ? r1 : undefined) : linePath(xy);
  return (
    <ChartFigure title={title} summary={summary} columns={columns}
      rows={points.map((p) => [p.label, p.value == null ? '—' : format(p.value)])}>
      <ValueAxis ticks={scaled.ticks} y={y} box={box} rtl={rtl} format={format} />
      <CategoryAxis labels={points.map((p) => p.label)} xs={xy.map((p) => p.x)} box={box} />
      <path d={path} class="chart__line" />
      {dots && xy.map((p, i) => p.y != null && <circle key={i} cx={p.x} cy={p.y} r="3.5" class="chart__dot" />)}
    </ChartFigure>
  );
}

/**
 * A bar chart: bars: [{label, value}] in order (e.g. the hours of a day); the rest as LineChart.
 */
export function BarChart({ bars, title, summary, columns, integer = true, format = num }) {
  const rtl = lang() === 'fa';
  const box = frame(rtl);
  const scaled = valueDomain(bars.map((b) => b.value), { integer });
  const rects = barLayout(bars.map((b) => b.value), { ...box, domain: scaled.domain, rtl });
  const y = linearScale(scaled.domain, [box.bottom, box.top]);
  return (
    <ChartFigure title={title} summary={summary} columns={columns} rows={bars.map((b) => [b.label, format(b.value)])}>
      <ValueAxis ticks={scaled.ticks} y={y} box={box} rtl={rtl} format={format} />
      {rects.map((r, i) => <rect key={i} x={r.x} y={r.y} width={r.width} height={r.height} class="chart__bar" />)}
      <CategoryAxis labels={bars.map((b) => b.label)} xs={rects.map((r) => r.cx)} box={box} />
    </ChartFigure>
  );
}
