// Core entry size, shared by scripts/check-size.mjs (CI budget) and test/bench/size-and-import.ts.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const dependencies = ['undici', 'zod', 'eventsource-parser', 'lru-cache', 'p-retry'];

/**
 * Minified + gzipped size of `dist/index.js` (the portable core entry that edge runtimes load), bundled by
 * esbuild twice: with the runtime dependencies bundled in (what a Worker or edge function ships) and with
 * them left external (the package's own code). Throws when the build is missing.
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
      logLevel: 'silent',
      absWorkingDir: root,
    });
    const code = result.outputFiles[0].contents;
    sizes[name] = { minifiedBytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
  }
  return { entry, ...sizes, version: JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).version };
}
