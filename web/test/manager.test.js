import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cancelledByClosure, intervalsText, monthOf, monthsBack, parseDuration, parseIntervals, parseWeek, tierPoints,
} from '../src/console/manager/model.js';

test('typed hours become intervals, with Persian digits, commas and dashes', () => {
  assert.deepEqual(parseIntervals('۰۸:۰۰–۱۳:۰۰، 16:00-19:30'), { intervals: [['08:00', '13:00'], ['16:00', '19:30']] });
  assert.deepEqual(parseIntervals('8:00-12:00'), { intervals: [['08:00', '12:00']] });
  assert.deepEqual(parseIntervals('  '), { intervals: [] });
  assert.equal(intervalsText([['08:00', '13:00'], ['16:00', '19:00']]), '08:00-13:00, 16:00-19:00');
  assert.deepEqual(parseIntervals(intervalsText([['08:00', '13:00']])), { intervals: [['08:00', '13:00']] });
});

test('bad hours say why', () => {
  assert.deepEqual(parseIntervals('8-12'), { error: 'format' });
  assert.deepEqual(parseIntervals('25:00-26:00'), { error: 'format' });
  assert.deepEqual(parseIntervals('13:00-08:00'), { error: 'order' });
  assert.deepEqual(parseIntervals('08:00-13:00, 12:00-14:00'), { error: 'order' });
  assert.deepEqual(parseIntervals('08:00-09:00,10:00-11:00,12:00-13:00,14:00-15:00,16:00-17:00'), { error: 'many' });
});

test('a week leaves closed days out and names each bad day', () => {
  assert.deepEqual(parseWeek({ sat: '08:00-13:00', sun: '', thu: '08:00-12:00' }),
    { hours: { sat: [['08:00', '13:00']], thu: [['08:00', '12:00']] } });
  assert.deepEqual(parseWeek({ sat: 'x', mon: '10:00-09:00' }), { errors: { sat: 'format', mon: 'order' } });
});

test('an own duration is blank (the standard) or whole minutes within the bounds', () => {
  assert.deepEqual(parseDuration('', 10, 40), { value: null });
  assert.deepEqual(parseDuration('۲۵', 10, 40), { value: 25 });
  assert.deepEqual(parseDuration('40', 10, 40), { value: 40 });
  assert.deepEqual(parseDuration('41', 10, 40), { error: 'bounds' });
  assert.deepEqual(parseDuration('9', 10, 40), { error: 'bounds' });
  assert.deepEqual(parseDuration('12.5', 10, 40), { error: 'number' });
});

test('tier history runs oldest first on the chart', () => {
  const history = [{ month: '1405-08', tier: 4 }, { month: '1405-07', tier: 3 }];
  assert.deepEqual(tierPoints(history, (h) => h.month),
    [{ label: '1405-07', value: 3 }, { label: '1405-08', value: 4 }]);
  assert.deepEqual(tierPoints(undefined, String), []);
});

test('Jalali months for statements', () => {
  assert.equal(monthOf('2026-11-30'), '1405-09');
  assert.equal(monthOf('2026-03-21'), '1405-01');
  assert.deepEqual(monthsBack('1405-02', 3), ['1405-02', '1405-01', '1404-12']);
});

test('a closure cancels only the bookings not yet checked in', () => {
  assert.equal(cancelledByClosure({ items: [{ status: 'BOOKED' }, { status: 'CHECKED_IN' }, { status: 'BOOKED' },
    { status: 'CANCELLED' }] }), 2);
  assert.equal(cancelledByClosure(null), 0);
});
