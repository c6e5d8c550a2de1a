// Entry for Vercel's edge-runtime (bundled to one script by scripts/runtime-smoke.mjs; the VM runs scripts,
// not module graphs). The driver sets globalThis.__smokeInput before this runs; the result lands in __smokeResult.
import * as root from 'switchyard-build/index.js';
import * as providers from 'switchyard-build/providers/index.js';
import * as vault from 'switchyard-build/vault/index.js';
import * as memoryStorage from 'switchyard-build/storage/memory/index.js';
import { pickApi, runSmokeChecks } from './smoke-checks.mjs';

const { baseUrl, fixtures, useFixtureFetch } = globalThis.__smokeInput;
globalThis.__smokeResult = runSmokeChecks({ api: pickApi([root, providers, vault, memoryStorage]), baseUrl, fixtures, useFixtureFetch });
