import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as CoreEntry from '../../src/index';
import type * as NodeEntry from '../../src/node/index';
import type * as ProvidersEntry from '../../src/providers/index';

// The benchmarks measure the built package, as users run it: sources transpiled by tsx carry helper calls
// (esbuild's keepNames) that the published code does not. Loaded by URL so type-checking needs no dist/.
const dist = new URL('../../dist/', import.meta.url);
if (!existsSync(fileURLToPath(new URL('index.js', dist)))) throw new Error('dist/ is missing: run `npm run build` first (`npm run bench` does)');

/** `llm-switchyard` as a non-Node runtime loads it (globalThis.fetch). */
export const core = (await import(new URL('index.js', dist).href)) as typeof CoreEntry;
/** `llm-switchyard/node` (the pooled undici fetch; the package root resolves to it in Node). */
export const node = (await import(new URL('node/index.js', dist).href)) as typeof NodeEntry;
/** `llm-switchyard/providers`. */
export const providers = (await import(new URL('providers/index.js', dist).href)) as typeof ProvidersEntry;
