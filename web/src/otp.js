// The one-time code and its clock, without the page: what the citizen typed or pasted (Persian,
// Arabic-Indic or Latin digits, spaces or dashes between groups) and the resend countdown.
import { latinDigits } from './format.js';

export const CODE_LENGTH = 6;

/** The code's digits, Latin, from what was typed or pasted ("۱۲۳ ۴۵۶" -> "123456"). */
export const normaliseCode = (typed) => latinDigits(typed).replace(/[\s\u200c\u200e\u200f\-–_.]/g, '');

/** null when `code` (normalised) is six digits, else the key of the message to show. */
export function codeProblem(code) {
  if (!code) return 'codeRequired';
  return new RegExp(`^\\d{${CODE_LENGTH}}$`).test(code) ? null : 'codeShape';
}

/** Whole seconds from `now` until `until` (both ms since the epoch), never below zero. */
export const secondsLeft = (until, now = Date.now()) => Math.max(0, Math.ceil((until - now) / 1000));

/** "1:05" for 65 seconds (Latin; the page turns it into Persian digits). */
export const clock = (seconds) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

/** The seconds a 429 asks to wait, from its Retry-After header (seconds or an HTTP date). */
export function retryAfter(header, now = Date.now()) {
  if (header == null || header === '') return null;
  const text = String(header).trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isFinite(at) ? secondsLeft(at, now) : null;
}

/** The national ID and mobile as the API wants them (Latin digits, no spaces or dashes) and the
 * keys of the shape problems found, per field. The rules themselves (check digit, operators) are
 * the API's. */
export function citizenFields(values) {
  const national_id = latinDigits(values.national_id || '').replace(/[\s-]/g, '');
  const mobile = latinDigits(values.mobile || '').replace(/[\s-]/g, '');
  const problems = [];
  if (!national_id) problems.push(['national_id', 'nationalIdRequired']);
  else if (!/^\d{10}$/.test(national_id)) problems.push(['national_id', 'nationalIdShape']);
  if (!mobile) problems.push(['mobile', 'mobileRequired']);
  else if (!/^(09\d{9}|\+989\d{9}|9\d{9}|00989\d{9})$/.test(mobile)) problems.push(['mobile', 'mobileShape']);
  return { national_id, mobile, problems };
}
