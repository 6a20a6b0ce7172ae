// The consoles' chart geometry (web/src/chart-scale.js) on Node's own test runner: scales, nice
// ticks, line and step paths, bars, and the mirroring of the time axis for a right-to-left page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bandCentres, barLayout, linePath, linearScale, niceTicks, stepPath, thinLabels, valueDomain, xRange }
  from '../src/chart-scale.js';

test('a linear scale maps the ends of the domain to the ends of the range, reversed ranges too', () => {
  const y = linearScale([0, 10], [200, 0]); // SVG y grows downwards: 0 at the bottom
  assert.equal(y(0), 200);
  assert.equal(y(10), 0);
  assert.equal(y(2.5), 150);
  assert.equal(linearScale([3, 3], [0, 100])(3), 50); // a flat series sits in the middle
});

test('the time axis runs right to left in a right-to-left page', () => {
  const [r0, r1] = xRange(40, 540, true);
  const x = linearScale([0, 4], [r0, r1]);
  assert.equal(x(0), 540); // the first month is at the right, where a Persian reader starts
  assert.equal(x(4), 40);
  assert.deepEqual(xRange(40, 540, false), [40, 540]);
  assert.deepEqual(bandCentres(2, 0, 100, false), [25, 75]);
  assert.deepEqual(bandCentres(2, 0, 100, true), [75, 25]);
});

test('nice ticks are round steps that cover the data', () => {
  assert.deepEqual(niceTicks(0, 10, 6), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0, 7, 5), [0, 2, 4, 6, 8]);
  assert.deepEqual(niceTicks(0, 0.9, 4), [0, 0.5, 1]);
  assert.deepEqual(niceTicks(0, 3, 6, { integer: true }), [0, 1, 2, 3]); // no half a request
  assert.deepEqual(niceTicks(5, 5), [5]);
  for (const [lo, hi] of [[0, 13], [0, 1234], [2, 97], [0, 0.07]]) {
    const ticks = niceTicks(lo, hi);
    assert.ok(ticks[0] <= lo && ticks.at(-1) >= hi, `${ticks} covers ${lo}..${hi}`);
    assert.ok(ticks.length >= 2 && ticks.length <= 8, `${ticks} is a handful`);
  }
});

test('the value domain starts at zero and ends on a tick above the maximum', () => {
  assert.deepEqual(valueDomain([3, 7, 12]).domain, [0, 15]);
  assert.deepEqual(valueDomain([]).domain, [0, 1]);
  assert.deepEqual(valueDomain([0, 0], { integer: true }).ticks, [0, 1]); // an empty queue still has an axis
  assert.deepEqual(valueDomain([null, 4, undefined]).domain, [0, 4]);
});

test('a line breaks at missing values; a step holds each value until the next point', () => {
  assert.equal(linePath([{ x: 0, y: 10 }, { x: 5, y: 20 }, { x: 10, y: null }, { x: 15, y: 5 }]),
    'M0 10 L5 20 M15 5');
  assert.equal(stepPath([{ x: 0, y: 40 }, { x: 10, y: 20 }, { x: 20, y: 20 }], 30),
    'M0 40 H10 V20 H20 V20 H30');
  // Right to left: x decreases and the step still goes horizontally first.
  assert.equal(stepPath([{ x: 100, y: 40 }, { x: 50, y: 10 }]), 'M100 40 H50 V10');
});

test('bars stand on zero, as tall as their value, in reading order', () => {
  const bars = barLayout([0, 5, 10], { left: 0, right: 300, top: 0, bottom: 100, domain: [0, 10], gap: 0.2 });
  assert.deepEqual(bars.map((b) => b.height), [0, 50, 100]);
  assert.deepEqual(bars.map((b) => b.y + b.height), [100, 100, 100]);
  assert.deepEqual(bars.map((b) => b.width), [80, 80, 80]);
  assert.deepEqual(bars.map((b) => b.cx), [50, 150, 250]);
  const mirrored = barLayout([0, 5, 10], { left: 0, right: 300, top: 0, bottom: 100, domain: [0, 10], rtl: true });
  assert.deepEqual(mirrored.map((b) => b.cx), [250, 150, 50]);
});

test('a crowded axis prints about eight labels, always the first and the last', () => {
  assert.deepEqual(thinLabels(5), [0, 1, 2, 3, 4]);
  const keep = thinLabels(96, 8);
  assert.equal(keep[0], 0);
  assert.equal(keep.at(-1), 95);
  assert.ok(keep.length <= 8);
  assert.deepEqual(keep, [...keep].sort((a, b) => a - b));
});
