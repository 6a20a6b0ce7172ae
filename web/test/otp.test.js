// The mobile check without a browser: the code as typed or pasted, the resend clock, Retry-After,
// the citizen's fields, the session's lifetime, and which calls carry the session.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { citizenFields, clock, codeProblem, normaliseCode, retryAfter, secondsLeft } from '../src/otp.js';
import { alive, citizen } from '../src/session.js';
import { STRINGS } from '../src/strings.js';

test('a code typed or pasted in Persian, Arabic-Indic or Latin digits, with gaps, is six Latin digits', () => {
  assert.equal(normaliseCode('۱۲۳۴۵۶'), '123456');
  assert.equal(normaliseCode('٣٤٥ ٦٧٨'), '345678');
  assert.equal(normaliseCode(' 12-34 56 '), '123456');
  assert.equal(normaliseCode('۱۲\u200c۳۴۵۶'), '123456');
  assert.equal(codeProblem(normaliseCode('۱۲۳۴۵۶')), null);
  assert.equal(codeProblem(''), 'codeRequired');
  assert.equal(codeProblem(normaliseCode('۱۲۳۴۵')), 'codeShape');
  assert.equal(codeProblem(normaliseCode('1234567')), 'codeShape');
  assert.equal(codeProblem(normaliseCode('12a456')), 'codeShape');
});

test('the resend clock counts whole seconds down to zero', () => {
  assert.equal(secondsLeft(61_000, 0), 61);
  assert.equal(secondsLeft(60_500, 0), 61); // a started second still counts
  assert.equal(secondsLeft(1_000, 5_000), 0);
  assert.equal(clock(65), '1:05');
  assert.equal(clock(59), '0:59');
  assert.equal(clock(0), '0:00');
});

test('Retry-After in seconds or as an HTTP date', () => {
  assert.equal(retryAfter('42'), 42);
  assert.equal(retryAfter(null), null);
  assert.equal(retryAfter('soon'), null);
  const now = Date.parse('2026-11-29T10:00:00Z');
  assert.equal(retryAfter('Sun, 29 Nov 2026 10:00:30 GMT', now), 30);
});

test('national ID and mobile: Persian digits and spaces accepted, shapes checked, rules left to the API', () => {
  const ok = citizenFields({ national_id: '۰۰۱۲ ۳۴۵۶۷۹', mobile: '۰۹۱۲-۱۲۳-۴۵۶۷' });
  assert.deepEqual(ok, { national_id: '0012345679', mobile: '09121234567', problems: [] });
  assert.deepEqual(citizenFields({ national_id: '', mobile: '+989121234567' }).problems, [['national_id', 'nationalIdRequired']]);
  assert.deepEqual(citizenFields({ national_id: '123', mobile: '' }).problems,
    [['national_id', 'nationalIdShape'], ['mobile', 'mobileRequired']]);
  assert.deepEqual(citizenFields({ national_id: '0012345678', mobile: '0212345678' }).problems, [['mobile', 'mobileShape']]);
});

const VERIFIED = { session: 'opaque-token', expires: { at: '2026-11-29T12:00+03:30', jalali: '1405/09/08 12:00' },
  national_id: '*******679', mobile: '+98912*****67' };
const TYPED = { national_id: '0012345679', mobile: '09121234567' };
const EXPIRES = Date.parse('2026-11-29T12:00+03:30');

test('a session lives until its expiry less a margin, then is forgotten', () => {
  assert.equal(alive(null), false);
  assert.equal(alive({ session: 'x', expires: { at: 'nonsense' } }), false);
  assert.equal(alive(VERIFIED, EXPIRES - 60_000), true);
  assert.equal(alive(VERIFIED, EXPIRES - 5_000), false);
  citizen.save(VERIFIED, TYPED);
  const live = citizen.current(EXPIRES - 60_000);
  assert.equal(live.national_id, '0012345679'); // what was typed: bookings must carry exactly this
  assert.equal(live.masked.mobile, '+98912*****67');
  assert.deepEqual(citizen.headers(EXPIRES - 60_000), { Authorization: 'Bearer opaque-token' });
  assert.equal(citizen.current(EXPIRES + 1), null);
  assert.equal(citizen.current(EXPIRES - 60_000), null, 'an expired session is dropped, not kept for later');
  assert.deepEqual(citizen.headers(), {});
});

test('every word of the mobile check and my bookings exists in Persian and in English', () => {
  const fa = Object.keys(STRINGS.fa).sort();
  const en = Object.keys(STRINGS.en).sort();
  assert.deepEqual(fa, en);
  for (const key of ['sendCode', 'codeLabel', 'wrongCode', 'codeExpired', 'resendIn', 'mineTitle', 'lostAccessCode']) {
    assert.ok(STRINGS.fa[key], key);
  }
  assert.match(STRINGS.fa.wrongCode('۳'), /۳/);
});
