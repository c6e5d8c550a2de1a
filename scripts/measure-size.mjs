// Core entry size, shared by scripts/check-size.mjs (CI budget) and test/bench/size-and-import.ts.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const dependencies = ['undici', 'eventsource-parser', 'lru-cache', 'p-retry'];

/**
 * Minified + gzipped size of `dist/index.js` (the portable core entry that edge runtimes load), bundled by
 * esbuild twice: with the runtime dependencies bundled in (what a Worker or edge function ships) and with
 * them left external (the package's own code). Code behind a dynamic `import()` (loaded only when a
 * feature is used, such as the key services) is split off and not counted: only what loading the entry
 * loads. Throws when the build is missing.
 */
export async function measureCoreSize(root = resolve(import.meta.dirname, '..'), entry = 'dist/index.js') {
  const entryPath = resolve(root, entry);
  if (!existsSync(entryPath)) throw new Error(`${entry} does not exist; run \`npm run build\` first`);
  const sizes = {};
  for (const [name, external] of [['withDependencies', []], ['ownCode', dependencies]]) {
    const result = await build({
      entryPoints: [entryPath],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'neutral',
      // Edge runtimes resolve packages like a browser bundler does.
      mainFields: ['module', 'main'],
      conditions: ['worker', 'browser', 'import', 'default'],
      target: 'es2022',
      external,
      write: false,
      splitting: true,
      outdir: resolve(root, '.size-measure'),
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: root,
    });
    const outputs = result.metafile.outputs;
    // Dynamic import() targets are entry points of the split build too: pick the one that is the entry.
    const entryOutput = Object.keys(outputs).find((file) => outputs[file].entryPoint !== undefined && resolve(root, outputs[file].entryPoint) === entryPath);
    if (entryOutput === undefined) throw new Error(`no output for ${entry} in the size build`);
    const loaded = new Set();
    const visit = (file) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const imported of outputs[file].imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    };
    visit(entryOutput);
    const parts = result.outputFiles.filter((file) => [...loaded].some((path) => file.path.endsWith(path.replace(/^.*\.size-measure/, ''))));
    const code = Buffer.concat(parts.map((file) => file.contents));
    sizes[name] = { minifiedBytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
  }
  return { entry, ...sizes, version: JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).version };
}
