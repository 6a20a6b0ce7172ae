// Which API calls carry the citizen's session (Authorization: Bearer) and which the access code,
// with fetch replaced by a recorder: the session never travels on a call that does not need it.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

globalThis.location = new URL('http://127.0.0.1:8000/');
const sent = [];
let answer = { status: 200, body: {} };
globalThis.fetch = async (url, init) => {
  sent.push({ url: String(url), ...init });
  return new Response(JSON.stringify(answer.body), {
    status: answer.status, headers: { 'Content-Type': 'application/json', ...(answer.headers || {}) } });
};
const { api, ApiProblem } = await import('../src/api.js');
const { citizen } = await import('../src/session.js');

const later = new Date(Date.now() + 30 * 60_000).toISOString();
beforeEach(() => {
  sent.length = 0;
  answer = { status: 200, body: {} };
  citizen.save({ session: 'tok', expires: { at: later, jalali: '' }, national_id: '*', mobile: '*' },
    { national_id: '0012345679', mobile: '09121234567' });
});

test('holds, bookings, requests and my lists carry the session; the catalogue does not', async () => {
  await api.hold({ office_id: 'OF-1' });
  await api.book({}, 'key-1');
  await api.sendRequest({}, 'key-2');
  await api.myBookings();
  await api.myRequests();
  await api.services('ثنا');
  await api.sendCode({ national_id: '0012345679', mobile: '09121234567' });
  const auth = sent.map((r) => [new URL(r.url).pathname, r.headers.Authorization || null]);
  assert.deepEqual(auth, [
    ['/v1/holds', 'Bearer tok'], ['/v1/bookings', 'Bearer tok'], ['/v1/requests', 'Bearer tok'],
    ['/v1/me/bookings', 'Bearer tok'], ['/v1/me/requests', 'Bearer tok'], ['/v1/services', null], ['/v1/otp', null],
  ]);
  assert.equal(sent[1].headers['Idempotency-Key'], 'key-1');
});

test('a booking is read, moved and cancelled by its access code when given, else by the session', async () => {
  await api.booking('BK1', 'ABCD2345');
  await api.cancel('BK1', null);
  await api.reschedule('BK1', null, '2026-12-01T09:30+03:30');
  assert.equal(sent[0].headers['X-Access-Code'], 'ABCD2345');
  assert.equal(sent[0].headers.Authorization, undefined);
  for (const r of sent.slice(1)) {
    assert.equal(r.headers.Authorization, 'Bearer tok');
    assert.equal(r.headers['X-Access-Code'], undefined);
  }
  assert.deepEqual(JSON.parse(sent[2].body), { start: '2026-12-01T09:30+03:30' });
});

test('a 401 on a citizen call forgets the session; a 429 keeps its Retry-After', async () => {
  answer = { status: 429, body: { type: 'https://x/problems/otp-too-soon', detail_fa: 'کمی صبر کنید' },
    headers: { 'Retry-After': '37' } };
  const tooSoon = await api.sendCode({}).catch((e) => e);
  assert.ok(tooSoon instanceof ApiProblem);
  assert.equal(tooSoon.retryAfter, '37');
  assert.ok(citizen.current(), 'a refused code request leaves the session alone');
  answer = { status: 401, body: { type: 'https://x/problems/citizen-session-required' } };
  const refused = await api.hold({}).catch((e) => e);
  assert.equal(refused.kind, 'citizen-session-required');
  assert.equal(citizen.current(), null);
});
