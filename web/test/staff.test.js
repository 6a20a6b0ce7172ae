// The staff session without a browser: fetch is a recorder standing in for the API's sign-in
// config and for Cognito; what signIn sends, what it keeps, and how a refusal is named.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';

globalThis.location = new URL('http://127.0.0.1:8000/');
const sent = [];
let cognito = () => ({ status: 200, body: {} });
const CONFIG = { flow: 'USER_PASSWORD_AUTH', region: 'local', user_pool_id: 'local_1', client_id: 'client-1',
  endpoint: 'http://127.0.0.1:9229' };
globalThis.fetch = async (url, init = {}) => {
  sent.push({ url: String(url), ...init });
  const { status, body } = String(url).includes('/v1/staff/sign-in-config') ? { status: 200, body: CONFIG }
    : String(url).startsWith('http://127.0.0.1:9229') ? cognito(JSON.parse(init.body), init.headers)
      : { status: 200, body: { ok: true } };
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
};
const { staff, homeOf, StaffSignInError } = await import('../src/staff.js');
const { staffCall, ApiProblem } = await import('../src/api.js');

const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
const idToken = (claims) => `${b64url({ alg: 'RS256', kid: 'k' })}.${b64url(claims)}.sig`;
const exp = (minutes) => Math.floor(Date.now() / 1000) + minutes * 60;
const OPERATOR = { email: 'op-thr@ejso.local', 'cognito:groups': ['operator'], 'custom:office_id': 'OF-THR-1', exp: exp(60) };

beforeEach(() => {
  sent.length = 0;
  staff.clear();
});

test('a password sign-in sends USER_PASSWORD_AUTH to the pool and keeps who signed in', async () => {
  cognito = () => ({ status: 200, body: { AuthenticationResult: { IdToken: idToken(OPERATOR), RefreshToken: 'r1' } } });
  const { session } = await staff.signIn('op-thr@ejso.local', 'pw');
  const call = sent.find((s) => s.url.startsWith('http://127.0.0.1:9229'));
  assert.equal(call.headers['X-Amz-Target'], 'AWSCognitoIdentityProviderService.InitiateAuth');
  assert.deepEqual(JSON.parse(call.body), { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'client-1',
    AuthParameters: { USERNAME: 'op-thr@ejso.local', PASSWORD: 'pw' } });
  assert.equal(session.role, 'operator');
  assert.equal(session.office_id, 'OF-THR-1');
  assert.equal(staff.current().email, 'op-thr@ejso.local');
  assert.match(staff.headers().Authorization, /^Bearer .+\..+\.sig$/);
  assert.equal(homeOf(session.role), '/console/office');
});

test('a wrong password is a credentials error and keeps nobody signed in', async () => {
  cognito = () => ({ status: 400, body: { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' } });
  await assert.rejects(staff.signIn('op-thr@ejso.local', 'nope'),
    (err) => err instanceof StaffSignInError && err.kind === 'credentials');
  assert.equal(staff.current(), null);
  assert.deepEqual(staff.headers(), {});
});

test('a TOTP challenge asks for the code, and the code finishes the sign-in', async () => {
  cognito = () => ({ status: 200, body: { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's-1' } });
  assert.deepEqual(await staff.signIn('admin@ejso.local', 'pw'), { challenge: 'totp' });
  assert.equal(staff.current(), null);
  cognito = (body) => {
    assert.deepEqual(body.ChallengeResponses, { USERNAME: 'admin@ejso.local', SOFTWARE_TOKEN_MFA_CODE: '123456' });
    assert.equal(body.Session, 's-1');
    return { status: 200, body: { AuthenticationResult: { IdToken: idToken({ ...OPERATOR, 'cognito:groups': ['association-admin'] }) } } };
  };
  const { session } = await staff.answerChallenge('123456');
  assert.equal(session.role, 'association-admin');
  assert.equal(homeOf(session.role), '/console/association');
});

test('a token about to lapse is refreshed before a staff call; a 401 from the API ends the session', async () => {
  cognito = () => ({ status: 200, body: { AuthenticationResult: { IdToken: idToken({ ...OPERATOR, exp: exp(2) }), RefreshToken: 'r1' } } });
  await staff.signIn('op-thr@ejso.local', 'pw');
  cognito = (body) => {
    assert.deepEqual(body.AuthParameters, { REFRESH_TOKEN: 'r1' });
    return { status: 200, body: { AuthenticationResult: { IdToken: idToken({ ...OPERATOR, exp: exp(60), marker: 1 }) } } };
  };
  await staffCall('GET', '/v1/office/bookings');
  const apiCall = sent.at(-1);
  assert.equal(apiCall.url, 'http://127.0.0.1:8000/v1/office/bookings');
  assert.equal(apiCall.headers.Authorization, `Bearer ${staff.current().token}`);
  assert.ok(Date.parse(staff.current().expires_at) > Date.now() + 30 * 60_000);
  assert.equal(staff.current().refresh, 'r1');  // kept: a refresh answer carries no new refresh token

  globalThis.fetch = async () => new Response(JSON.stringify({ status: 401, title: 'expired' }),
    { status: 401, headers: { 'Content-Type': 'application/problem+json' } });
  await assert.rejects(staffCall('GET', '/v1/office/bookings'), (err) => err instanceof ApiProblem && err.status === 401);
  assert.equal(staff.current(), null);
});
