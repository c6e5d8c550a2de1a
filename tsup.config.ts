import { defineConfig } from 'tsup';
import entries from './scripts/entries.json' with { type: 'json' };

// scripts/entries.json is the one list of public entry points; scripts/check-exports.mjs fails CI when
// package.json's exports map drifts from it.
export default defineConfig({
  entry: Object.fromEntries(entries.map((entry: { out: string; source: string }) => [entry.out, entry.source])),
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['undici', 'eventsource-parser', 'lru-cache', 'p-retry'],
});
