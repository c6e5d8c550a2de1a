import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { measured, median, notMeasured, round, type BenchContext, type BenchResult } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface CoreSize {
  withDependencies: { minifiedBytes: number; gzipBytes: number };
  ownCode: { minifiedBytes: number; gzipBytes: number };
}

function newestModification(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Milliseconds a fresh node process spends in `await import(entry)`, median of `runs` processes. */
function coldImportMilliseconds(entry: string, runs: number): number {
  const url = pathToFileURL(join(root, entry)).href;
  const script = `const t = performance.now(); await import(${JSON.stringify(url)}); process.stdout.write(String(performance.now() - t));`;
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`importing ${entry} failed: ${child.stderr}`);
    samples.push(Number(child.stdout));
  }
  return median(samples);
}

/** Core entry min+gzip (esbuild bundle of dist/index.js) and cold import time of the built entries. */
export async function runSizeAndImport(context: BenchContext): Promise<BenchResult[]> {
  if (!existsSync(join(root, 'dist/index.js'))) {
    return [
      notMeasured('core entry min+gzip size', 'kB', '<= 40 kB', 'dist/index.js is missing; run `npm run build` first'),
      notMeasured('cold import time', 'ms', '<= 15 ms', 'dist/index.js is missing; run `npm run build` first'),
    ];
  }
  const stale = newestModification(join(root, 'src')) > statSync(join(root, 'dist/index.js')).mtimeMs;
  const staleNote = stale ? ' WARNING: dist/ is older than src/ — run `npm run build` for current figures.' : '';
  const { measureCoreSize } = (await import(pathToFileURL(join(root, 'scripts/measure-size.mjs')).href)) as {
    measureCoreSize(root: string): Promise<CoreSize>;
  };
  const size = await measureCoreSize(root);
  const runs = context.quick ? 5 : 15;
  const portableImport = coldImportMilliseconds('dist/index.js', runs);
  const nodeImport = coldImportMilliseconds('dist/node-entry.js', runs);
  const kilobytes = (bytes: number) => round(bytes / 1000, 2);
  return [
    measured({
      name: 'core entry min+gzip size (dependencies bundled)', value: kilobytes(size.withDependencies.gzipBytes), unit: 'kB', target: '<= 40 kB',
      meets: (value) => value <= 40,
      note: `esbuild --bundle --minify of dist/index.js, gzip -9; ${kilobytes(size.withDependencies.minifiedBytes)} kB minified.${staleNote}`,
    }),
    measured({
      name: 'core entry min+gzip size (own code, dependencies external)', value: kilobytes(size.ownCode.gzipBytes), unit: 'kB',
      target: '<= 40 kB', meets: (value) => value <= 40,
      note: `same bundle with undici, zod, eventsource-parser, lru-cache, p-retry external; ${kilobytes(size.ownCode.minifiedBytes)} kB minified`,
    }),
    measured({
      name: 'cold import time, dist/index.js', value: portableImport, unit: 'ms', target: '<= 15 ms', meets: (value) => value <= 15,
      note: `await import() in a fresh node process, median of ${runs} processes (node start-up itself excluded)${staleNote}`,
    }),
    measured({
      name: 'cold import time, dist/node-entry.js (what Node loads)', value: nodeImport, unit: 'ms', target: '<= 15 ms', meets: (value) => value <= 15,
      note: `the "node" export condition: the same API plus the pooled undici transport; median of ${runs} processes`,
    }),
  ];
}
