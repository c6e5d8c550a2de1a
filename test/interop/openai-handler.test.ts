import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLLMManager, type LLMManager, type RequestEvent } from 'llm-switchyard';
import { createOpenAIHandler } from 'llm-switchyard/interop';
import { createMockProvider, type MockProvider } from 'llm-switchyard/testing';
import { toNodeHandler } from '../../src/node/node-http-adapter';

// A stalling upstream: the mock's waits resolve at once for the first `free` waits, then hang until the call
// is aborted, recording the abort reason the upstream saw.
function createStallingSleep(free: number) {
  let calls = 0;
  const aborts: unknown[] = [];
  let notify: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => (notify = resolve));
  const sleep = (_milliseconds: number, signal?: AbortSignal): Promise<void> => {
    calls++;
    if (calls <= free) return Promise.resolve();
    return new Promise<void>((_resolve, reject) => {
      const onAbort = () => {
        aborts.push(signal!.reason);
        notify?.();
        reject(signal!.reason);
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  };
  return { sleep, aborts, aborted };
}

interface Harness {
  mock: MockProvider;
  backup: MockProvider;
  llm: LLMManager;
  events: { request: RequestEvent[]; error: Array<RequestEvent & { error: Error }> };
  server: Server;
  client: OpenAI;
  url: string;
}

async function startHarness(
  options: { mock?: Parameters<typeof createMockProvider>[0]; manager?: Partial<Parameters<typeof createLLMManager>[0]> } = {},
): Promise<Harness> {
  const mock = createMockProvider({ id: 'mock', models: ['mock-large'], ...options.mock });
  const backup = createMockProvider({ id: 'backup' });
  const events: Harness['events'] = { request: [], error: [] };
  const llm = createLLMManager({
    providers: [mock, backup],
    fetch: globalThis.fetch,
    routing: { maxRetries: 0 },
    hooks: { onRequest: (event) => events.request.push(event), onError: (event) => events.error.push(event) },
    ...options.manager,
  });
  const handler = createOpenAIHandler(llm, {
    authenticate: (request) => (request.headers.get('authorization') === 'Bearer user-1-token' ? { userId: 'user-1', tier: 'pro' } : null),
    feature: 'openai-api',
  });
  const server = createServer(toNodeHandler(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new OpenAI({ apiKey: 'user-1-token', baseURL: `${url}/v1`, maxRetries: 0 });
  return { mock, backup, llm, events, server, client, url };
}

async function stopHarness(harness: Harness): Promise<void> {
  await harness.llm.close();
  harness.server.closeAllConnections();
  await new Promise<void>((resolve) => harness.server.close(() => resolve()));
}

describe('createOpenAIHandler with the official openai client over node:http', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => stopHarness(harness));
  afterEach(() => {
    harness.mock.reset();
    harness.backup.reset();
    harness.events.request.length = 0;
    harness.events.error.length = 0;
  });

  it('answers a chat completion and passes every setting through the pipeline', async () => {
    harness.mock.enqueue({ text: 'Hello there', usage: { inputTokens: 12, outputTokens: 3, cachedInputTokens: 4 } });
    const completion = await harness.client.chat.completions.create({
      model: 'mock:mock-large',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi, what is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 50,
      stop: 'END',
      seed: 7,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('mock:mock-large');
    expect(completion.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hello there' });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 } });

    const call = harness.mock.calls[0]!;
    expect(call.kind).toBe('chat');
    if (call.kind !== 'chat') return;
    expect(call.model).toBe('mock-large');
    expect(call.call).toMatchObject({ temperature: 0.2, topP: 0.9, maxTokens: 50, stop: ['END'], seed: 7 });
    expect(call.call.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi, what is this?' }, { type: 'image', image: 'https://example.com/cat.png' }] },
    ]);
    expect(harness.events.request[0]).toMatchObject({ userId: 'user-1', feature: 'openai-api', operation: 'chat' });
  });

  it('streams chunks framed as OpenAI frames them, with the usage chunk and [DONE]', async () => {
    harness.mock.enqueue({ text: 'one two three', usage: { inputTokens: 5, outputTokens: 3 } });
    const stream = await harness.client.chat.completions.create({
      model: 'mock', messages: [{ role: 'user', content: 'count' }], stream: true, stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0]!.id)).toBe(true);
    expect(chunks[0]!.choices[0]!.delta).toMatchObject({ role: 'assistant', content: '' });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('one two three');
    const finish = chunks.at(-2)!;
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    const usage = chunks.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('frames the raw SSE body exactly: data lines, blank-line separated, ending in data: [DONE]', async () => {
    harness.mock.enqueue({ text: 'a b' });
    const response = await fetch(`${harness.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer user-1-token', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    const events = text.split('\n\n');
    expect(events.at(-1)).toBe('');
    expect(events.at(-2)).toBe('data: [DONE]');
    for (const event of events.slice(0, -2)) {
      expect(event.startsWith('data: ')).toBe(true);
      expect(JSON.parse(event.slice(6))).not.toHaveProperty('usage'); // no include_usage, no usage field
    }
  });

  it('returns tool calls, and takes a tool round trip back (tool messages get their tool name)', async () => {
    harness.mock.enqueue({ toolCalls: [{ id: 'call_weather', name: 'get_weather', arguments: { city: 'Paris' } }] });
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
    ];
    const first = await harness.client.chat.completions.create({
      model: 'mock', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools, tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const message = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(message.content).toBeNull();
    expect(message.tool_calls).toEqual([{ id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
    const firstCall = harness.mock.calls[0]!;
    if (firstCall.kind !== 'chat') throw new Error('expected a chat call');
    expect(firstCall.call.toolChoice).toEqual({ type: 'tool', name: 'get_weather' });
    expect(firstCall.call.tools![0]).toMatchObject({ name: 'get_weather', description: 'Weather' });

    harness.mock.enqueue({ text: 'Sunny, 21°C' });
    const second = await harness.client.chat.completions.create({
      model: 'mock', tools,
      messages: [{ role: 'user', content: 'Weather in Paris?' }, message, { role: 'tool', tool_call_id: 'call_weather', content: '{"temperature":21}' }],
    });
    expect(second.choices[0]!.message.content).toBe('Sunny, 21°C');
    const secondCall = harness.mock.calls[1]!;
    if (secondCall.kind !== 'chat') throw new Error('expected a chat call');
    expect(secondCall.call.messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_weather', toolName: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', toolCallId: 'call_weather', toolName: 'get_weather', content: '{"temperature":21}' },
    ]);
  });

  it('streams tool calls as indexed deltas that the client SDK assembles', async () => {
    harness.mock.enqueue({
      text: 'Checking.',
      toolCalls: [
        { id: 'call_a', name: 'get_weather', arguments: { city: 'Paris' } },
        { id: 'call_b', name: 'get_weather', arguments: { city: 'Oslo' } },
      ],
    });
    const runner = harness.client.chat.completions.stream({
      model: 'mock', messages: [{ role: 'user', content: 'Both cities' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    const indexes: number[] = [];
    runner.on('chunk', (chunk) => {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) indexes.push(call.index);
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.choices[0]!.message.content).toBe('Checking.');
    expect(final.choices[0]!.message.tool_calls!.map((call) => call.type === 'function' && [call.id, call.function.name, call.function.arguments])).toEqual([
      ['call_a', 'get_weather', '{"city":"Paris"}'],
      ['call_b', 'get_weather', '{"city":"Oslo"}'],
    ]);
    expect(new Set(indexes)).toEqual(new Set([0, 1]));
  });

  it('asks for JSON Schema output and returns the JSON the model produced', async () => {
    const schema = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'number' } }, required: ['name', 'age'], additionalProperties: false };
    harness.mock.enqueue({ text: '{"name":"Ada","age":36}' });
    const completion = await harness.client.chat.completions.create({
      model: 'mock', messages: [{ role: 'user', content: 'Who?' }],
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ name: 'Ada', age: 36 });
    const call = harness.mock.calls[0]!;
    if (call.kind !== 'chat') throw new Error('expected a chat call');
    expect(call.call.responseFormat).toEqual({ type: 'json-schema', name: 'person', schema, strict: true });

    harness.mock.enqueue({ text: '{}' });
    await harness.client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'json' }], response_format: { type: 'json_object' } });
    const second = harness.mock.calls[1]!;
    if (second.kind !== 'chat') throw new Error('expected a chat call');
    expect(second.call.responseFormat).toEqual({ type: 'json' });
  });

  it('serves embeddings in the client default (base64) and as floats', async () => {
    const direct = await harness.llm.embed({ model: 'mock:mock-embedding', input: ['alpha', 'beta'] });
    const viaClient = await harness.client.embeddings.create({ model: 'mock:mock-embedding', input: ['alpha', 'beta'] });
    expect(viaClient.data.map((entry) => entry.index)).toEqual([0, 1]);
    viaClient.data.forEach((entry, index) => {
      direct.embeddings[index]!.forEach((value, position) => expect(entry.embedding[position]).toBeCloseTo(value, 5));
    });
    const floats = await harness.client.embeddings.create({ model: 'mock:mock-embedding', input: 'alpha', encoding_format: 'float', dimensions: 4 });
    expect(floats.data[0]!.embedding).toHaveLength(4);
    expect(floats.model).toBe('mock:mock-embedding');
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('lists and retrieves models', async () => {
    const ids: string[] = [];
    for await (const model of harness.client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['mock:mock-model', 'mock:mock-large', 'mock:mock-embedding', 'backup:mock-model']));
    const model = await harness.client.models.retrieve('mock:mock-large');
    expect(model).toMatchObject({ id: 'mock:mock-large', object: 'model', owned_by: 'mock' });
    await expect(harness.client.models.retrieve('mock:nope')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('answers 400 with the bad field named, for a malformed body and for a value our validation rejects', async () => {
    const malformed = harness.client.chat.completions.create({ model: 'mock', messages: [] });
    await expect(malformed).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(malformed).rejects.toMatchObject({ status: 400, type: 'invalid_request_error', param: 'messages' });

    const outOfRange = harness.client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'x' }], temperature: 5 });
    await expect(outOfRange).rejects.toMatchObject({ status: 400, message: expect.stringContaining('temperature') });

    const unknownProvider = harness.client.chat.completions.create({ model: 'nowhere:model', messages: [{ role: 'user', content: 'x' }] });
    await expect(unknownProvider).rejects.toMatchObject({ status: 400, message: expect.stringContaining('Unknown provider "nowhere"') });

    const orphanTool = harness.client.chat.completions.create({ model: 'mock', messages: [{ role: 'tool', tool_call_id: 'x', content: 'y' }] });
    await expect(orphanTool).rejects.toMatchObject({ status: 400, param: 'messages[0].tool_call_id' });

    const notJson = await fetch(`${harness.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: 'Bearer user-1-token', 'content-type': 'application/json' }, body: '{"model":',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: { message: 'The body is not valid JSON', type: 'invalid_request_error', param: null, code: null } });
    expect(harness.mock.calls).toHaveLength(0);
  });

  it('answers 401 when authenticate refuses the caller, before touching the manager', async () => {
    const stranger = new OpenAI({ apiKey: 'wrong', baseURL: `${harness.url}/v1`, maxRetries: 0 });
    await expect(stranger.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 401, code: 'invalid_api_key',
    });
    await expect(stranger.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(harness.events.request).toHaveLength(0);
  });

  it('answers 502 when every provider failed, and 503 when they were all only overloaded', async () => {
    harness.mock.enqueue({ error: 'server' });
    harness.backup.enqueue({ error: 'server' });
    const failed = harness.client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'x' }] });
    // A single candidate: the manager still reports AllProvidersFailedError.
    await expect(failed).rejects.toMatchObject({ status: 502, code: 'all_providers_failed' });

    harness.mock.reset();
    harness.mock.enqueue({ error: 'overloaded' });
    const overloaded = harness.client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'x' }] });
    await expect(overloaded).rejects.toMatchObject({ status: 503, code: 'all_providers_unavailable' });

    // A stream that fails before any content still gets a real status code.
    harness.mock.enqueue({ error: 'overloaded', retryAfterMs: 2000 });
    const stream = harness.client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'x' }], stream: true });
    await expect(stream).rejects.toMatchObject({ status: 503 });
  });

  it('falls back through the pipeline behind the handler (resolveModel adds the chain)', async () => {
    const handler = createOpenAIHandler(harness.llm, {
      authenticate: () => ({ userId: 'user-1' }),
      resolveModel: (model) => [model, 'backup'],
    });
    harness.mock.enqueue({ error: 'server' });
    harness.backup.enqueue({ text: 'from the backup' });
    const response = await handler(new Request('http://local/v1/chat/completions', {
      method: 'POST', body: JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: 'x' }] }),
    }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ model: 'backup:mock-model', choices: [{ message: { content: 'from the backup' } }] });
    expect(harness.mock.calls).toHaveLength(1);
  });

  it('reports an error that arrives mid-stream as an error event the client raises', async () => {
    harness.mock.enqueue({ text: 'one two three four', failAfterParts: 3, failWith: { error: 'server', message: 'upstream broke' } });
    const stream = await harness.client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'x' }], stream: true });
    const received: string[] = [];
    const reading = (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })();
    await expect(reading).rejects.toMatchObject({ message: expect.stringContaining('upstream broke') });
    expect(received.join('')).toBe('one two');
  });
});

describe('429 with retry-after when one of our limits refuses the call', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ manager: { limits: { tiers: { pro: { requestsPerMinute: 1 } } } } });
  });
  afterAll(() => stopHarness(harness));

  it('lets the first call through and answers the next one 429 rate_limit_exceeded with retry-after', async () => {
    harness.mock.enqueue({ text: 'first' });
    const first = await harness.client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'x' }] });
    expect(first.choices[0]!.message.content).toBe('first');

    const call = harness.client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'x' }] });
    await expect(call).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const error = (await call.catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(429);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toContain('requests-per-minute');
    const retryAfterMs = Number(error.headers?.get('retry-after-ms'));
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(error.headers?.get('retry-after')).toBe(String(Math.ceil(retryAfterMs / 1000)));
    expect(harness.mock.calls).toHaveLength(1);

    // A refused stream gets the same status before any SSE is sent.
    const stream = harness.client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'x' }], stream: true });
    await expect(stream).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
  });
});

describe('429 insufficient_quota when a budget refuses the call', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      mock: { local: false, pricing: { inputPerMillion: 1_000, outputPerMillion: 1_000 } },
      manager: {
        budgets: [{ scope: 'user', scopeId: '*', limitUsd: 0.000001, period: 'month' }],
        pricing: { overrides: { 'mock:*': { inputPerMillion: 1_000, outputPerMillion: 1_000 } } },
      },
    });
  });
  afterAll(() => stopHarness(harness));

  it('answers 429 with retry-after until the budget period resets', async () => {
    const call = harness.client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'x' }] });
    await expect(call).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const error = (await call.catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.code).toBe('insufficient_quota');
    expect(error.message).toContain('budget:user:user-1:monthly');
    const now = new Date();
    const resetAt = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    const retryAfterMs = Number(error.headers?.get('retry-after-ms'));
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(resetAt - now.getTime() + 60_000);
    expect(error.headers?.get('retry-after')).toBe(String(Math.ceil(retryAfterMs / 1000)));
  });
});

describe('client abort', () => {
  it('cancels the upstream call when the client aborts a stream mid-way', async () => {
    const stall = createStallingSleep(2);
    const harness = await startHarness({ mock: { partDelayMs: 1, sleep: stall.sleep } });
    try {
      harness.mock.enqueue({ text: 'one two three four five' });
      const controller = new AbortController();
      const stream = await harness.client.chat.completions.create(
        { model: 'mock', messages: [{ role: 'user', content: 'x' }], stream: true },
        { signal: controller.signal },
      );
      const received: string[] = [];
      const reading = (async () => {
        for await (const chunk of stream) {
          received.push(chunk.choices[0]?.delta.content ?? '');
          if (received.join('') === 'one two') controller.abort();
        }
      })();
      await reading.catch(() => undefined);
      await stall.aborted;
      expect(received.join('')).toBe('one two');
      expect(stall.aborts).toHaveLength(1);
      await expect.poll(() => harness.events.error.map((event) => event.error.name)).toEqual(['AbortedError']);
    } finally {
      await stopHarness(harness);
    }
  });

  it('cancels the upstream call when the client aborts a non-streaming request', async () => {
    const stall = createStallingSleep(0);
    const harness = await startHarness({ mock: { latencyMs: 5, sleep: stall.sleep } });
    try {
      const controller = new AbortController();
      const call = harness.client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'x' }] }, { signal: controller.signal });
      await expect.poll(() => harness.mock.calls.length).toBe(1);
      controller.abort();
      await expect(call).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
      await stall.aborted;
      expect(stall.aborts).toHaveLength(1);
      await expect.poll(() => harness.events.error.map((event) => event.error.name)).toEqual(['AbortedError']);
    } finally {
      await stopHarness(harness);
    }
  });
});

describe('the same handler mounted in Hono', () => {
  it('serves chat, streaming and models through app.request()', async () => {
    const mock = createMockProvider();
    const llm = createLLMManager({ providers: [mock], fetch: globalThis.fetch });
    const handler = createOpenAIHandler(llm, { authenticate: (request) => (request.headers.get('authorization') ? { userId: 'hono-user' } : null) });
    const app = new Hono();
    app.all('/v1/*', (c) => handler(c.req.raw));

    mock.enqueue({ text: 'from hono' });
    const headers = { authorization: 'Bearer x', 'content-type': 'application/json' };
    const chat = await app.request('/v1/chat/completions', { method: 'POST', headers, body: JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(chat.status).toBe(200);
    expect(await chat.json()).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'from hono' } }] });

    mock.enqueue({ text: 'streamed here' });
    const stream = await app.request('/v1/chat/completions', {
      method: 'POST', headers, body: JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    const text = await stream.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const content = text.split('\n\n').filter((event) => event.startsWith('data: {')).map((event) => JSON.parse(event.slice(6)).choices[0]?.delta.content ?? '').join('');
    expect(content).toBe('streamed here');

    const models = await app.request('/v1/models', { headers });
    expect((await models.json()).data.map((model: { id: string }) => model.id)).toContain('mock:mock-model');
    expect((await app.request('/v1/models')).status).toBe(401);
    expect((await app.request('/v1/chat/completions', { headers })).status).toBe(405);
    expect((await app.request('/v1/unknown', { headers })).status).toBe(404);
    await llm.close();
  });
});
