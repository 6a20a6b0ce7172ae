// Pure geometry of the consoles' small SVG charts (web/src/components/charts.jsx): scales, "nice"
// ticks, the paths of a line and a step chart, and the bars of a bar chart. No DOM, no words:
// tested on Node's own runner. In a right-to-left page the horizontal axis is mirrored (time and
// order run from right to left, as the reader reads), so every x helper takes `rtl`.

/** A linear map from [d0, d1] to [r0, r1]; a flat domain maps everything to the middle. */
export function linearScale([d0, d1], [r0, r1]) {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** The horizontal range of a plot area [left, right], reversed for a right-to-left page. */
export const xRange = (left, right, rtl) => (rtl ? [right, left] : [left, right]);

/** Round tick values covering [min, max] in steps of 1, 2 or 5 × 10^k, about `count` of them;
 * `integer`: no fractional steps (counts, tiers). */
export function niceTicks(min, max, count = 5, { integer = false } = {}) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(count - 1, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  if (integer) step = Math.max(1, Math.round(step));
  const start = Math.floor(min / step) * step;
  const ticks = [];
  for (let v = start; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toFixed(10)));
  return ticks;
}

/** The domain a chart's vertical axis shows: from 0 (or the data's minimum, if negative) to the
 * last nice tick at or above the maximum, so the tallest value never touches the frame. */
export function valueDomain(values, { integer = false, from0 = true } = {}) {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return { domain: [0, 1], ticks: [0, 1] };
  const lo = from0 ? Math.min(0, ...finite) : Math.min(...finite);
  const hi = Math.max(...finite, lo + (integer ? 1 : 1e-9));
  const ticks = niceTicks(lo, hi, 5, { integer });
  return { domain: [ticks[0], ticks[ticks.length - 1]], ticks };
}

const round = (v) => Math.round(v * 100) / 100;

/** "M x y L x y …" through the points (already in pixels); gaps (null y) break the line. */
export function linePath(points) {
  let d = '';
  let pen = false;
  for (const { x, y } of points) {
    if (y == null || !Number.isFinite(y)) { pen = false; continue; }
    d += `${pen ? 'L' : 'M'}${round(x)} ${round(y)} `;
    pen = true;
  }
  return d.trim();
}

/** A step line: each value holds until the next point (a tier stays until the next ranking).
 * The last value is carried to `endX` when given. */
export function stepPath(points, endX) {
  let d = '';
  let prev = null;
  for (const p of points) {
    if (p.y == null || !Number.isFinite(p.y)) { prev = null; continue; }
    if (prev) d += `H${round(p.x)} V${round(p.y)} `;
    else d += `M${round(p.x)} ${round(p.y)} `;
    prev = p;
  }
  if (prev && endX != null) d += `H${round(endX)}`;
  return d.trim();
}

/** Evenly spaced slot centres for `n` categories across [left, right] (mirrored when rtl). */
export function bandCentres(n, left, right, rtl) {
  if (n <= 0) return [];
  const w = (right - left) / n;
  return Array.from({ length: n }, (_, i) => (rtl ? right - (i + 0.5) * w : left + (i + 0.5) * w));
}

/** The rectangles of a bar chart: one per value, `gap` (0–1) of each band left empty, heights from
 * `base` (pixel y of 0) up to the value's pixel y. */
export function barLayout(values, { left, right, top, bottom, domain, rtl = false, gap = 0.25 }) {
  const n = values.length;
  if (!n) return [];
  const band = (right - left) / n;
  const width = band * (1 - gap);
  const y = linearScale(domain, [bottom, top]);
  const base = y(Math.max(domain[0], 0));
  return bandCentres(n, left, right, rtl).map((cx, i) => {
    const v = Number.isFinite(values[i]) ? values[i] : 0;
    const yv = y(v);
    return { x: round(cx - width / 2), width: round(width), y: round(Math.min(yv, base)),
      height: round(Math.abs(base - yv)), cx: round(cx), value: values[i] };
  });
}

/** Which of `n` labels to print on a crowded axis: about `max` of them, always the first and last. */
export function thinLabels(n, max = 8) {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const every = Math.ceil((n - 1) / (max - 1));
  const keep = [];
  for (let i = 0; i < n - 1; i += every) keep.push(i);
  if (n - 1 - keep[keep.length - 1] < every / 2) keep.pop();
  keep.push(n - 1);
  return keep;
}
