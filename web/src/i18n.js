// The current language and the words for it. Persian is the default; the choice is remembered.
import { MONTHS, STRINGS, WEEKDAYS, WEEKDAYS_SHORT } from './strings.js';

const KEY = 'ejso.lang';
let current = 'fa';
try {
  const saved = localStorage.getItem(KEY);
  if (saved === 'en' || saved === 'fa') current = saved;
} catch { /* storage may be disabled */ }

export const lang = () => current;

export function setLang(next) {
  current = next;
  try { localStorage.setItem(KEY, next); } catch { /* ignore */ }
  applyDocumentLang();
}

export function applyDocumentLang() {
  document.documentElement.lang = current;
  document.documentElement.dir = current === 'fa' ? 'rtl' : 'ltr';
}

/** More words (the staff consoles' own, loaded with them), merged into each language's. */
export function addStrings(more) {
  for (const language of Object.keys(more)) Object.assign(STRINGS[language], more[language]);
}

/** The word for `key`; a function entry is called with the remaining arguments. */
export function t(key, ...args) {
  const value = STRINGS[current][key];
  return typeof value === 'function' ? value(...args) : value;
}

export const monthName = (m) => MONTHS[current][m - 1];
export const weekdayName = (i) => WEEKDAYS[current][i];
export const weekdayShort = (i) => WEEKDAYS_SHORT[current][i];

/** An API object's name in the page's language: name_fa / name_en (or city_fa / city). */
export const named = (obj, base = 'name') => (current === 'fa'
  ? obj[`${base}_fa`] || obj[`${base}_en`] || obj[base]
  : obj[`${base}_en`] || obj[base] || obj[`${base}_fa`]);
