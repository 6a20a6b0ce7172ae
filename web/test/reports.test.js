// The association's reports, pure helpers: the ranking filters, the months of a statement, the
// statement CSV's total line, the schematic map of provinces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketSamples, csvTotal, filterChoices, filterRanking, monthOf, provinceMap, recentMonths, tierCounts }
  from '../src/console/association/reports.js';

const ROWS = [
  { office_id: 'OF-THR-1', province: 'Tehran', province_fa: 'تهران', city: 'Tehran', city_fa: 'تهران', tier: 5, deprived: false },
  { office_id: 'OF-THR-2', province: 'Tehran', province_fa: 'تهران', city: 'Shahriar', city_fa: 'شهریار', tier: 3, deprived: true },
  { office_id: 'OF-KRJ-1', province: 'Alborz', province_fa: 'البرز', city: 'Karaj', city_fa: 'کرج', tier: 3, deprived: false },
];
const ids = (rows) => rows.map((r) => r.office_id);

test('the ranking filters combine, an empty filter passes everything', () => {
  assert.deepEqual(ids(filterRanking(ROWS, {})), ['OF-THR-1', 'OF-THR-2', 'OF-KRJ-1']);
  assert.deepEqual(ids(filterRanking(ROWS, { province: 'Tehran' })), ['OF-THR-1', 'OF-THR-2']);
  assert.deepEqual(ids(filterRanking(ROWS, { tier: '3' })), ['OF-THR-2', 'OF-KRJ-1']);
  assert.deepEqual(ids(filterRanking(ROWS, { tier: '3', deprived: 'no' })), ['OF-KRJ-1']);
  assert.deepEqual(ids(filterRanking(ROWS, { deprived: 'yes' })), ['OF-THR-2']);
  assert.deepEqual(ids(filterRanking(ROWS, { province: 'Tehran', city: 'Karaj' })), []);
  assert.deepEqual(tierCounts(filterRanking(ROWS, { province: 'Tehran' })), { 5: 1, 4: 0, 3: 1, 2: 0, 1: 0 });
});

test('the filter choices come from the rows; cities narrow to the chosen province', () => {
  const all = filterChoices(ROWS, '');
  assert.deepEqual(all.provinces.map((p) => p.value), ['Alborz', 'Tehran']);
  assert.deepEqual(all.cities.map((c) => c.value), ['Karaj', 'Shahriar', 'Tehran']);
  assert.deepEqual(filterChoices(ROWS, 'Tehran').cities.map((c) => c.fa), ['شهریار', 'تهران']);
});

test('months are named as the API names them, newest first across the new year', () => {
  assert.equal(monthOf('2026-11-30'), '1405-09'); // 9 Azar 1405
  assert.equal(monthOf('2026-03-21'), '1405-01');
  assert.deepEqual(recentMonths('1405-02', 4), ['1405-02', '1405-01', '1404-12', '1404-11']);
});

test('the statement CSV total line is read by its columns', () => {
  const csv = 'office_id,province,tier,share_percent,services,government_rials,office_rials,share_base_rials,levy_rials\r\n'
    + 'OF-THR-1,Tehran,3,10.0,2,100,200,300,30\r\n'
    + 'TOTAL,,,,2,100,200,300,30\r\n';
  assert.deepEqual(csvTotal(csv), { province: null, tier: null, share_percent: null, services: 2,
    government_rials: 100, office_rials: 200, share_base_rials: 300, levy_rials: 30 });
  assert.equal(csvTotal('office_id\r\n'), null);
});

test('the map puts provinces at their capitals, north up and east right, areas by value', () => {
  const provinces = [
    { province: 'Tehran', capital_lat: 35.69, capital_lon: 51.39, n: 100 },
    { province: 'Fars', capital_lat: 29.59, capital_lon: 52.58, n: 25 },
    { province: 'Razavi Khorasan', capital_lat: 36.26, capital_lon: 59.62, n: 0 },
    { province: 'Nowhere', capital_lat: null, capital_lon: null, n: 9 },
  ];
  const dots = provinceMap(provinces, (p) => p.n, { width: 500, height: 400, pad: 20, maxRadius: 20, minRadius: 2 });
  const by = Object.fromEntries(dots.map((d) => [d.item.province, d]));
  assert.equal(dots.length, 3); // a province without coordinates is not guessed
  assert.ok(by.Fars.y > by.Tehran.y, 'Shiraz is south of Tehran: lower on the map');
  assert.ok(by['Razavi Khorasan'].x > by.Tehran.x, 'Mashhad is east of Tehran: to the right');
  assert.equal(by.Tehran.r, 20);
  assert.equal(by.Fars.r, 10); // a quarter of the value, a quarter of the area
  assert.equal(by['Razavi Khorasan'].r, 2);
  for (const d of dots) assert.ok(d.x >= 20 && d.x <= 480 && d.y >= 20 && d.y <= 380, 'inside the frame');
});

test('the queue samples are bucketed by their peak, in time order', () => {
  const s = (hm, length) => ({ at: `2026-11-30T${hm}+03:30`, length });
  assert.deepEqual(bucketSamples([s('09:12', 4), s('09:01', 2), s('09:09', 7), s('09:10', 1), s('10:00', 0)], 10),
    [{ time: '09:00', value: 7 }, { time: '09:10', value: 4 }, { time: '10:00', value: 0 }]);
  assert.deepEqual(bucketSamples([]), []);
});

test('every word the report pages and charts use exists in Persian and in English', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const { STRINGS } = await import('../src/strings.js');
  await import('../src/console/strings.js'); // the consoles' words, merged into STRINGS
  const dir = new URL('../src/console/association/', import.meta.url);
  const sources = [...readdirSync(dir).filter((f) => f.endsWith('.jsx')).map((f) => readFileSync(new URL(f, dir), 'utf8')),
    readFileSync(new URL('../src/components/charts.jsx', import.meta.url), 'utf8')];
  const keys = new Set(sources.flatMap((src) => [...src.matchAll(/'((?:assoc|chart)[A-Z][A-Za-z0-9]*)'/g)].map((m) => m[1])));
  assert.ok(keys.size > 50);
  for (const key of keys) {
    assert.ok(key in STRINGS.fa, `fa ${key}`);
    assert.ok(key in STRINGS.en, `en ${key}`);
  }
});
