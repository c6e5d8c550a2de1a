// Calls the exported GET and POST of examples/nextjs/app/api/v1/[...path]/route.ts with web Requests, which is
// exactly how Next.js' App Router calls a route handler (no Next.js needed): first with no OPENAI_API_KEY (the
// mock answers), then with one pointing at a loopback stand-in for OpenAI replaying the recorded fixtures.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LLMManager } from 'llm-switchyard';
import { framedFixture, readChunks, readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';

type RouteModule = { GET: (request: Request) => Promise<Response>; POST: (request: Request) => Promise<Response>; runtime: string };
const shared = globalThis as typeof globalThis & { switchyardManager?: LLMManager };
const origin = 'http://localhost:3000';
let upstream: ReplayServer;

/** Imports the route afresh with the given environment, as a new server process would. */
async function loadRoute(env: Record<string, string | undefined>): Promise<RouteModule> {
  await shared.switchyardManager?.close();
  delete shared.switchyardManager;
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return (await import('../../examples/nextjs/app/api/v1/[...path]/route')) as RouteModule;
}

const chat = (token: string | undefined, body: Record<string, unknown>) =>
  new Request(`${origin}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  upstream = await startReplayServer();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

afterAll(async () => {
  await shared.switchyardManager?.close();
  delete shared.switchyardManager;
  await upstream?.close();
});

describe('examples/nextjs/app/api/v1/[...path]/route.ts', () => {
  it('without OPENAI_API_KEY: 401 without a known token, a chat completion and the model list with one', async () => {
    const route = await loadRoute({ OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined, SWITCHYARD_CLIENT_TOKENS: 'tok-alice:alice,tok-bob:bob' });
    expect(route.runtime).toBe('nodejs');

    for (const token of [undefined, 'tok-mallory']) {
      const refused = await route.POST(chat(token, { model: 'auto', messages: [{ role: 'user', content: 'Hi' }] }));
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    }

    const response = await route.POST(chat('tok-alice', { model: 'mock:mock-model', messages: [{ role: 'user', content: 'Hello from Next' }] }));
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { object: string; model: string; choices: Array<{ message: { role: string; content: string }; finish_reason: string }> };
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('mock:mock-model');
    expect(completion.choices[0]!.message.role).toBe('assistant');
    expect(completion.choices[0]!.message.content).toContain('Hello from Next'); // the mock echoes the prompt
    expect(completion.choices[0]!.finish_reason).toBe('stop');

    const models = await route.GET(new Request(`${origin}/api/v1/models`, { headers: { authorization: 'Bearer tok-bob' } }));
    expect(models.status).toBe(200);
    expect(((await models.json()) as { data: Array<{ id: string }> }).data.map((model) => model.id)).toContain('mock:mock-model');

    // The call was booked for alice under the route's feature.
    await shared.switchyardManager!.usage.flush();
    const summary = await shared.switchyardManager!.usage.summary({ from: 0, to: Date.now() + 1, groupBy: ['user', 'feature'] });
    expect(summary.groups.map((group) => [group.group.user, group.group.feature, group.requests])).toEqual([['alice', 'nextjs-openai-api', 1]]);
  });

  it('with OPENAI_API_KEY: a chat completion and a stream from the upstream, which sees the server key only', async () => {
    const route = await loadRoute({ OPENAI_API_KEY: 'sk-next-server-key-000000000000', OPENAI_BASE_URL: `${upstream.url}/v1`, SWITCHYARD_CLIENT_TOKENS: 'tok-alice:alice' });
    upstream.enqueue({ body: readFixture('openai/openai-text.json') }, { body: framedFixture('openai/openai-text.chunks.txt', 'A') });
    const recordedText = (JSON.parse(readFixture('openai/openai-text.json')) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
    const recordedStream = readChunks<{ choices: Array<{ delta?: { content?: string } }> }>('openai/openai-text.chunks.txt').map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');

    const response = await route.POST(chat('tok-alice', { model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'Invent a holiday.' }] }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(recordedText);

    const streamed = await route.POST(chat('tok-alice', { model: 'openai:gpt-4.1-nano', stream: true, messages: [{ role: 'user', content: 'Invent a holiday.' }] }));
    expect(streamed.status).toBe(200);
    const events = (await streamed.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const text = events.slice(0, -1).map((event) => (JSON.parse(event.slice('data: '.length)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(recordedStream);

    expect(upstream.requests.map((request) => [request.url, request.headers.authorization])).toEqual([
      ['/v1/chat/completions', 'Bearer sk-next-server-key-000000000000'],
      ['/v1/chat/completions', 'Bearer sk-next-server-key-000000000000'],
    ]);
  });
});
