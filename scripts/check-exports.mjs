// Fails when package.json's exports map and the build entries (scripts/entries.json) drift apart, or
// when an export points at a file the build did not produce.
import { existsSync, readFileSync } from 'node:fs';

const entries = JSON.parse(readFileSync(new URL('./entries.json', import.meta.url), 'utf8'));
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const expected = { './package.json': './package.json' };
for (const entry of entries) {
  if (!entry.subpath) continue;
  const target = { types: `./dist/${entry.out}.d.ts` };
  if (entry.node) target.node = `./dist/${entry.node}.js`;
  target.default = `./dist/${entry.out}.js`;
  expected[entry.subpath] = target;
}
const problems = [];
const actual = manifest.exports ?? {};
for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
  if (JSON.stringify(actual[key]) !== JSON.stringify(expected[key])) {
    problems.push(`exports["${key}"] is ${JSON.stringify(actual[key])}, expected ${JSON.stringify(expected[key])}`);
  }
}
const checkFiles = process.argv.includes('--built');
if (checkFiles) {
  for (const target of Object.values(expected)) {
    const files = typeof target === 'string' ? [target] : Object.values(target);
    for (const file of files) if (!existsSync(new URL(`../${file}`, import.meta.url))) problems.push(`${file} is missing from the build`);
  }
}
if (problems.length > 0) {
  console.error(`Package exports drifted from scripts/entries.json:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(`exports map matches ${entries.length} build entries${checkFiles ? ' and every target exists' : ''}`);
