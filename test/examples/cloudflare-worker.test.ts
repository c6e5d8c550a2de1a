// Runs examples/cloudflare-worker/worker.ts in workerd (miniflare 3), bundled with esbuild as wrangler would
// bundle it, without the nodejs_compat flag. The upstream is a loopback stand-in for OpenAI replaying the
// recorded fixtures over real HTTP; the usage ledger goes to a (local, in-memory) D1 database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Miniflare } from 'miniflare';
import { framedFixture, readChunks, readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { bundleExample } from './bundle-example';

const upstreamKey = 'sk-worker-upstream-0000000000000000';
const recordedText = (JSON.parse(readFixture('openai/openai-text.json')) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
const recordedStream = readChunks<{ choices: Array<{ delta?: { content?: string } }> }>('openai/openai-text.chunks.txt')
  .map((chunk) => chunk.choices[0]?.delta?.content ?? '')
  .join('');

let upstream: ReplayServer;
let worker: Miniflare;

beforeAll(async () => {
  upstream = await startReplayServer();
  const script = await bundleExample({ entry: 'examples/cloudflare-worker/worker.ts', conditions: ['workerd', 'worker', 'browser'] });
  worker = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2024-09-23',
    bindings: { UPSTREAM_API_KEY: upstreamKey, UPSTREAM_BASE_URL: `${upstream.url}/v1`, CLIENT_TOKENS: 'tok-alice:alice, tok-bob:bob' },
    d1Databases: ['DB'],
  });
  await worker.ready;
});

afterAll(async () => {
  await worker?.dispose();
  await upstream?.close();
});

const chatBody = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'Invent a holiday.' }], ...extra });

describe('examples/cloudflare-worker/worker.ts in workerd', () => {
  it('answers 401 in OpenAI error shape without a known token, and calls no upstream', async () => {
    for (const authorization of [undefined, 'Bearer tok-mallory']) {
      const response = await worker.dispatchFetch('http://worker.local/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: chatBody(),
      });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: { code: string; type: string } };
      expect(body.error.code).toBe('invalid_api_key');
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('serves a chat completion and a streamed one from the upstream with the upstream key, and books both in D1', async () => {
    upstream.enqueue({ body: readFixture('openai/openai-text.json') }, { body: framedFixture('openai/openai-text.chunks.txt', 'A'), splitPiecesAt: 50 });

    const response = await worker.dispatchFetch('http://worker.local/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tok-alice' },
      body: chatBody(),
    });
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { object: string; model: string; choices: Array<{ message: { role: string; content: string }; finish_reason: string }>; usage: { prompt_tokens: number; completion_tokens: number } };
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('openai:gpt-4.1-nano-2025-04-14');
    expect(completion.choices[0]).toMatchObject({ message: { role: 'assistant', content: recordedText }, finish_reason: 'stop' });
    expect(completion.usage.prompt_tokens).toBeGreaterThan(0);

    const streamed = await worker.dispatchFetch('http://worker.local/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tok-bob' },
      body: chatBody({ stream: true, stream_options: { include_usage: true } }),
    });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await streamed.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.replace(/^data: /, '')) as { object: string; choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage?: { completion_tokens: number } });
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(recordedStream);
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);

    // The upstream got the Worker's key, never a client token.
    expect(upstream.requests.map((request) => [request.url, request.headers.authorization, request.body.stream === true])).toEqual([
      ['/v1/chat/completions', `Bearer ${upstreamKey}`, false],
      ['/v1/chat/completions', `Bearer ${upstreamKey}`, true],
    ]);

    // Both calls are in the D1 ledger, per user, once the Worker's waitUntil flush has run.
    const database = await worker.getD1Database('DB');
    let rows: Array<{ user_id: string; status: string }> = [];
    for (let attempt = 0; attempt < 50 && rows.length < 2; attempt++) {
      rows = (await database.prepare('SELECT user_id, status FROM switchyard_usage ORDER BY user_id').all<{ user_id: string; status: string }>()).results;
      if (rows.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows).toEqual([
      { user_id: 'alice', status: 'success' },
      { user_id: 'bob', status: 'success' },
    ]);
  });
});
