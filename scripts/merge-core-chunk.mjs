#!/usr/bin/env node
// Post-build step of `npm run build` (after tsup): re-chunks dist/*.js with Rollup so that everything the
// core entry (dist/index.js) imports statically is one chunk.
//
// Why: esbuild's code splitting makes one chunk per distinct set of entry points (17 public entries plus
// every dynamic import()) that reach a piece of code, and gives no control over it; the core entry ended
// up importing 27 chunks. Node's ESM loader pays per module (resolve, stat, async read, compile, link,
// all level by level down the import graph), and that, not the amount of code or its top-level work,
// was most of the cold import time: the same code as 2 modules imports in about a third of the time.
// Rollup's manualChunks gives that control. Entry file names stay as they are; code behind dynamic
// import() stays in its own chunks; the .d.ts files are tsup's and are not touched.
//
// The cost: a subpath entry that shares any of the core code (./vault, ./cache, ./testing, ...) now loads
// the whole core chunk instead of a few small ones; an application that also imports the package root
// (nearly all do) loads it once either way.
import { readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { rollup } from 'rollup';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const entries = JSON.parse(readFileSync(join(import.meta.dirname, 'entries.json'), 'utf8'));
const coreEntry = join(dist, 'index.js');
if (!existsSync(coreEntry)) {
  console.error('merge-core-chunk: dist/index.js is missing; run tsup first');
  process.exit(1);
}

const javascriptFiles = (directory) =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return javascriptFiles(path);
    return entry.name.endsWith('.js') || entry.name.endsWith('.js.map') ? [path] : [];
  });

const bundle = await rollup({
  input: Object.fromEntries(entries.map((entry) => [entry.out, join(dist, `${entry.out}.js`)])),
  // Package imports (undici, p-retry, ...) stay imports, as tsup left them.
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  // tsup already tree-shook; keep what it emitted.
  treeshake: false,
  preserveEntrySignatures: 'strict',
  plugins: [
    {
      name: 'esbuild-source-maps',
      // Rollup chains the maps it is given, so the output's maps still point into src/.
      load(id) {
        const map = `${id}.map`;
        return existsSync(map) ? { code: readFileSync(id, 'utf8'), map: readFileSync(map, 'utf8') } : null;
      },
    },
  ],
  onwarn(warning, warn) {
    if (warning.code === 'SOURCEMAP_BROKEN') throw new Error(warning.message);
    warn(warning);
  },
});

let coreModules;
/** The modules dist/index.js loads through static imports (not itself: it stays the entry file). */
function staticallyImportedByCore(getModuleInfo) {
  if (coreModules) return coreModules;
  coreModules = new Set();
  const visit = (id) => {
    for (const imported of getModuleInfo(id)?.importedIds ?? []) {
      if (coreModules.has(imported) || getModuleInfo(imported)?.isExternal) continue;
      coreModules.add(imported);
      visit(imported);
    }
  };
  visit(coreEntry);
  return coreModules;
}

const { output } = await bundle.generate({
  dir: dist,
  format: 'es',
  entryFileNames: '[name].js',
  chunkFileNames: 'chunk-[hash].js',
  sourcemap: true,
  manualChunks(id, { getModuleInfo }) {
    return staticallyImportedByCore(getModuleInfo).has(id) ? 'core' : undefined;
  },
});
await bundle.close();

for (const file of javascriptFiles(dist)) rmSync(file);
for (const file of output) {
  const path = join(dist, file.fileName);
  mkdirSync(dirname(path), { recursive: true });
  // The maps come as assets; the chunks' code already ends in its sourceMappingURL comment.
  writeFileSync(path, file.type === 'asset' ? file.source : file.code);
}
const core = output.find((file) => file.type === 'chunk' && file.name === 'core');
console.log(`merge-core-chunk: ${output.filter((file) => file.type === 'chunk').length} files; the core chunk is ${core?.fileName} (${core?.code.length} characters)`);
