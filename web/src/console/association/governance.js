// Pure helpers of the association's governance pages (no DOM, no fetch): what a form's fields become
// in an API body, and how an API answer is laid out. Tested with Node in web/test/governance.test.js.
import { latinDigits } from '../../format.js';

/** A number typed in Latin or Persian digits (and the Persian decimal separator), or null. */
export function parseNumber(text) {
  const s = latinDigits(String(text ?? '')).replace(/[٫،]/g, '.').trim();
  if (!/^-?\d+(\.\d+)?$/.test(s) && !/^-?\.\d+$/.test(s)) return null;
  return Number(s);
}

/** A Jalali day typed as year, month and day fields -> "1405-09-10" for the API (a year below 1700 is
 * Jalali to it; dashes, as slashes would be escaped in a path), or null. */
export function jalaliDay(year, month, day) {
  const [y, m, d] = [year, month, day].map((v) => parseNumber(v));
  if (![y, m, d].every((v) => Number.isInteger(v))) return null;
  if (y < 1300 || y > 1500 || m < 1 || m > 12 || d < 1 || d > (m <= 6 ? 31 : 30)) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The routing parameters' edits as the API's `changes`: only the numbers that differ from the
 * ones in force. `errors` names the fields that are not numbers (or negative). */
export function routingChanges(current, edited) {
  const changes = {};
  const errors = [];
  for (const [name, value] of Object.entries(current)) {
    if (name === 'version' || !(name in edited)) continue;
    const n = parseNumber(edited[name]);
    if (n === null || n < 0) {
      errors.push(name);
      continue;
    }
    if (n !== value) changes[name] = n;
  }
  return { changes, errors };
}

/** The ranking simulator's form -> the API's proposal (fields left as they are in force are left out).
 * `form`: {cut_points: [4 texts], base_share_percent, hysteresis_margin, confirm_periods, weights: {k: text}}. */
export function policyProposal(policy, form) {
  const body = {};
  const errors = [];
  const cuts = (form.cut_points || []).map(parseNumber);
  if (cuts.some((c) => c === null)) errors.push('cut_points');
  else if (cuts.some((c, i) => c !== Number(policy.cut_points[i]))) body.cut_points = cuts;
  const share = parseNumber(form.base_share_percent);
  if (share === null || share < 0 || share > 100) errors.push('base_share_percent');
  else if (Math.abs(share / 100 - Number(policy.base_share)) > 1e-12) body.base_share = String(+(share / 100).toFixed(6));
  const margin = parseNumber(form.hysteresis_margin);
  if (margin === null || margin < 0 || margin > 50) errors.push('hysteresis_margin');
  else if (margin !== Number(policy.hysteresis_margin)) body.hysteresis_margin = margin;
  const confirm = parseNumber(form.confirm_periods);
  if (!Number.isInteger(confirm) || confirm < 1 || confirm > 12) errors.push('confirm_periods');
  else if (confirm !== policy.confirm_periods) body.confirm_periods = confirm;
  const weights = {};
  let weightsChanged = false;
  for (const [name, value] of Object.entries(policy.weights)) {
    const w = parseNumber(form.weights?.[name] ?? value);
    if (w === null || w < 0) {
      errors.push(`weight-${name}`);
      continue;
    }
    weights[name] = w;
    if (w !== Number(value)) weightsChanged = true;
  }
  if (weightsChanged) body.weights = weights;
  return { body, errors };
}

/** The simulator's offices, those whose tier changes first (largest moves first), then by id;
 * each with its direction: 1 up (a better tier), -1 down, 0 the same. */
export function tierRows(offices) {
  return offices
    .map((o) => ({ ...o, direction: Math.sign(o.proposed_tier - o.current_tier) }))
    .sort((a, b) => Math.abs(b.proposed_tier - b.current_tier) - Math.abs(a.proposed_tier - a.current_tier)
      || (a.office_id < b.office_id ? -1 : a.office_id > b.office_id ? 1 : 0));
}

/** How many offices go up, down, or stay, under the proposal. */
export function tierSummary(offices) {
  const out = { up: 0, down: 0, same: 0 };
  for (const o of offices) {
    const d = Math.sign(o.proposed_tier - o.current_tier);
    out[d > 0 ? 'up' : d < 0 ? 'down' : 'same'] += 1;
  }
  return out;
}

/** A closure preview's bookings grouped by office, in the order the API listed them (by time). */
export function byOffice(items) {
  const groups = new Map();
  for (const b of items) {
    if (!groups.has(b.office_id)) groups.set(b.office_id, { office_id: b.office_id, office: b, bookings: [] });
    groups.get(b.office_id).bookings.push(b);
  }
  return [...groups.values()];
}

/** A partner id the API accepts (letters, digits, - _ :, up to 256), as in its webhook ids. */
export const validPartnerId = (id) => /^[A-Za-z0-9_:-]{1,256}$/.test(id);

/** The body that retires (or reinstates) a partner: its registered details with `active` set. */
export const partnerWith = (p, active) => ({ name: p.name, kind: p.kind, callback_url: p.callback_url,
  quota_per_minute: p.quota_per_minute, active });
