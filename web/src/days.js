// Days of the booking window and the office's open days, for the calendar page.
import { jalaliOf, weekdayIndex } from './format.js';

export const WEEKDAY_KEYS = ['sat', 'sun', 'mon', 'tue', 'wed', 'thu', 'fri'];
// The API books from tomorrow up to its horizon (30 days by default) in Tehran time.
export const HORIZON_DAYS = 30;

const tehranDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tehran', year: 'numeric', month: '2-digit', day: '2-digit' });

export const todayInTehran = () => tehranDate.format(new Date());

export function addDays(iso, n) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** The window's days as {iso, jalali, weekday, open, holidays: [..], closure} grouped by Jalali month. */
export function calendarMonths(office, holidays, today = todayInTehran()) {
  const byDay = new Map();
  for (const h of holidays) byDay.set(h.date, [...(byDay.get(h.date) || []), h]);
  const closures = new Set((office.closures || []).map((c) => c.date));
  const months = [];
  for (let i = 1; i <= HORIZON_DAYS; i++) {
    const iso = addDays(today, i);
    const weekday = weekdayIndex(iso);
    const jalali = jalaliOf(iso);
    const names = byDay.get(iso) || [];
    const closure = closures.has(iso);
    const open = (office.hours?.[WEEKDAY_KEYS[weekday]] || []).length > 0 && !names.length && !closure;
    let month = months[months.length - 1];
    if (!month || month.m !== jalali.m) {
      month = { y: jalali.y, m: jalali.m, days: [] };
      months.push(month);
    }
    month.days.push({ iso, jalali, weekday, open, holidays: names, closure });
  }
  return months;
}

/** A month's days laid in weeks starting Saturday (null = an empty cell). */
export function weeks(month) {
  const cells = [...Array(month.days[0].weekday).fill(null), ...month.days];
  const out = [];
  for (let i = 0; i < cells.length; i += 7) out.push(cells.slice(i, i + 7));
  const last = out[out.length - 1];
  while (last.length < 7) last.push(null);
  return out;
}

const tehranClock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tehran', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
export const nowInTehran = () => tehranClock.format(new Date()); // "22:05"

/** Whether an office is open now, and if not when it opens (within a week): from its declared
 * hours, the official holidays and its closures. {open: true, until} | {open: false, day, at} | null. */
export function openingState(office, holidayDates, today = todayInTehran(), now = nowInTehran()) {
  const closures = new Set((office.closures || []).map((c) => c.date));
  for (let i = 0; i <= 7; i++) {
    const iso = addDays(today, i);
    if (holidayDates.has(iso) || closures.has(iso)) continue;
    for (const [from, to] of office.hours?.[WEEKDAY_KEYS[weekdayIndex(iso)]] || []) {
      const [f, t] = [from.padStart(5, '0'), to.padStart(5, '0')];
      if (i === 0 && f <= now && now < t) return { open: true, until: t };
      if (i > 0 || now < f) return { open: false, day: i, iso, at: f };
    }
  }
  return null;
}
