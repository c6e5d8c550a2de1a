#!/usr/bin/env node
// Smoke-tests the built package on every JavaScript runtime available here: import, chat and stream against
// a loopback server replaying the recorded OpenAI fixtures (or a fetch stub where a runtime cannot reach
// loopback), a typed provider error, vault encrypt/decrypt, memory storage. See docs/runtimes/.
//
//   npm run build && node scripts/runtime-smoke.mjs [--dist=dist] [--only=node,deno,bun,workerd,edge-runtime,node22]
//
// Runtimes come from devDependencies when installed (deno, bun, miniflare, edge-runtime), else from
// `npx --yes <package>` (deno@2, bun@1, node@22). Exit 1 when a check fails on a runtime that ran, or when
// a runtime listed in --require= could not run.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const argumentsGiven = process.argv.slice(2);
const option = (name) => argumentsGiven.find((argument) => argument.startsWith(`--${name}=`))?.split('=')[1];
const buildDirectory = resolve(root, option('dist') ?? 'dist');
const only = option('only')?.split(',');
const required = option('require')?.split(',') ?? [];
const fixturesDirectory = process.env.SWITCHYARD_FIXTURES ?? resolve(root, '../shared/fixtures/providers');
const runtimesDirectory = join(root, 'test/runtimes');

// --- fixtures and the loopback server -------------------------------------------------------------------
const jsonText = readFileSync(join(fixturesDirectory, 'openai/openai-text.json'), 'utf8');
const chunkLines = readFileSync(join(fixturesDirectory, 'openai/openai-text.chunks.txt'), 'utf8').split(/\r?\n/).filter((line) => line.trim());
const fixtures = {
  json: JSON.stringify(JSON.parse(jsonText)),
  // Recipe A of the fixtures README: `data: <line>\n\n` per chunk, then `data: [DONE]\n\n`.
  sse: `${chunkLines.map((line) => `data: ${line}\n\n`).join('')}data: [DONE]\n\n`,
  expectedText: JSON.parse(jsonText).choices[0].message.content,
  expectedStreamText: chunkLines.map((line) => JSON.parse(line).choices?.[0]?.delta?.content ?? '').join(''),
};
const scratch = mkdtempSync(join(tmpdir(), 'switchyard-smoke-'));
const fixturesPath = join(scratch, 'fixtures.json');
writeFileSync(fixturesPath, JSON.stringify(fixtures));

const server = createServer((request, response) => {
  const parts = [];
  request.on('data', (part) => parts.push(part));
  request.on('end', () => {
    if (request.url.startsWith('/fail/')) {
      response.writeHead(401, { 'content-type': 'application/json' });
      return response.end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }));
    }
    const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}');
    if (!body.stream) {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end(fixtures.json);
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const line of chunkLines) response.write(`data: ${line}\n\n`);
    response.end('data: [DONE]\n\n');
  });
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const baseUrl = `http://127.0.0.1:${server.address().port}`;

// --- helpers ---------------------------------------------------------------------------------------------
const localBin = (name) => {
  const path = join(root, 'node_modules/.bin', name);
  return existsSync(path) ? path : undefined;
};

/** A package from the repo's node_modules, or from folders in $SWITCHYARD_RUNTIME_MODULES (colon-separated). */
async function importPackage(name) {
  const folders = [root, ...(process.env.SWITCHYARD_RUNTIME_MODULES ?? '').split(':').filter(Boolean).map((folder) => dirname(folder))];
  for (const folder of folders) {
    try {
      return await import(pathToFileURL(createRequire(join(folder, 'noop.js')).resolve(name)).href);
    } catch {
      // try the next folder
    }
  }
  return undefined;
}

/** spawn, not spawnSync: the child runtimes call the loopback server that lives in this process. */
/** Version from a package's package.json, found by walking up from its resolved entry. */
async function packageVersion(name) {
  const folders = [root, ...(process.env.SWITCHYARD_RUNTIME_MODULES ?? '').split(':').filter(Boolean).map((folder) => dirname(folder))];
  for (const folder of folders) {
    try {
      let directory = dirname(createRequire(join(folder, 'noop.js')).resolve(name));
      while (!existsSync(join(directory, 'package.json')) || JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')).name !== name) {
        const parent = dirname(directory);
        if (parent === directory) break;
        directory = parent;
      }
      return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')).version;
    } catch {
      // try the next folder
    }
  }
  return '?';
}

function runProcess(command, commandArguments, timeoutMs = 180_000) {
  return new Promise((resolvePromise) => {
    import('node:child_process').then(({ spawn }) => {
      const child = spawn(command, commandArguments, { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stdout.on('data', (part) => (stdout += part));
      child.stderr.on('data', (part) => (stderr += part));
      child.on('error', (error) => {
        clearTimeout(timer);
        resolvePromise({ status: null, stdout, stderr: String(error) });
      });
      child.on('close', (status) => {
        clearTimeout(timer);
        resolvePromise({ status, stdout, stderr });
      });
    });
  });
}

function parseResults(output) {
  const line = output.stdout.split('\n').find((candidate) => candidate.startsWith('SMOKE_RESULT '));
  if (!line) return undefined;
  return JSON.parse(line.slice('SMOKE_RESULT '.length));
}

/** Version line of a runtime command, or undefined when it does not run. */
async function versionOf(command, commandArguments) {
  const output = await runProcess(command, commandArguments, 300_000);
  return output.status === 0 ? output.stdout.trim().split('\n')[0] : undefined;
}

const buildUrl = pathToFileURL(buildDirectory + '/').href;
const fixturesUrl = pathToFileURL(fixturesPath).href;
const entry = join(runtimesDirectory, 'module-entry.mjs');

async function moduleRuntime(command, prefixArguments, rootEntry = 'index.js') {
  const output = await runProcess(command, [...prefixArguments, entry, buildUrl, baseUrl, fixturesUrl, rootEntry]);
  const results = parseResults(output);
  if (!results) return { error: `no result (exit ${output.status}): ${(output.stderr || output.stdout).trim().split('\n').slice(-5).join(' | ')}` };
  return { results };
}

/** esbuild bundle of a worker/edge entry with `switchyard-build/*` pointing into the build (empty when a subpath is missing). */
async function bundle(entryFile, format, platform) {
  const { build } = await import('esbuild');
  const missing = [];
  const result = await build({
    entryPoints: [join(runtimesDirectory, entryFile)],
    bundle: true,
    format,
    platform,
    target: 'es2022',
    conditions: ['workerd', 'worker', 'edge-light', 'browser', 'import', 'default'],
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
    absWorkingDir: root,
    plugins: [
      {
        name: 'switchyard-build',
        setup(pluginBuild) {
          pluginBuild.onResolve({ filter: /^switchyard-build\// }, (args) => {
            const path = join(buildDirectory, args.path.slice('switchyard-build/'.length));
            if (existsSync(path)) return { path };
            missing.push(args.path);
            return { path: args.path, namespace: 'missing' };
          });
          pluginBuild.onLoad({ filter: /.*/, namespace: 'missing' }, () => ({ contents: 'export {};', loader: 'js' }));
        },
      },
    ],
  });
  return { code: result.outputFiles[0].text, missing };
}

// --- runtimes --------------------------------------------------------------------------------------------
const runtimes = {
  async node() {
    const portable = await moduleRuntime(process.execPath, []);
    const nodeEntry = await moduleRuntime(process.execPath, [], 'node-entry.js');
    if (portable.error || nodeEntry.error) return { version: process.version, error: portable.error ?? nodeEntry.error };
    const results = [...portable.results, ...nodeEntry.results.map((result) => ({ ...result, name: `${result.name} (node-entry.js, pooled undici)` }))];
    return { version: process.version, results };
  },
  async node22() {
    const version = await versionOf('npx', ['--yes', 'node@22', '--version']);
    if (!version) return { unavailable: '`npx --yes node@22` did not run (the npm "node" package could not be installed or started)' };
    return { version, ...(await moduleRuntime('npx', ['--yes', 'node@22'])) };
  },
  async deno() {
    const command = localBin('deno') ?? 'npx';
    const prefix = command === 'npx' ? ['--yes', 'deno@2'] : [];
    const version = await versionOf(command, [...prefix, '--version']);
    if (!version) return { unavailable: 'deno did not run (no devDependency "deno" and `npx --yes deno@2` failed)' };
    // Deno resolves the build's bare imports (eventsource-parser, …) from node_modules through the repo's package.json.
    return { version, ...(await moduleRuntime(command, [...prefix, 'run', '--allow-net', '--allow-read', '--allow-env', '--allow-sys'])) };
  },
  async bun() {
    const command = localBin('bun') ?? 'npx';
    const prefix = command === 'npx' ? ['--yes', 'bun@1'] : [];
    const version = await versionOf(command, [...prefix, '--version']);
    if (!version) return { unavailable: 'bun did not run (no devDependency "bun" and `npx --yes bun@1` failed)' };
    return { version: `bun ${version}`, ...(await moduleRuntime(command, [...prefix, 'run'])) };
  },
  async workerd() {
    const miniflare = await importPackage('miniflare');
    if (!miniflare) return { unavailable: 'miniflare is not installed (devDependency "miniflare@3")' };
    const { code, missing } = await bundle('worker-entry.mjs', 'esm', 'neutral');
    const worker = new miniflare.Miniflare({ modules: true, script: code, compatibilityDate: '2024-09-23', compatibilityFlags: ['nodejs_compat'] });
    try {
      const ask = async (useFixtureFetch) =>
        (await worker.dispatchFetch('http://smoke.local/', { method: 'POST', body: JSON.stringify({ baseUrl, fixtures, useFixtureFetch }) })).json();
      let results = await ask(false);
      const chat = results.find((result) => result.name === 'chat');
      if (chat?.status === 'fail' && /fetch|network|connect|refused|internal error/i.test(chat.detail)) {
        // workerd may not reach the host's loopback; the checks then run against the fixture fetch stub.
        results = (await ask(true)).map((result) => ({ ...result, detail: `${result.detail} [loopback refused: ${chat.detail.slice(0, 80)}]` }));
      }
      for (const path of missing) results.push({ name: `bundle ${path}`, status: 'skip', detail: 'not in the build' });
      return { version: `workerd ${await packageVersion('workerd')}, miniflare ${await packageVersion('miniflare')}`, results };
    } finally {
      await worker.dispose();
    }
  },
  async 'edge-runtime'() {
    const edge = await importPackage('edge-runtime');
    if (!edge) return { unavailable: 'edge-runtime is not installed (devDependency "edge-runtime")' };
    const { code, missing } = await bundle('edge-entry.mjs', 'iife', 'browser');
    const runtime = new edge.EdgeRuntime();
    runtime.context.__smokeInput = { baseUrl, fixtures, useFixtureFetch: false };
    runtime.evaluate(code);
    const results = await runtime.evaluate('globalThis.__smokeResult');
    for (const path of missing) results.push({ name: `bundle ${path}`, status: 'skip', detail: 'not in the build' });
    return { version: `edge-runtime ${await packageVersion('edge-runtime')}`, results: JSON.parse(JSON.stringify(results)) };
  },
};

// --- run and report --------------------------------------------------------------------------------------
if (!existsSync(join(buildDirectory, 'index.js'))) {
  console.error(`runtime-smoke: ${join(buildDirectory, 'index.js')} is missing; run \`npm run build\` first`);
  process.exit(1);
}
let failed = false;
const summary = [];
for (const [name, run] of Object.entries(runtimes)) {
  if (only && !only.includes(name)) continue;
  let outcome;
  try {
    outcome = await run();
  } catch (error) {
    outcome = { error: error?.stack?.split('\n').slice(0, 3).join(' ') ?? String(error) };
  }
  if (outcome.unavailable) {
    summary.push({ runtime: name, status: 'unavailable', detail: outcome.unavailable });
    if (required.includes(name)) failed = true;
    continue;
  }
  if (outcome.error) {
    summary.push({ runtime: name, status: 'FAIL', detail: outcome.error, version: outcome.version });
    failed = true;
    continue;
  }
  const failures = outcome.results.filter((result) => result.status === 'fail');
  if (failures.length > 0) failed = true;
  summary.push({ runtime: name, status: failures.length > 0 ? 'FAIL' : 'pass', version: outcome.version, results: outcome.results });
}
server.close();
rmSync(scratch, { recursive: true, force: true });

for (const entry of summary) {
  console.log(`${entry.status.padEnd(11)} ${entry.runtime}${entry.version ? ` (${entry.version})` : ''}${entry.detail ? `: ${entry.detail}` : ''}`);
  for (const result of entry.results ?? []) console.log(`  ${result.status.padEnd(4)} ${result.name}${result.detail ? ` — ${result.detail}` : ''}`);
}
const ran = summary.filter((entry) => entry.status === 'pass' || entry.status === 'FAIL');
console.log(`\n${summary.filter((entry) => entry.status === 'pass').length} passed, ${ran.filter((entry) => entry.status === 'FAIL').length} failed`);
process.exit(failed ? 1 : 0);
