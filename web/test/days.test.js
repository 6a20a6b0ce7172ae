// Pure helpers of the citizen app, on Node's own test runner (no browser): the Jalali dates the
// browser computes, the booking window's calendar, "open now / opens at", the .ics file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDays, calendarMonths, openingState, weeks } from '../src/days.js';
import { instantIn, jalaliOf, weekdayIndex } from '../src/format.js';
import { bookingIcs } from '../src/ics.js';

const HOURS = { sat: [['08:00', '12:00']], sun: [['08:00', '12:00']], mon: [['08:00', '12:00']],
  tue: [['08:00', '12:00']], wed: [['08:00', '12:00'], ['16:00', '18:00']], thu: [['08:00', '10:00']] };

test('Jalali dates by the browser calendar match the known anchors', () => {
  assert.deepEqual(jalaliOf('2026-11-22'), { y: 1405, m: 9, d: 1 }); // 1 Azar 1405
  assert.deepEqual(jalaliOf('2026-03-21'), { y: 1405, m: 1, d: 1 }); // Nowruz
  assert.deepEqual(jalaliOf('2027-03-20'), { y: 1405, m: 12, d: 29 });
  assert.equal(weekdayIndex('2026-11-21'), 0); // a Saturday
  assert.equal(weekdayIndex('2026-11-27'), 6); // a Friday
});

test('the window runs from tomorrow for 30 days, Fridays, holidays and closures closed', () => {
  const office = { hours: HOURS, closures: [{ date: '2026-11-25', jalali: '1405/09/04' }] };
  const holidays = [{ date: '2026-11-24', jalali: '1405/09/03', name_fa: 'تعطیل آزمایشی', name_en: 'Test holiday' }];
  const months = calendarMonths(office, holidays, '2026-11-22');
  const days = months.flatMap((m) => m.days);
  assert.equal(days.length, 30);
  assert.equal(days[0].iso, '2026-11-23');
  assert.equal(days.at(-1).iso, addDays('2026-11-22', 30));
  const byIso = Object.fromEntries(days.map((d) => [d.iso, d]));
  assert.equal(byIso['2026-11-23'].open, true);
  assert.equal(byIso['2026-11-24'].open, false);
  assert.equal(byIso['2026-11-24'].holidays[0].name_fa, 'تعطیل آزمایشی');
  assert.equal(byIso['2026-11-25'].open, false);
  assert.equal(byIso['2026-11-25'].closure, true);
  assert.equal(byIso['2026-11-27'].open, false); // Friday
  assert.deepEqual(months.map((m) => m.m), [9, 10]); // Azar, then Dey
});

test('weeks start on Saturday and are padded to seven cells', () => {
  const months = calendarMonths({ hours: HOURS }, [], '2026-11-22');
  const first = weeks(months[0]);
  assert.equal(first[0].indexOf(first[0].find(Boolean)), weekdayIndex('2026-11-23'));
  assert.ok(first.every((w) => w.length === 7));
});

test('open now, or when the office opens next', () => {
  const office = { hours: HOURS, closures: [] };
  const none = new Set();
  // Sunday 2026-11-22
  assert.deepEqual(openingState(office, none, '2026-11-22', '09:15'), { open: true, until: '12:00' });
  assert.deepEqual(openingState(office, none, '2026-11-22', '07:00'), { open: false, day: 0, iso: '2026-11-22', at: '08:00' });
  assert.deepEqual(openingState(office, none, '2026-11-22', '12:00'), { open: false, day: 1, iso: '2026-11-23', at: '08:00' });
  // Wednesday afternoon: the second interval the same day
  assert.deepEqual(openingState(office, none, '2026-11-25', '13:00'), { open: false, day: 0, iso: '2026-11-25', at: '16:00' });
  // Thursday after its short hours: Friday is closed, so Saturday
  assert.deepEqual(openingState(office, none, '2026-11-26', '11:00'), { open: false, day: 2, iso: '2026-11-28', at: '08:00' });
  // A holiday on Saturday pushes it to Sunday
  assert.deepEqual(openingState(office, new Set(['2026-11-28']), '2026-11-26', '11:00'),
    { open: false, day: 3, iso: '2026-11-29', at: '08:00' });
});

test('the .ics event starts at the booking instant in UTC and lasts the service', () => {
  const ics = bookingIcs({
    booking_id: 'BK7K3M9QX2PLRT', start: { at: '2026-12-01T09:30+03:30', jalali: '1405/09/10 09:30' },
    office: { name_fa: 'دفتر ۱' }, service: { name_fa: 'ثبت دادخواست' },
  }, 20);
  assert.match(ics, /\r\nDTSTART:20261201T060000Z\r\n/);
  assert.match(ics, /\r\nDTEND:20261201T062000Z\r\n/);
  assert.match(ics, /\r\nUID:BK7K3M9QX2PLRT@ejso\r\n/);
  assert.ok(ics.startsWith('BEGIN:VCALENDAR\r\n') && ics.endsWith('END:VCALENDAR\r\n'));
});

test('a citizen abroad sees their own clock with two-digit hours, also just after midnight', () => {
  // 23:08 UTC is 00:08 the next day in Berlin (winter): the hour keeps its leading zero.
  assert.match(instantIn('2026-11-29T23:08:00Z', 'Europe/Berlin'), /۹ آذر ۱۴۰۵.*۰۰:۰۸/);
  assert.match(instantIn('2026-11-29T08:30:00Z', 'Asia/Tehran'), /۸ آذر ۱۴۰۵.*۱۲:۰۰/);
});
