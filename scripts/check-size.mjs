#!/usr/bin/env node
// CI size budget of the core entry: esbuild --bundle --minify of dist/index.js, gzip -9, checked against
// scripts/size-budget.json. Needs the build: `npm run build && node scripts/check-size.mjs [--dist=dist]`.
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { measureCoreSize } from './measure-size.mjs';

const root = resolve(import.meta.dirname, '..');
const distOption = process.argv.find((argument) => argument.startsWith('--dist='))?.split('=')[1];
const entry = relative(root, resolve(root, distOption ?? 'dist', 'index.js'));
const budget = JSON.parse(readFileSync(join(import.meta.dirname, 'size-budget.json'), 'utf8'));

let size;
try {
  size = await measureCoreSize(root, entry);
} catch (error) {
  console.error(`check-size: ${error.message}`);
  process.exit(1);
}
const kilobytes = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
const rows = [
  ['own code (dependencies external)', size.ownCode.gzipBytes, budget.ownCodeGzipBytes],
  ['with dependencies bundled', size.withDependencies.gzipBytes, budget.withDependenciesGzipBytes],
];
let failed = false;
for (const [name, actual, limit] of rows) {
  const over = actual > limit;
  failed ||= over;
  console.log(`${over ? 'OVER' : 'ok  '} ${entry} min+gzip, ${name}: ${kilobytes(actual)} (budget ${kilobytes(limit)})`);
}
if (failed) {
  console.error('check-size: the core entry is over its budget (scripts/size-budget.json). Find what grew with esbuild --metafile.');
  process.exit(1);
}
