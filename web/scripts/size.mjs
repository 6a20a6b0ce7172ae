// Prints the gzipped size of the web app's JavaScript in dist/: the citizen app (the entry chunk
// every visitor downloads) against its budget, and the staff consoles' chunks (fetched only when a
// /console page opens) for the record. Fails when the citizen app is over its budget.
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 150;
const dir = new URL('../dist/assets/', import.meta.url);
const size = { citizen: { raw: 0, gz: 0 }, consoles: { raw: 0, gz: 0 } };
for (const name of readdirSync(dir)) {
  if (!name.endsWith('.js')) continue;
  const data = readFileSync(new URL(name, dir));
  const part = name.startsWith('index-') ? size.citizen : size.consoles;
  part.raw += data.length;
  part.gz += gzipSync(data, { level: 9 }).length;
}
const kb = (n) => (n / 1024).toFixed(1);
console.log(`citizen JS: ${kb(size.citizen.raw)} KB, ${kb(size.citizen.gz)} KB gzipped (budget ${BUDGET_KB} KB gzipped)`);
console.log(`staff consoles' JS (loaded on /console only): ${kb(size.consoles.raw)} KB, ${kb(size.consoles.gz)} KB gzipped`);
if (size.citizen.gz > BUDGET_KB * 1024) {
  console.error('over the JavaScript budget');
  process.exit(1);
}
