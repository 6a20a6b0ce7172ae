// Numbers and dates for display: Persian digits and Jalali month names in Persian, Latin in English.
// The API gives every date in both calendars ("1405/09/10", "1405/09/10 09:30"); these helpers
// only render those strings. For days the API has not named yet (a calendar month), the browser's
// own Persian calendar (Intl, ICU) gives the Jalali date.
import { lang, monthName, weekdayName } from './i18n.js';

const numberFormats = {};
function nf(options = {}) {
  const key = `${lang()}|${JSON.stringify(options)}`;
  numberFormats[key] ||= new Intl.NumberFormat(lang() === 'fa' ? 'fa-IR' : 'en-US', options);
  return numberFormats[key];
}

export const num = (n, maxFraction = 0) => nf({ maximumFractionDigits: maxFraction }).format(n);
/** Digits of an identifier-like string (no grouping): "0912" -> "۰۹۱۲". */
export const digits = (s) => (lang() === 'fa' ? String(s).replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[d]) : String(s));
/** What the citizen typed, with Persian or Arabic-Indic digits turned Latin (the API accepts both anyway). */
export const latinDigits = (s) => String(s)
  .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
  .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660));

/** Weekday index with Saturday = 0, from an ISO date "2026-12-01". */
export function weekdayIndex(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1) % 7;
}

/** "1405/09/10" -> {y, m, d}. */
export function parseJalali(s) {
  const [y, m, d] = s.slice(0, 10).split('/').map(Number);
  return { y, m, d };
}

const persianParts = new Intl.DateTimeFormat('en-US-u-ca-persian-nu-latn', {
  timeZone: 'UTC', year: 'numeric', month: 'numeric', day: 'numeric',
});
/** The Jalali date of an ISO date, by the browser's Persian calendar. */
export function jalaliOf(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  const parts = Object.fromEntries(persianParts.formatToParts(new Date(Date.UTC(y, m - 1, d)))
    .map((p) => [p.type, p.value]));
  return { y: parseInt(parts.year, 10), m: parseInt(parts.month, 10), d: parseInt(parts.day, 10) };
}

/** "سه‌شنبه ۱۰ آذر ۱۴۰۵" from the API's Jalali string and the ISO date (for the weekday). */
export function longDate(jalali, iso) {
  const { y, m, d } = typeof jalali === 'string' ? parseJalali(jalali) : jalali;
  const day = `${num(d)} ${monthName(m)} ${digits(y)}`;
  return iso ? `${weekdayName(weekdayIndex(iso))} ${day}` : day;
}

/** "09:30" of the API's Jalali instant "1405/09/10 09:30". */
export const timeOf = (instant) => digits(instant.jalali.slice(11, 16));
/** "سه‌شنبه ۱۰ آذر ۱۴۰۵، ساعت ۰۹:۳۰". */
export const longInstant = (instant) => `${longDate(instant.jalali, instant.at.slice(0, 10))}${lang() === 'fa' ? '، ساعت ' : ', '}${timeOf(instant)}`;

export const money = (rials) => num(rials);

/** An ISO instant in the Jalali calendar at a given IANA time zone (a citizen abroad sees their own
 * clock): "۱۰ آذر ۱۴۰۵، ۱۱:۴۵". */
export function instantIn(iso, timeZone = 'Asia/Tehran') {
  const locale = lang() === 'fa' ? 'fa-IR-u-ca-persian' : 'en-US-u-ca-persian';
  try {
    // Two-digit hours as everywhere on the site ("۰۰:۰۸", not timeStyle's "۰:۰۸" after midnight).
    return new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'long', day: 'numeric',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .format(new Date(iso));
  } catch {
    return iso;
  }
}
