// Runs examples/deno/main.ts in Deno 2 (the `deno` devDependency), bundled with the package sources the way
// a user's build would bundle the published package: once offline on the mock provider, once against a
// loopback stand-in for OpenAI that replays the recorded fixtures over real HTTP.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framedFixture, readChunks, readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { bundleExample } from './bundle-example';

const deno = fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'switchyard-deno-example-'));
const script = join(folder, 'main.bundle.mjs');
let upstream: ReplayServer;

beforeAll(async () => {
  writeFileSync(script, await bundleExample({ entry: 'examples/deno/main.ts', conditions: ['deno', 'worker', 'browser'] }));
  upstream = await startReplayServer();
});

afterAll(async () => {
  await upstream?.close();
  rmSync(folder, { recursive: true, force: true });
});

function runInDeno(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Only what the example needs: no OPENAI_API_KEY leaks in from the developer's shell.
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? folder, NO_COLOR: '1', ...(process.env.DENO_DIR ? { DENO_DIR: process.env.DENO_DIR } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(deno, ['run', '--no-config', '--no-lock', '--allow-env', '--allow-net=127.0.0.1', script], { cwd: folder, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!existsSync(deno))('examples/deno/main.ts in Deno 2', () => {
  it('chats, streams and round-trips a key through the vault on the mock provider, offline', async () => {
    const { code, stdout, stderr } = await runInDeno({});
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('provider: mock (no OPENAI_API_KEY: the mock answers)');
    expect(stdout).toMatch(/\[chat\] mock:mock-model, \d+ in \/ \d+ out\nDeno runs TypeScript natively\./);
    expect(stdout).toContain('[stream] One, two, three, four, five.');
    expect(stdout).toMatch(/\[stream\] 5 text parts, finish stop/);
    expect(stdout).toMatch(/\[vault\] encrypted under key id 'default': v1:default:/);
    expect(stdout).toContain('[vault] decrypts for its binding: true');
    expect(stdout).toContain('[vault] for another owner: VaultError');
    expect(stdout).not.toContain('sk-proj-example-not-a-real-key');
  });

  it('calls OpenAI over real HTTP when OPENAI_API_KEY is set (a loopback replay of the recorded answers)', async () => {
    const recordedText = (JSON.parse(readFixture('openai/openai-text.json')) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
    const recordedStream = readChunks<{ choices: Array<{ delta?: { content?: string } }> }>('openai/openai-text.chunks.txt')
      .map((chunk) => chunk.choices[0]?.delta?.content ?? '')
      .join('');
    upstream.enqueue({ body: readFixture('openai/openai-text.json') }, { body: framedFixture('openai/openai-text.chunks.txt', 'A'), splitPiecesAt: 40 });
    const { code, stdout, stderr } = await runInDeno({ OPENAI_API_KEY: 'sk-deno-example-test-0000000000', OPENAI_BASE_URL: `${upstream.url}/v1` });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('provider: openai\n');
    expect(stdout).toMatch(/\[chat\] openai:gpt-4\.1-nano-2025-04-14, \d+ in \/ \d+ out/);
    expect(stdout).toContain(recordedText);
    expect(stdout).toContain(`[stream] ${recordedStream}`);
    expect(stdout).toMatch(/\[stream\] \d+ text parts, finish stop, \d+ output tokens/);
    expect(stdout).toContain('[vault] for another owner: VaultError');
    expect(upstream.requests.map((request) => [request.method, request.url, request.headers.authorization, request.body.stream === true])).toEqual([
      ['POST', '/v1/chat/completions', 'Bearer sk-deno-example-test-0000000000', false],
      ['POST', '/v1/chat/completions', 'Bearer sk-deno-example-test-0000000000', true],
    ]);
  });
});
