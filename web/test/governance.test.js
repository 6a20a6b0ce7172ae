// The association's governance pages' pure helpers: form fields to API bodies, answers to rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  byOffice, jalaliDay, parseNumber, partnerWith, policyProposal, routingChanges, tierRows, tierSummary, validPartnerId,
} from '../src/console/association/governance.js';

test('numbers in Persian or Latin digits, with either decimal separator', () => {
  assert.equal(parseNumber('۴٫۵'), 4.5);
  assert.equal(parseNumber(' 12 '), 12);
  assert.equal(parseNumber('0.25'), 0.25);
  assert.equal(parseNumber(''), null);
  assert.equal(parseNumber('12a'), null);
  assert.equal(parseNumber('1e3'), null);
});

test('a Jalali day from three fields, checked against the month lengths', () => {
  assert.equal(jalaliDay('۱۴۰۵', '۹', '۱۰'), '1405-09-10');
  assert.equal(jalaliDay('1405', '6', '31'), '1405-06-31');
  assert.equal(jalaliDay('1405', '7', '31'), null); // the second half-year has 30-day months
  assert.equal(jalaliDay('1405', '13', '1'), null);
  assert.equal(jalaliDay('', '9', '10'), null);
});

test('routing changes carry only what differs, and name what is not a number', () => {
  const current = { version: 'routing-v2', quality_weight_min: 4, travel_min_per_km: 0.5, suggestions: 3 };
  assert.deepEqual(routingChanges(current, { quality_weight_min: '۶', travel_min_per_km: '0.5', suggestions: '3' }),
    { changes: { quality_weight_min: 6 }, errors: [] });
  assert.deepEqual(routingChanges(current, { quality_weight_min: 'x', travel_min_per_km: '-1', version: 'v9' }),
    { changes: {}, errors: ['quality_weight_min', 'travel_min_per_km'] });
});

const POLICY = { cut_points: [40, 55, 70, 85], base_share: '0.1', hysteresis_margin: 2, confirm_periods: 2,
  weights: { accuracy: 0.5, timeliness_remote: 0.5 } };
const SAME = { cut_points: ['40', '55', '70', '85'], base_share_percent: '10', hysteresis_margin: '2',
  confirm_periods: '2', weights: { accuracy: '0.5', timeliness_remote: '0.5' } };

test('a policy proposal leaves out what is as in force', () => {
  assert.deepEqual(policyProposal(POLICY, SAME), { body: {}, errors: [] });
  const changed = { ...SAME, cut_points: ['45', '55', '70', '۹۰'], base_share_percent: '12', confirm_periods: '1',
    weights: { accuracy: '0.6', timeliness_remote: '0.4' } };
  assert.deepEqual(policyProposal(POLICY, changed), { errors: [], body: {
    cut_points: [45, 55, 70, 90], base_share: '0.12', confirm_periods: 1,
    weights: { accuracy: 0.6, timeliness_remote: 0.4 } } });
  const bad = { ...SAME, cut_points: ['a', '55', '70', '85'], base_share_percent: '120', confirm_periods: '0',
    weights: { accuracy: '-1', timeliness_remote: '0.5' } };
  assert.deepEqual(policyProposal(POLICY, bad).errors,
    ['cut_points', 'base_share_percent', 'confirm_periods', 'weight-accuracy']);
});

test('the side-by-side tiers: moved offices first, largest moves first, then by id', () => {
  const offices = [
    { office_id: 'OF-C', current_tier: 3, proposed_tier: 3 },
    { office_id: 'OF-B', current_tier: 4, proposed_tier: 3 },
    { office_id: 'OF-A', current_tier: 3, proposed_tier: 3 },
    { office_id: 'OF-D', current_tier: 1, proposed_tier: 3 },
  ];
  assert.deepEqual(tierRows(offices).map((o) => [o.office_id, o.direction]),
    [['OF-D', 1], ['OF-B', -1], ['OF-A', 0], ['OF-C', 0]]);
  assert.deepEqual(tierSummary(offices), { up: 1, down: 1, same: 2 });
});

test('a closure preview grouped by office in the order listed', () => {
  const items = [{ booking_id: 'b1', office_id: 'OF-B' }, { booking_id: 'b2', office_id: 'OF-A' },
    { booking_id: 'b3', office_id: 'OF-B' }];
  assert.deepEqual(byOffice(items).map((g) => [g.office_id, g.bookings.map((b) => b.booking_id)]),
    [['OF-B', ['b1', 'b3']], ['OF-A', ['b2']]]);
});

test('partner ids and the retiring body', () => {
  assert.ok(validPartnerId('consulate-berlin'));
  assert.ok(!validPartnerId('consulate.berlin'));
  assert.ok(!validPartnerId(''));
  const p = { partner_id: 'x', name: 'X', kind: 'consulate', callback_url: null, quota_per_minute: 30, active: true,
    secrets: [] };
  assert.deepEqual(partnerWith(p, false),
    { name: 'X', kind: 'consulate', callback_url: null, quota_per_minute: 30, active: false });
});
