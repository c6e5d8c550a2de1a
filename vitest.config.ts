import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = fileURLToPath(new URL('./src/', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import the package by name, as users do, but against the sources (tsconfig.json maps the same).
    alias: [
      { find: /^llm-switchyard$/, replacement: `${source}node/node-entry.ts` },
      { find: /^llm-switchyard\/(.*)$/, replacement: `${source}$1/index.ts` },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
