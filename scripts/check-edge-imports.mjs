#!/usr/bin/env node
// Fails (exit 1) when a file under src/ outside src/node/ imports a Node built-in (`node:*` or a bare
// built-in name such as `fs`) or undici — statically, dynamically, by require(), or type-only. The core
// must run on web standards alone (Deno, Bun, Cloudflare Workers, Vercel Edge). Usage:
//   node scripts/check-edge-imports.mjs [sourceDirectory]
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const sourceDirectory = resolve(process.argv[2] ?? join(root, 'src'));
const allowedDirectory = join(sourceDirectory, 'node') + sep;
const builtins = new Set(builtinModules.filter((name) => !name.startsWith('_')));

// import … from 'x' | export … from 'x' | import 'x' | import('x') | require('x') | import x = require('x')
const specifierPatterns = [
  /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

function forbidden(specifier) {
  if (specifier.startsWith('node:')) return true;
  if (specifier === 'undici' || specifier.startsWith('undici/')) return true;
  return builtins.has(specifier.split('/')[0]);
}

function* sourceFiles(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(?:[cm]?[jt]sx?)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** Line comments and block comments removed, strings kept (specifiers live in strings). */
function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const violations = [];
let checked = 0;
for (const file of sourceFiles(sourceDirectory)) {
  if (file.startsWith(allowedDirectory)) continue;
  checked++;
  const text = withoutComments(readFileSync(file, 'utf8'));
  for (const pattern of specifierPatterns) {
    for (const match of text.matchAll(pattern)) {
      if (!forbidden(match[1])) continue;
      const line = text.slice(0, match.index).split('\n').length;
      violations.push(`${relative(root, file)}:${line}: imports '${match[1]}'`);
    }
  }
}

if (violations.length > 0) {
  console.error(`check-edge-imports: ${violations.length} import(s) of Node built-ins or undici outside src/node/:`);
  for (const violation of violations) console.error(`  ${violation}`);
  console.error('Move Node-only code to src/node/ (or use web standards: fetch, crypto.subtle, ReadableStream, TextDecoder).');
  process.exit(1);
}
console.log(`check-edge-imports: ${checked} files outside src/node/ import no Node built-in and no undici.`);
