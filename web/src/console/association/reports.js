// The association's reports, pure: filtering the ranking table, the months a statement can be asked
// for, the schematic map of provinces, reading the statement CSV's total. No DOM, no fetch: tested
// on Node's own runner (web/test/reports.test.js).
import { jalaliOf } from '../../format.js';

/** The filters' choices from the rows themselves: provinces and, within the chosen province, cities. */
export function filterChoices(items, province) {
  const provinces = new Map();
  const cities = new Map();
  for (const o of items) {
    provinces.set(o.province, o.province_fa);
    if (!province || o.province === province) cities.set(o.city, o.city_fa);
  }
  const sorted = (m) => [...m].map(([value, fa]) => ({ value, fa })).sort((a, b) => a.value.localeCompare(b.value));
  return { provinces: sorted(provinces), cities: sorted(cities) };
}

/** The ranking rows that pass the filters: province, city, tier ("1".."5"), deprived ("yes"/"no");
 * an empty filter passes everything. */
export function filterRanking(items, { province = '', city = '', tier = '', deprived = '' } = {}) {
  return items.filter((o) => (!province || o.province === province)
    && (!city || o.city === city)
    && (!tier || o.tier === Number(tier))
    && (!deprived || o.deprived === (deprived === 'yes')));
}

/** How many offices are in each tier (5 → 1), for the table's summary. */
export function tierCounts(items) {
  const counts = { 5: 0, 4: 0, 3: 0, 2: 0, 1: 0 };
  for (const o of items) counts[o.tier] = (counts[o.tier] || 0) + 1;
  return counts;
}

const pad = (m) => String(m).padStart(2, '0');

/** The Jalali month of an ISO day, as the API names months: "1405-09". */
export function monthOf(iso) {
  const { y, m } = jalaliOf(iso);
  return `${y}-${pad(m)}`;
}

/** `n` Jalali months ending with `month` (newest first): the statement page's choices. */
export function recentMonths(month, n = 12) {
  let [y, m] = month.split('-').map(Number);
  const out = [];
  for (let i = 0; i < n; i += 1) {
    out.push(`${y}-${pad(m)}`);
    m -= 1;
    if (m === 0) { m = 12; y -= 1; }
  }
  return out;
}

/** The statement CSV's TOTAL line as numbers by column name (the page shows it beside the download,
 * and the browser test compares it with the API's JSON total). */
export function csvTotal(text) {
  const lines = text.trim().split(/\r?\n/).map((l) => l.split(','));
  const header = lines[0];
  const total = lines.find((l) => l[0] === 'TOTAL');
  if (!total) return null;
  return Object.fromEntries(header.slice(1).map((h, i) => [h, total[i + 1] === '' ? null : Number(total[i + 1])]));
}

/** A schematic map: each province a circle at its capital (no borders are shipped, so none are
 * drawn), the area of the circle proportional to `value`. Equirectangular, a degree of longitude
 * shortened by the cosine of the mean latitude; north up and east right in either script. */
export function provinceMap(items, value, { width = 520, height = 460, pad = 36, maxRadius = 26, minRadius = 3 } = {}) {
  const placed = items.filter((p) => Number.isFinite(p.capital_lat) && Number.isFinite(p.capital_lon));
  if (!placed.length) return [];
  const lats = placed.map((p) => p.capital_lat);
  const lons = placed.map((p) => p.capital_lon);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const kx = Math.cos((midLat * Math.PI) / 180);
  const spanX = Math.max((Math.max(...lons) - Math.min(...lons)) * kx, 0.5);
  const spanY = Math.max(Math.max(...lats) - Math.min(...lats), 0.5);
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const midLon = (Math.min(...lons) + Math.max(...lons)) / 2;
  const top = Math.max(...placed.map((p) => value(p) || 0), 0);
  return placed.map((p) => {
    const v = value(p) || 0;
    return {
      item: p,
      x: Math.round((width / 2 + (p.capital_lon - midLon) * kx * scale) * 10) / 10,
      y: Math.round((height / 2 - (p.capital_lat - midLat) * scale) * 10) / 10,
      // Area, not radius, is what the eye compares: r ∝ √value.
      r: top > 0 ? Math.round(Math.max(minRadius, maxRadius * Math.sqrt(v / top)) * 10) / 10 : minRadius,
    };
  });
}

/** The queue's samples (one a minute) in buckets of `minutes`, each the longest queue seen in it
 * (a chart of 1,440 points says no more than one of 144, and the peak is what matters).
 * samples: [{at: "2026-11-30T09:31+03:30", length}] → [{time: "09:30", value}] in time order. */
export function bucketSamples(samples, minutes = 10) {
  const buckets = new Map();
  for (const s of samples) {
    const [h, m] = s.at.slice(11, 16).split(':').map(Number);
    const start = Math.floor((h * 60 + m) / minutes) * minutes;
    const time = `${pad(Math.floor(start / 60))}:${pad(start % 60)}`;
    buckets.set(time, Math.max(buckets.get(time) ?? 0, s.length));
  }
  return [...buckets].sort(([a], [b]) => a.localeCompare(b)).map(([time, value]) => ({ time, value }));
}
