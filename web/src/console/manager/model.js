// The office manager's pages' pure parts: the weekly hours as text a manager types and reads,
// a duration within the catalogue's bounds, the tier history as chart points, the Jalali months
// of statements, and the bookings a closure would cancel. No I/O here (Node tests in web/test/).
import { jalaliOf, latinDigits } from '../../format.js';

/** The API's weekday keys, Saturday first (the index is the Persian week's, as weekdayName's). */
export const WEEKDAYS = ['sat', 'sun', 'mon', 'tue', 'wed', 'thu', 'fri'];

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const pad = (t) => (/^\d:/.test(t) ? `0${t}` : t);

/** A weekday's intervals as the manager types them: "08:00-13:00, 16:00-19:00" ("" closed). */
export const intervalsText = (intervals) => (intervals || []).map(([a, b]) => `${a}-${b}`).join(', ');

/**
 * A weekday's typed hours -> {intervals} or {error}, error being a key of the reasons:
 * 'format' (not HH:MM-HH:MM), 'order' (an interval that closes before it opens, or overlaps the
 * previous one), 'many' (more than four). Persian digits, the Persian comma and dashes are accepted.
 */
export function parseIntervals(text) {
  const clean = latinDigits(text || '').replace(/[–—]/g, '-').replace(/،/g, ',').trim();
  if (!clean) return { intervals: [] };
  const intervals = [];
  for (const part of clean.split(/[,;]/).map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(part);
    if (!m || !HHMM.test(pad(m[1])) || !HHMM.test(pad(m[2]))) return { error: 'format' };
    const [opens, closes] = [pad(m[1]), pad(m[2])];
    if (opens >= closes || (intervals.length && intervals[intervals.length - 1][1] > opens)) return { error: 'order' };
    intervals.push([opens, closes]);
  }
  return intervals.length > 4 ? { error: 'many' } : { intervals };
}

/** The typed week -> {hours} for PUT /v1/office/hours, or {errors: {weekday: reason}}. Friday and
 * an empty day are left out (closed). */
export function parseWeek(texts) {
  const hours = {};
  const errors = {};
  for (const day of WEEKDAYS) {
    const parsed = parseIntervals(texts[day]);
    if (parsed.error) errors[day] = parsed.error;
    else if (parsed.intervals.length) hours[day] = parsed.intervals;
  }
  return Object.keys(errors).length ? { errors } : { hours };
}

/** An office's own duration as typed: '' is the standard one (null); otherwise a whole number of
 * minutes within the catalogue's bounds -> {value} or {error: 'number' | 'bounds'}. */
export function parseDuration(text, min, max) {
  const clean = latinDigits(String(text ?? '')).trim();
  if (!clean) return { value: null };
  if (!/^\d+$/.test(clean)) return { error: 'number' };
  const value = Number(clean);
  return value < min || value > max ? { error: 'bounds' } : { value };
}

/** The scorecard's tier history (newest first) as chart points, oldest first. */
export const tierPoints = (history, label) => [...(history || [])].reverse()
  .map((h) => ({ label: label(h), value: h.tier }));

/** The Jalali month of an ISO day, as the accounts API takes it: "1405-09". */
export function monthOf(iso) {
  const { y, m } = jalaliOf(iso);
  return `${y}-${String(m).padStart(2, '0')}`;
}

/** The `count` Jalali months up to and including `month` ("1405-09"), newest first. */
export function monthsBack(month, count) {
  let [y, m] = month.split('-').map(Number);
  const out = [];
  for (let i = 0; i < count; i += 1) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m -= 1;
    if (m === 0) { m = 12; y -= 1; }
  }
  return out;
}

/** The bookings of a day a closure would cancel: those still booked (a checked-in citizen is served). */
export const cancelledByClosure = (day) => (day?.items || []).filter((b) => b.status === 'BOOKED').length;
