#!/usr/bin/env node
// Prints bench-results.json as a markdown table (for docs/benchmarks.md and the README):
//   node scripts/bench-table.mjs [bench-results.json]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const path = resolve(process.argv[2] ?? resolve(import.meta.dirname, '../bench-results.json'));
const results = JSON.parse(readFileSync(path, 'utf8'));
const number = (value) => (value === null ? '—' : Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : String(Number(value.toPrecision(4))));
const cell = (text) => String(text).replaceAll('|', '\\|');
console.log('| metric | value | baseline | ratio | target | meets |');
console.log('|---|---|---|---|---|---|');
for (const result of results) {
  const value = result.value === null ? `not measured: ${result.note.replace(/^not measured: /, '')}` : `${number(result.value)} ${result.unit}`;
  const baseline = result.baseline === null ? '' : `${number(result.baseline)} ${result.unit}`;
  const meets = result.meetsTarget === null ? '' : result.meetsTarget ? 'yes' : '**no**';
  console.log(`| ${cell(result.name)} | ${cell(value)} | ${cell(baseline)} | ${result.ratio === null ? '' : number(result.ratio)} | ${cell(result.target ?? '')} | ${meets} |`);
}
