// The staff calls of the consoles (api.js's staffCall, staffPoll and staffDownload load this
// module): the staff session's ID token as Bearer, renewed first when it is about to lapse; a 401
// ends the staff session here (the console then asks to sign in again).
import { ApiProblem, NetworkError, call } from './api.js';
import { staff } from './staff.js';

export async function staffCall(method, path, { query, body, headers } = {}) {
  await staff.fresh();
  try {
    return await call(method, path, { query, body, headers: { ...staff.headers(), ...headers } });
  } catch (err) {
    if (err instanceof ApiProblem && err.status === 401) staff.clear();
    throw err;
  }
}

/** A staff list polled with its ETag: {changed: false} on 304 (nothing new since `etag`), else
 * {changed: true, data, etag}. The browser's own cache is bypassed: the ETag is ours to send. */
export async function staffPoll(path, { query, etag } = {}) {
  const resp = await staffFetch(path, query, { cache: 'no-store', headers: { Accept: 'application/json',
    ...(etag ? { 'If-None-Match': etag } : {}) } });
  if (resp.status === 304) return { changed: false };
  const data = await resp.json().catch(() => null);
  if (!resp.ok) throw refused(resp, data);
  return { changed: true, data, etag: resp.headers.get('ETag') };
}

/** A staff download (a statement's CSV): {text, headers}; problems thrown as staffCall's. */
export async function staffDownload(path, query) {
  const resp = await staffFetch(path, query, { headers: { Accept: 'text/csv, application/json' } });
  if (!resp.ok) throw refused(resp, await resp.json().catch(() => null));
  return { text: await resp.text(), headers: resp.headers };
}

/** A staff request outside api.js's JSON `call` (a poll with its ETag, a download): the session
 * renewed first, the query set, the Bearer added; a network failure thrown as NetworkError. */
async function staffFetch(path, query, init) {
  await staff.fresh();
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  try {
    return await fetch(url, { ...init, headers: { ...init.headers, ...staff.headers() } });
  } catch (err) {
    throw new NetworkError(String(err));
  }
}

/** The API's refusal as an ApiProblem; a 401 ends the staff session here. */
function refused(resp, data) {
  if (resp.status === 401) staff.clear();
  return new ApiProblem(resp.status, data, resp.headers.get('Retry-After'));
}

