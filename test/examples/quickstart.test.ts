import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs the README's main example (`npm run example`) as a user would, with no API keys in the
// environment: once with no local server (it must say it uses the mock), once with a loopback stand-in
// for Ollama (it must discover it and be served by it).

function runExample(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/_API_KEY$/.test(name)));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts'], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let ollama: Server;
let ollamaPort: number;
const chatBodies: Array<{ stream?: boolean; model?: string }> = [];

beforeAll(async () => {
  // Shapes from Ollama's documented /api/tags and /api/chat (NDJSON when streaming).
  ollama = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.url === '/api/tags') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ models: [{ name: 'llama3.2:1b', model: 'llama3.2:1b', size: 1, details: { family: 'llama' } }] }));
        return;
      }
      if (request.url === '/api/chat') {
        const parsed = JSON.parse(body) as { stream?: boolean; model?: string };
        chatBodies.push(parsed);
        const done = { model: parsed.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 21, eval_count: 9 };
        if (parsed.stream === false) {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ ...done, message: { role: 'assistant', content: 'Because providers fail.' } }));
          return;
        }
        response.writeHead(200, { 'content-type': 'application/x-ndjson' });
        for (const word of ['One, ', 'two, ', 'three.']) {
          response.write(`${JSON.stringify({ model: parsed.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: word }, done: false })}\n`);
        }
        response.end(`${JSON.stringify(done)}\n`);
        return;
      }
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => ollama.listen(0, '127.0.0.1', resolve));
  ollamaPort = (ollama.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => ollama.close(() => resolve()));
});

describe('examples/quickstart.ts', () => {
  it('runs with no keys and no local server, on the mock provider, and reports each request', async () => {
    const port = String(await closedPort());
    const { code, output } = await runExample({ SWITCHYARD_OLLAMA_PORT: port, SWITCHYARD_LMSTUDIO_PORT: port, SWITCHYARD_LOCALAI_PORT: port, SWITCHYARD_VLLM_PORT: port });
    expect(output).toContain('using the mock provider');
    expect(output).toMatch(/\[chat\] served by mock:mock-model/);
    expect(output).toMatch(/\[stream\] served by mock:mock-model/);
    expect(output).toMatch(/attempt 1: mock:mock-model success/);
    expect(output).toMatch(/tokens: \d+ in \/ \d+ out/);
    expect(output).toMatch(/cost: \$0\.000000/);
    expect(code).toBe(0);
  });

  it('discovers a local Ollama server and is served by it', async () => {
    const port = String(await closedPort());
    const { code, output } = await runExample({ SWITCHYARD_OLLAMA_PORT: String(ollamaPort), SWITCHYARD_LMSTUDIO_PORT: port, SWITCHYARD_LOCALAI_PORT: port, SWITCHYARD_VLLM_PORT: port });
    expect(output).toContain('Using: ollama (local)');
    expect(output).toContain('Because providers fail.');
    expect(output).toContain('One, two, three.');
    expect(output).toMatch(/\[chat\] served by ollama:llama3\.2:1b/);
    expect(output).toMatch(/tokens: 21 in \/ 9 out/);
    expect(chatBodies.map((body) => body.model)).toEqual(['llama3.2:1b', 'llama3.2:1b']);
    expect(code).toBe(0);
  });
});
