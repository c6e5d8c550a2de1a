// Entry for runtimes that load ES modules from disk (Node, Deno, Bun):
//   <runtime> module-entry.mjs <build folder URL> <loopback base URL> <fixtures JSON URL> [root entry, default index.js]
// Prints one line: SMOKE_RESULT <json>.
import { buildEntries, pickApi, runSmokeChecks } from './smoke-checks.mjs';

const [buildUrl, baseUrl, fixturesUrl, rootEntry = 'index.js'] = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
const fixtures = (await import(fixturesUrl, { with: { type: 'json' } })).default;
const entries = [rootEntry, ...buildEntries.filter((entry) => entry !== 'index.js')];
const modules = [];
const loadErrors = [];
for (const entry of entries) {
  try {
    modules.push(await import(new URL(entry, buildUrl).href));
  } catch (error) {
    // A subpath the build does not have yet is reported by the checks that need it (as skipped).
    if (!/Cannot find module|Module not found|ERR_MODULE_NOT_FOUND|No such file|not found/i.test(String(error?.message ?? error))) {
      loadErrors.push(`${entry}: ${error?.message ?? error}`);
    }
  }
}
const results = await runSmokeChecks({ api: pickApi(modules), baseUrl, fixtures });
if (loadErrors.length > 0) results.unshift({ name: 'load entries', status: 'fail', detail: loadErrors.join('; ') });
console.log(`SMOKE_RESULT ${JSON.stringify(results)}`);
