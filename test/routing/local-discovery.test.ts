import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverLocalServers } from '../../src/routing/local-discovery';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); })));
});

/** A loopback server answering fixed JSON per path (or hanging for `stall`). */
async function serve(routes: Record<string, unknown | 'stall'>): Promise<number> {
  const server = createServer((request, response) => {
    const body = routes[request.url ?? ''];
    if (body === 'stall') return;
    if (body === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: bind, read the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('discoverLocalServers', () => {
  it('finds Ollama, LM Studio, llama.cpp and vLLM with their models, and reports the rest', async () => {
    const ollama = await serve({ '/api/tags': { models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest' }, { name: 'nomic-embed-text:latest' }] } });
    const lmstudio = await serve({ '/v1/models': { object: 'list', data: [{ id: 'qwen2.5-7b-instruct', object: 'model', owned_by: 'organization_owner' }] } });
    const llamacpp = await serve({ '/v1/models': { object: 'list', data: [{ id: 'model.gguf', object: 'model', owned_by: 'llamacpp', meta: { n_ctx_train: 131072 } }] } });
    const vllm = await serve({ '/v1/models': { object: 'list', data: [{ id: 'meta-llama/Llama-3.1-8B-Instruct', owned_by: 'vllm', max_model_len: 32768 }] } });
    const result = await discoverLocalServers({ ports: { ollama, lmstudio, localai: llamacpp, vllm }, timeoutMs: 2_000 });
    expect(result.unreachable).toEqual([]);
    const byKind = Object.fromEntries(result.servers.map((server) => [server.kind, server]));
    expect(Object.keys(byKind).sort()).toEqual(['llamacpp', 'lmstudio', 'ollama', 'vllm']);
    expect(byKind.ollama!.baseUrl).toBe(`http://127.0.0.1:${ollama}`);
    expect(byKind.ollama!.models.map((model) => [model.id, model.local, model.capabilities.embedding])).toEqual([
      ['ollama:llama3.2:latest', true, false],
      ['ollama:nomic-embed-text:latest', true, true],
    ]);
    expect(byKind.lmstudio!.baseUrl).toBe(`http://127.0.0.1:${lmstudio}/v1`);
    expect(byKind.llamacpp!.models[0]).toMatchObject({ model: 'model.gguf', contextWindow: 131072 });
    expect(byKind.vllm!.models[0]).toMatchObject({ id: 'vllm:meta-llama/Llama-3.1-8B-Instruct', contextWindow: 32768 });
  });

  it('tells LocalAI from llama.cpp on the shared port', async () => {
    const localai = await serve({ '/v1/models': { object: 'list', data: [{ id: 'gpt-4', object: 'model' }] } });
    const nothing = await closedPort();
    const result = await discoverLocalServers({ ports: { ollama: nothing, lmstudio: nothing, localai, vllm: nothing } });
    expect(result.servers.map((server) => server.kind)).toEqual(['localai']);
    expect(result.unreachable).toHaveLength(3);
  });

  it('a refused port, a stalled server, a wrong answer and a 404 are unreachable, not errors', async () => {
    const refused = await closedPort();
    const stalled = await serve({ '/v1/models': 'stall' });
    const wrong = await serve({ '/v1/models': { hello: 'world' } });
    const missing = await serve({});
    const result = await discoverLocalServers({ ports: { ollama: refused, lmstudio: stalled, localai: wrong, vllm: missing }, timeoutMs: 150 });
    expect(result.servers).toEqual([]);
    const reasons = Object.fromEntries(result.unreachable.map((item) => [Number(item.url.split(':').pop()), item.reason]));
    expect(reasons[refused]).toMatch(/network failure/);
    expect(reasons[stalled]).toMatch(/timed out/);
    expect(reasons[wrong]).toMatch(/not an OpenAI-style/);
    expect(reasons[missing]).toBe('HTTP 404');
  });

  it('uses the injected fetch', async () => {
    const seen: string[] = [];
    const fetch = (async (url: string) => {
      seen.push(url);
      return new Response(JSON.stringify({ models: [] }), { status: url.endsWith('/api/tags') ? 200 : 503 });
    }) as unknown as typeof globalThis.fetch;
    const result = await discoverLocalServers({ fetch, hosts: ['localhost'] });
    expect(seen.sort()).toEqual(['http://localhost:11434/api/tags', 'http://localhost:1234/v1/models', 'http://localhost:8000/v1/models', 'http://localhost:8080/v1/models'].sort());
    expect(result.servers).toEqual([{ kind: 'ollama', baseUrl: 'http://localhost:11434', models: [] }]);
  });
});
