import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LLMError } from '../../src/errors/llm-error';
import { createAnthropic } from '../../src/providers/anthropic';
import type { ProviderChatCall } from '../../src/spec/chat';
import type { ProviderStreamPart } from '../../src/spec/stream';
import { framedFixture, readChunks, readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { collectStream, describeProviderConformance, type ProviderFixtureCase } from './provider-conformance';

const create = (baseUrl: string) => createAnthropic({ apiKey: 'sk-ant-test-key-0000000000', baseUrl: `${baseUrl}/v1` });
const json = (path: string) => JSON.parse(readFixture(path));

// Tiny independent extractions, for recordings too long to copy into the test by hand.
const streamedText = (path: string) =>
  readChunks(path)
    .filter((chunk) => chunk.type === 'content_block_delta' && chunk.delta.type === 'text_delta')
    .map((chunk) => chunk.delta.text)
    .join('');
const blockText = (path: string, type: 'text' | 'thinking') =>
  json(path).content.filter((block: any) => block.type === type).map((block: any) => block[type]).join('');
const jsonToolInput = json('anthropic/anthropic-json-tool.1.json').content[0].input;
const jsonSchema = { type: 'object', properties: { elements: { type: 'array', items: { type: 'object' } } }, required: ['elements'] };

const checkMessagesRequest = (request: { url: string; headers: Record<string, unknown>; body: any }) => {
  expect(request.url).toBe('/v1/messages');
  expect(request.headers['x-api-key']).toBe('sk-ant-test-key-0000000000');
  expect(request.headers['anthropic-version']).toBe('2023-06-01');
  expect(request.body.model).toBe('test-model');
  expect(request.body.max_tokens).toBe(4096);
};

const cases: ProviderFixtureCase[] = [
  {
    name: 'anthropic-text stream: text, usage from message_start + message_delta',
    fixture: 'anthropic/anthropic-text.chunks.txt',
    recipe: 'C',
    createProvider: create,
    expected: {
      text: "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?",
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 30, totalTokens: 42, cachedInputTokens: 0 },
      responseId: 'msg_01QC4g3HwBThD4BaNtBckFDJ',
    },
    checkRequest: (request) => {
      checkMessagesRequest(request);
      expect(request.body.stream).toBe(true);
      expect(request.body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]);
    },
  },
  {
    name: 'anthropic-tool-no-args stream: tool_use with input {} and pings',
    fixture: 'anthropic/anthropic-tool-no-args.chunks.txt',
    recipe: 'C',
    createProvider: create,
    expected: {
      text: "I'll update the issue list for you.",
      toolCalls: [{ id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', arguments: {} }],
      finishReason: 'tool-calls',
      usage: { inputTokens: 565, outputTokens: 48 },
    },
  },
  {
    name: 'anthropic-json-tool.2 stream without JSON mode: a plain tool call named json',
    fixture: 'anthropic/anthropic-json-tool.2.chunks.txt',
    recipe: 'C',
    createProvider: create,
    expected: {
      text: "I'll invoke the JSON response tool.",
      toolCalls: [{ id: 'toolu_01KFbKqPYSuAKujiL6mTfzYA', name: 'json', arguments: { elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }] } }],
      finishReason: 'tool-calls',
      usage: { inputTokens: 849, outputTokens: 47 },
    },
  },
  {
    name: 'anthropic-json-tool.2 stream in JSON-schema mode: the forced tool input is the text',
    fixture: 'anthropic/anthropic-json-tool.2.chunks.txt',
    recipe: 'C',
    createProvider: create,
    call: { responseFormat: { type: 'json-schema', schema: jsonSchema } },
    expected: {
      text: '{"elements": [{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]}',
      finishReason: 'stop',
      usage: { inputTokens: 849, outputTokens: 47 },
    },
    checkRequest: (request) => {
      expect(request.body.tools).toEqual([expect.objectContaining({ name: 'json', input_schema: jsonSchema })]);
      expect(request.body.tool_choice).toEqual({ type: 'tool', name: 'json' });
    },
  },
  {
    name: 'anthropic-clear-thinking stream: thinking deltas become reasoning, signature_delta ignored',
    fixture: 'anthropic/anthropic-clear-thinking.1.chunks.txt',
    recipe: 'C',
    createProvider: create,
    expected: {
      reasoning: 'The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185',
      text: '925 ÷ 5 = 185',
      finishReason: 'stop',
      usage: { inputTokens: 69, outputTokens: 53 },
      responseId: 'msg_01Y6V41gqPaKWEw7iPouH7iW',
    },
  },
  {
    name: 'anthropic-compatible stream: real input_tokens only in message_delta',
    fixture: 'anthropic/anthropic-message-delta-input-tokens.chunks.txt',
    recipe: 'C',
    createProvider: create,
    expected: { text: 'pong', finishReason: 'stop', usage: { inputTokens: 61, outputTokens: 2, totalTokens: 63 }, responseId: 'msg_3196a1cc08de4d76b85b8f5777c0d42b' },
  },
  {
    name: 'anthropic-web-search stream: server tool blocks are not client tool calls',
    fixture: 'anthropic/anthropic-web-search-tool.1.chunks.txt',
    recipe: 'C',
    createProvider: create,
    expected: {
      text: streamedText('anthropic/anthropic-web-search-tool.1.chunks.txt'),
      finishReason: 'stop',
      usage: { inputTokens: 15665, outputTokens: 795 },
      responseId: 'msg_01LHpEgU4KbfgXGVi3UtHQY1',
    },
  },
  {
    name: 'basic_response.txt raw SSE bytes: message_delta without input_tokens keeps message_start input',
    fixture: 'anthropic/basic_response.txt',
    recipe: 'G',
    createProvider: create,
    expected: { text: 'Hello there!', finishReason: 'stop', usage: { inputTokens: 11, outputTokens: 6 }, responseId: 'msg_4QpJur2dWWDjF6C758FbBw5vm12BaVipnK' },
  },
  {
    name: 'tool_use_response.txt raw SSE bytes: partial_json fragments joined',
    fixture: 'anthropic/tool_use_response.txt',
    recipe: 'G',
    createProvider: create,
    expected: {
      text: "I'll check the current weather in Paris for you.",
      toolCalls: [{ id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn', name: 'get_weather', arguments: { location: 'Paris' } }],
      finishReason: 'tool-calls',
      usage: { inputTokens: 377, outputTokens: 65, cachedInputTokens: 0 },
    },
  },
  {
    name: 'anthropic-text.json',
    fixture: 'anthropic/anthropic-text.json',
    recipe: 'H',
    createProvider: create,
    expected: {
      text: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?",
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 29, cachedInputTokens: 0 },
      responseId: 'msg_01VdEjxAP5ahtHKrrRdNBteQ',
    },
    checkRequest: (request) => {
      checkMessagesRequest(request);
      expect(request.body.stream).toBeUndefined();
    },
  },
  {
    name: 'anthropic-tool-no-args.json',
    fixture: 'anthropic/anthropic-tool-no-args.json',
    recipe: 'H',
    createProvider: create,
    expected: {
      text: blockText('anthropic/anthropic-tool-no-args.json', 'text'),
      toolCalls: [{ id: 'toolu_01LRmxn9vGM1d2DZSDBowdZ1', name: 'updateIssueList', arguments: {} }],
      finishReason: 'tool-calls',
      usage: { inputTokens: 602, outputTokens: 93 },
    },
  },
  {
    name: 'anthropic-json-tool.1.json without JSON mode',
    fixture: 'anthropic/anthropic-json-tool.1.json',
    recipe: 'H',
    createProvider: create,
    expected: {
      text: '',
      toolCalls: [{ id: 'toolu_01Q9ExVZnzZj7E2QQYHYtNUa', name: 'json', arguments: jsonToolInput }],
      finishReason: 'tool-calls',
      usage: { inputTokens: 1151, outputTokens: 87 },
    },
  },
  {
    name: 'anthropic-json-tool.1.json in JSON mode: tool input is the answer',
    fixture: 'anthropic/anthropic-json-tool.1.json',
    recipe: 'H',
    createProvider: create,
    call: { responseFormat: { type: 'json' } },
    expected: { text: JSON.stringify(jsonToolInput), finishReason: 'stop', usage: { inputTokens: 1151, outputTokens: 87 } },
    checkRequest: (request) => {
      expect(request.body.tools[0]).toMatchObject({ name: 'json', input_schema: { type: 'object', additionalProperties: true } });
      expect(request.body.tool_choice).toEqual({ type: 'tool', name: 'json' });
    },
  },
  {
    name: 'anthropic-clear-thinking.1.json',
    fixture: 'anthropic/anthropic-clear-thinking.1.json',
    recipe: 'H',
    createProvider: create,
    expected: { reasoning: '925 divided by 5 = 185', text: '925 ÷ 5 = 185', finishReason: 'stop', usage: { inputTokens: 69, outputTokens: 33 } },
  },
  {
    name: 'anthropic-claude-opus-5-reasoning-high.1.json: thinking_tokens → reasoningTokens',
    fixture: 'anthropic/anthropic-claude-opus-5-reasoning-high.1.json',
    recipe: 'H',
    createProvider: create,
    expected: {
      reasoning: blockText('anthropic/anthropic-claude-opus-5-reasoning-high.1.json', 'thinking'),
      text: blockText('anthropic/anthropic-claude-opus-5-reasoning-high.1.json', 'text'),
      finishReason: 'stop',
      usage: { inputTokens: 51, outputTokens: 1699, reasoningTokens: 139 },
      responseId: 'msg_011CdMNhurHSJCxCC2NB7WYc',
    },
  },
  {
    name: 'anthropic-web-fetch-tool.error.json: a server tool error inside a 200 answer is not an HTTP error',
    fixture: 'anthropic/anthropic-web-fetch-tool.error.json',
    recipe: 'H',
    createProvider: create,
    expected: {
      text: blockText('anthropic/anthropic-web-fetch-tool.error.json', 'text'),
      finishReason: 'stop',
      usage: { inputTokens: 1902, outputTokens: 214 },
    },
  },
];

describeProviderConformance('anthropic', cases);

describe('anthropic adapter', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const context = { fetch: globalThis.fetch };

  async function failure(run: Promise<unknown>): Promise<LLMError> {
    const error = await run.then(() => undefined, (caught: unknown) => caught);
    expect(LLMError.isInstance(error), `expected an LLMError, got ${String(error)}`).toBe(true);
    return error as LLMError;
  }

  it('puts system messages at the top level, turns tool messages into merged tool_result user turns', async () => {
    server.enqueue({ body: readFixture('anthropic/anthropic-text.json') });
    const provider = createAnthropic({ apiKey: 'sk-ant-test-key-0000000000', baseUrl: `${server.url}/v1`, headers: { 'anthropic-beta': 'x' } });
    const call: ProviderChatCall = {
      model: 'claude-haiku-4-5',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }, { type: 'image', image: 'data:image/png;base64,iVBORw0KGgo=' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'two lookups', signature: 'sig-1' },
            { type: 'reasoning', text: 'no signature, cannot be replayed' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool-call', toolCallId: 'toolu_1', toolName: 'get_weather', arguments: { city: 'Paris' } },
            { type: 'tool-call', toolCallId: 'toolu_2', toolName: 'get_weather', arguments: { city: 'Rome' } },
          ],
        },
        { role: 'tool', toolCallId: 'toolu_1', content: '{"celsius":21}' },
        { role: 'tool', toolCallId: 'toolu_2', content: '{"celsius":25}' },
        { role: 'user', content: 'And tomorrow?' },
        { role: 'system', content: 'Use Celsius.' },
      ],
      tools: [{ name: 'get_weather', description: 'Weather by city', parameters: z.object({ city: z.string() }) }],
      toolChoice: 'required',
      temperature: 0.2,
      stop: ['END'],
      maxTokens: 300,
      providerOptions: { anthropic: { metadata: { user_id: 'u1' } }, openai: { ignored: true } },
    };
    const result = await provider.chat(call, { ...context, headers: { 'x-trace': 't1' } });
    expect(result.text).toContain('Hello!');
    const request = server.requests.at(-1)!;
    expect(request.headers['anthropic-beta']).toBe('x');
    expect(request.headers['x-trace']).toBe('t1');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body.system).toEqual([{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Use Celsius.' }]);
    expect(request.body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather in Paris and Rome?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'two lookups', signature: 'sig-1' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '{"celsius":21}' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: '{"celsius":25}' },
          { type: 'text', text: 'And tomorrow?' },
        ],
      },
    ]);
    expect(request.body.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather by city',
        input_schema: expect.objectContaining({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
      },
    ]);
    expect(request.body.tools[0].input_schema.$schema).toBeUndefined();
    expect(request.body.tool_choice).toEqual({ type: 'any' });
    expect(request.body).toMatchObject({ temperature: 0.2, stop_sequences: ['END'], max_tokens: 300, metadata: { user_id: 'u1' } });
    expect(request.body.ignored).toBeUndefined();
  });

  it('returns thinking signatures in reasoningParts so a tool loop can replay them', async () => {
    server.enqueue({ body: readFixture('anthropic/anthropic-clear-thinking.1.json') });
    const result = await create(server.url).chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, context);
    const block = json('anthropic/anthropic-clear-thinking.1.json').content[0];
    expect(result.reasoningParts).toEqual([{ type: 'reasoning', text: block.thinking, signature: block.signature }]);
  });

  it('widens max_tokens past the thinking budget and never forces a tool while thinking', async () => {
    server.enqueue({ body: readFixture('anthropic/anthropic-json-tool.1.json') });
    const result = await create(server.url).chat(
      {
        model: 'm',
        messages: [{ role: 'user', content: 'x' }],
        responseFormat: { type: 'json' },
        providerOptions: { anthropic: { thinking: { type: 'enabled', budget_tokens: 2000 } } },
      },
      context,
    );
    expect(JSON.parse(result.text)).toEqual(jsonToolInput);
    const body = server.requests.at(-1)!.body;
    expect(body.max_tokens).toBe(6096);
    expect(body.tool_choice).toEqual({ type: 'auto' });
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 2000 });
    expect(body.system.at(-1).text).toContain('"json" tool');
  });

  it('maps 401 to AuthenticationError', async () => {
    server.enqueue({ status: 401, body: JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }) });
    const error = await failure(create(server.url).chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, context));
    expect(error.name).toBe('AuthenticationError');
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
  });

  it('maps 429 with retry-after to ProviderRateLimitError with retryAfterMs', async () => {
    server.enqueue({
      status: 429,
      headers: { 'retry-after': '7', 'request-id': 'req_123' },
      body: JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } }),
    });
    const error = await failure(create(server.url).chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, context));
    expect(error.name).toBe('ProviderRateLimitError');
    expect(error.retryAfterMs).toBe(7000);
    expect(error.retryable).toBe(true);
    expect(error.requestId).toBe('req_123');
  });

  it('maps a 529 overloaded body (also on a stream request) to OverloadedError', async () => {
    const overloaded = JSON.stringify({ type: 'error', error: { details: null, type: 'overloaded_error', message: 'Overloaded' } });
    server.enqueue({ status: 529, body: overloaded });
    const error = await failure(collectStream(create(server.url).stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, context)));
    expect(error.name).toBe('OverloadedError');
    expect(error.status).toBe(529);
    expect(error.retryable).toBe(true);
  });

  it('turns event: error in the middle of a stream into a thrown typed error after the parts before it', async () => {
    const pieces = framedFixture('anthropic/anthropic-text.chunks.txt', 'C').slice(0, 4);
    pieces.push(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { details: null, type: 'overloaded_error', message: 'Overloaded' } })}\n\n`);
    server.enqueue({ body: pieces });
    const parts: ProviderStreamPart[] = [];
    const error = await failure(
      (async () => {
        for await (const part of create(server.url).stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, context)) parts.push(part);
      })(),
    );
    expect(error.name).toBe('OverloadedError');
    expect(error.retryable).toBe(true);
    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'text-delta']);
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
  });

  it('a connection cut mid-stream throws NetworkError, never a finish', async () => {
    server.enqueue({ body: framedFixture('anthropic/anthropic-text.chunks.txt', 'C'), destroyAfterPieces: 5 });
    const parts: ProviderStreamPart[] = [];
    const error = await failure(
      (async () => {
        for await (const part of create(server.url).stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, context)) parts.push(part);
      })(),
    );
    expect(error.name).toBe('NetworkError');
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
  });

  it('a body that ends cleanly without message_stop throws InvalidResponseError', async () => {
    server.enqueue({ body: framedFixture('anthropic/anthropic-text.chunks.txt', 'C').slice(0, -1) });
    const error = await failure(collectStream(create(server.url).stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, context)));
    expect(error.name).toBe('InvalidResponseError');
    expect(error.message).toContain('message_stop');
  });

  it('return() from the consumer aborts the upstream request', async () => {
    server.enqueue({ body: framedFixture('anthropic/anthropic-text.chunks.txt', 'C'), stallAfterPieces: 4 });
    let upstreamSignal: AbortSignal | undefined;
    const spyFetch: typeof fetch = (input, init) => {
      upstreamSignal = init?.signal ?? undefined;
      return globalThis.fetch(input, init);
    };
    const seen: string[] = [];
    for await (const part of create(server.url).stream({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { fetch: spyFetch })) {
      seen.push(part.type);
      if (part.type === 'text-delta') break;
    }
    expect(seen).toEqual(['response-metadata', 'text-delta']);
    expect(upstreamSignal?.aborted).toBe(true);
  });

  it('sends nothing and throws AuthenticationError when no key is available; a per-call key works', async () => {
    const before = server.requests.length;
    const keyless = createAnthropic({ baseUrl: `${server.url}/v1` });
    expect(keyless.hasApiKey).toBe(false);
    const error = await failure(keyless.chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, context));
    expect(error.name).toBe('AuthenticationError');
    expect(server.requests.length).toBe(before);
    server.enqueue({ body: readFixture('anthropic/anthropic-text.json') });
    await keyless.chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { ...context, apiKey: 'sk-ant-user-key-1111111111' });
    expect(server.requests.at(-1)!.headers['x-api-key']).toBe('sk-ant-user-key-1111111111');
  });

  it('never exposes its key in JSON or inspect output', () => {
    const provider = createAnthropic({ apiKey: 'sk-ant-secret-key-9999999999' });
    expect(JSON.stringify(provider)).not.toContain('secret');
    expect(String(Object.values(provider))).not.toContain('secret');
  });

  it('rejects bad input with typed errors naming the problem, before any request', async () => {
    const before = server.requests.length;
    const provider = create(server.url);
    const onlySystem = await failure(provider.chat({ model: 'm', messages: [{ role: 'system', content: 'x' }] }, context));
    expect(onlySystem.name).toBe('InvalidRequestError');
    const badTool = await failure(
      provider.chat({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ name: 't', parameters: { type: 'string' } }] }, context),
    );
    expect(badTool.message).toContain('tool "t" parameters must be an object schema');
    const bareImage = await failure(provider.chat({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image', image: 'AAAA' }] }] }, context));
    expect(bareImage.message).toContain('messages[0]');
    expect(server.requests.length).toBe(before);
    expect(() => createAnthropic({ baseUrl: 'not a url' })).toThrow(/baseUrl/);
  });

  it('lists models from /v1/models across pages, with catalogue facts for known aliases', async () => {
    server.enqueue(
      { body: JSON.stringify({ data: [{ type: 'model', id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5' }], has_more: true, last_id: 'claude-haiku-4-5-20251001' }) },
      { body: JSON.stringify({ data: [{ type: 'model', id: 'claude-3-haiku-20240307', display_name: 'Claude Haiku 3' }], has_more: false, last_id: 'claude-3-haiku-20240307' }) },
    );
    const models = await create(server.url).listModels!(context);
    expect(server.requests.at(-2)!.url).toBe('/v1/models?limit=1000');
    expect(server.requests.at(-1)!.url).toBe('/v1/models?limit=1000&after_id=claude-haiku-4-5-20251001');
    expect(models.map((model) => model.id)).toEqual(['anthropic:claude-haiku-4-5-20251001', 'anthropic:claude-3-haiku-20240307']);
    expect(models[0]).toMatchObject({ contextWindow: 200_000, pricing: { inputPerMillion: 1, outputPerMillion: 5 }, capabilities: { reasoning: true } });
    expect(models[1]).toMatchObject({ capabilities: { tools: true, reasoning: false }, local: false });
  });
});
