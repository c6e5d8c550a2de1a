// Entry for Cloudflare workerd (bundled by scripts/runtime-smoke.mjs with esbuild, as wrangler would).
// POST the fixtures and the loopback URL; the Worker answers with the check results.
import * as root from 'switchyard-build/index.js';
import * as providers from 'switchyard-build/providers/index.js';
import * as vault from 'switchyard-build/vault/index.js';
import * as memoryStorage from 'switchyard-build/storage/memory/index.js';
import { pickApi, runSmokeChecks } from './smoke-checks.mjs';

export default {
  async fetch(request) {
    const { baseUrl, fixtures, useFixtureFetch } = await request.json();
    const results = await runSmokeChecks({ api: pickApi([root, providers, vault, memoryStorage]), baseUrl, fixtures, useFixtureFetch });
    return Response.json(results);
  },
};
