// The public HTTP API, on the same origin (/v1/...). Errors arrive as RFC 9457 problem+json with
// Persian beside English; they are thrown as ApiProblem so pages can show them next to the field.
import { lang } from './i18n.js';
import { citizen } from './session.js';

export class ApiProblem extends Error {
  constructor(status, body, retryAfter = null) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    // A 429's Retry-After header, as the API sent it.
    this.retryAfter = retryAfter;
    // The stable kind is the last part of `type`, e.g. "slot-full".
    this.kind = (this.body.type || '').split('/').pop() || null;
  }

  /** The message to show, in the page's language. */
  message_() {
    const b = this.body;
    return lang() === 'fa' ? (b.detail_fa || b.title_fa || b.detail || b.title) : (b.detail || b.title || b.detail_fa);
  }

  /** Field errors as {field: message} in the page's language. */
  fieldErrors() {
    const out = {};
    for (const e of this.body.errors || []) {
      out[e.field] = lang() === 'fa' ? (e.message_fa || e.message) : (e.message || e.message_fa);
    }
    return out;
  }
}

export class NetworkError extends Error {}

// A citizen call (`auth`) carries the citizen's session as Authorization: Bearer when there is one.
// A booking's own calls send its access code instead when the citizen has it.
const owner = (code) => ({ auth: !code, headers: code ? { 'X-Access-Code': code } : {} });

export async function call(method, path, { query, body, headers, auth = false } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  let resp;
  try {
    resp = await fetch(url, {
      method,
      headers: { Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}),
        ...(auth ? citizen.headers() : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    throw new NetworkError(String(err));
  }
  const type = resp.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await resp.json().catch(() => null) : null;
  if (!resp.ok) {
    const problem = new ApiProblem(resp.status, data, resp.headers.get('Retry-After'));
    // The API no longer knows the session (it lapsed, or was never valid): forget it here too.
    if (resp.status === 401 && auth) citizen.clear();
    throw problem;
  }
  return data;
}

// The staff calls (the consoles): written in staffApi.js and fetched with the console chunk, so the
// citizen app carries only these three small doors to them. See staffApi.js for what each does.
const staffApi = () => import('./staffApi.js');
/** A staff call: parsed JSON; throws ApiProblem (a 401 ends the staff session). */
export const staffCall = (method, path, options) => staffApi().then((m) => m.staffCall(method, path, options));
/** A staff list polled with its ETag: {changed: false} on 304, else {changed: true, data, etag}. */
export const staffPoll = (path, options) => staffApi().then((m) => m.staffPoll(path, options));
/** A staff download (a statement's CSV): {text, headers}. */
export const staffDownload = (path, query) => staffApi().then((m) => m.staffDownload(path, query));

export const api = {
  categories: () => call('GET', '/v1/categories'),
  places: (service) => call('GET', '/v1/places', { query: { service } }),
  services: (q, category, cursor) => call('GET', '/v1/services', { query: { q, category, cursor, limit: 20 } }),
  service: (id) => call('GET', `/v1/services/${encodeURIComponent(id)}`),
  suggestions: (params) => call('GET', '/v1/suggestions', { query: { limit: 5, ...params } }),
  office: (id) => call('GET', `/v1/offices/${encodeURIComponent(id)}`),
  slots: (officeId, service, date) => call('GET', `/v1/offices/${encodeURIComponent(officeId)}/slots`,
    { query: { service, date } }),
  sessionSlots: (officeId, service, date, tz) => call('GET', `/v1/offices/${encodeURIComponent(officeId)}/session-slots`,
    { query: { service, date, tz } }),
  bookSession: (body, idempotencyKey) => call('POST', '/v1/sessions',
    { body, auth: true, headers: { 'Idempotency-Key': idempotencyKey } }),
  holidays: (from, to) => call('GET', '/v1/calendar/holidays', { query: { from, to } }),
  hold: (body) => call('POST', '/v1/holds', { body, auth: true }),
  book: (body, idempotencyKey) => call('POST', '/v1/bookings',
    { body, auth: true, headers: { 'Idempotency-Key': idempotencyKey } }),
  // The booking's own calls: by its access code, or (code null) by the session of its citizen.
  booking: (id, code) => call('GET', `/v1/bookings/${encodeURIComponent(id)}`, owner(code)),
  reschedule: (id, code, start) => call('POST', `/v1/bookings/${encodeURIComponent(id)}/reschedule`,
    { body: { start }, ...owner(code) }),
  grantUploads: (documents) => call('POST', '/v1/uploads', { body: { documents }, auth: true }),
  sendRequest: (body, idempotencyKey) => call('POST', '/v1/requests',
    { body, auth: true, headers: { 'Idempotency-Key': idempotencyKey } }),
  request: (code, accessCode) => call('GET', `/v1/requests/${encodeURIComponent(code)}`,
    { headers: { 'X-Access-Code': accessCode } }),
  rate: (code, accessCode, token, body) => call('POST', `/v1/requests/${encodeURIComponent(code)}/rating`,
    { body, headers: { 'X-Access-Code': accessCode, 'X-Rating-Token': token } }),
  cancel: (id, code) => call('POST', `/v1/bookings/${encodeURIComponent(id)}/cancel`, owner(code)),
  // The mobile check: a code by SMS, then the session it proves.
  sendCode: (body) => call('POST', '/v1/otp', { body }),
  verifyCode: (body) => call('POST', '/v1/otp/verify', { body }),
  myBookings: () => call('GET', '/v1/me/bookings', { auth: true }),
  myRequests: () => call('GET', '/v1/me/requests', { auth: true }),
  // The waitlist: join a day's line; the citizen's entries with any seat offered to them.
  joinWaitlist: (body) => call('POST', '/v1/waitlist', { body, auth: true }),
  myWaitlist: () => call('GET', '/v1/me/waitlist', { auth: true }),
};

/** Send one file to the documents bucket with its presigned POST (`form` from POST /v1/uploads):
 * the form's fields, then the file, as multipart/form-data; `onProgress(fraction)` as it goes.
 * Resolves when the bucket stored it; rejects with UploadError otherwise. */
export class UploadError extends Error {}

export function uploadFile(form, file, onProgress) {
  return new Promise((resolve, reject) => {
    const data = new FormData();
    for (const [k, v] of Object.entries(form.fields)) data.append(k, v);
    data.append('file', file);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.url);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new UploadError(`HTTP ${xhr.status}`)));
    xhr.onerror = () => reject(new UploadError('network'));
    xhr.send(data);
  });
}
