// Prints the gzipped size of the citizen app's JavaScript in dist/ and fails above the budget.
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 150;
const dir = new URL('../dist/assets/', import.meta.url);
let raw = 0;
let gz = 0;
for (const name of readdirSync(dir)) {
  if (!name.endsWith('.js')) continue;
  const data = readFileSync(new URL(name, dir));
  raw += data.length;
  gz += gzipSync(data, { level: 9 }).length;
}
const kb = (n) => (n / 1024).toFixed(1);
console.log(`citizen JS: ${kb(raw)} KB, ${kb(gz)} KB gzipped (budget ${BUDGET_KB} KB gzipped)`);
if (gz > BUDGET_KB * 1024) {
  console.error('over the JavaScript budget');
  process.exit(1);
}
