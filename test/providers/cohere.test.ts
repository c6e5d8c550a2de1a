import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LLMError } from '../../src/errors/llm-error';
import { createCohere } from '../../src/providers/cohere';
import type { ProviderChatCall } from '../../src/spec/chat';
import { readFixture, framedFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { collectStream, describeProviderConformance, type ProviderFixtureCase } from './provider-conformance';

const apiKey = 'co-test-key-0123456789';
const createProvider = (url: string) => createCohere({ apiKey, baseUrl: `${url}/v2` });

const weatherTools: ProviderChatCall['tools'] = [
  { name: 'weather', description: 'Weather in a location', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } },
  { name: 'cityAttractions', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
];

const checkChatRequest = (stream: boolean) => (request: { url: string; headers: Record<string, unknown>; body: any }) => {
  expect(request.url).toBe('/v2/chat');
  expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
  expect(request.body.stream).toBe(stream);
  expect(request.body.model).toBe('test-model');
  expect(request.body.messages).toEqual([{ role: 'user', content: 'Hello' }]);
};

const checkToolRequest = (stream: boolean) => (request: { url: string; headers: Record<string, unknown>; body: any }) => {
  checkChatRequest(stream)(request);
  expect(request.body.tools).toEqual([
    { type: 'function', function: { name: 'weather', description: 'Weather in a location', parameters: weatherTools![0]!.parameters } },
    { type: 'function', function: { name: 'cityAttractions', parameters: weatherTools![1]!.parameters } },
  ]);
  expect(request.body.tool_choice).toBeUndefined();
};

// Expected values are read off the recordings in ../shared/fixtures/providers/cohere. Usage is the
// billed units (see cohere-usage.ts); the tool plan is reported as reasoning.
const cases: ProviderFixtureCase[] = [
  {
    name: 'text stream',
    fixture: 'cohere/cohere-text.chunks.txt',
    recipe: 'E',
    createProvider,
    expected: {
      text: 'The capital of France is Paris.',
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 7, totalTokens: 19 },
      responseId: '321d178c-2c12-44d3-ae42-2f5510f6b1cc',
    },
    checkRequest: checkChatRequest(true),
  },
  {
    name: 'text JSON',
    fixture: 'cohere/cohere-text.json',
    recipe: 'H',
    createProvider,
    expected: {
      text: 'The capital of France is Paris.',
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 7, totalTokens: 19 },
      responseId: 'e7592632-1e3d-424f-b129-bd5f9f980f7b',
    },
    checkRequest: checkChatRequest(false),
  },
  {
    name: 'two tool calls streamed in fragments',
    fixture: 'cohere/cohere-tool-call.chunks.txt',
    recipe: 'E',
    createProvider,
    call: { tools: weatherTools },
    expected: {
      text: '',
      reasoning: 'I will use the weather tool to find the weather in San Francisco and the cityAttractions tool to find attractions in San Francisco.',
      toolCalls: [
        { id: 'weather_e8p4pn45zt0t', name: 'weather', arguments: { location: 'San Francisco' } },
        { id: 'cityAttractions_pyxssbwnq9fq', name: 'cityAttractions', arguments: { city: 'San Francisco' } },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 119, outputTokens: 44, totalTokens: 163 },
      responseId: '2941521a-b87a-45f6-9b0d-235fd66c3025',
    },
    checkRequest: checkToolRequest(true),
  },
  {
    name: 'two tool calls JSON',
    fixture: 'cohere/cohere-tool-call.json',
    recipe: 'H',
    createProvider,
    call: { tools: weatherTools },
    expected: {
      text: '',
      reasoning:
        'I will use the weather tool to find out the weather in San Francisco. I will also use the cityAttractions tool to find out what attractions are in San Francisco.',
      toolCalls: [
        { id: 'weather_dqgshstja6p9', name: 'weather', arguments: { location: 'San Francisco' } },
        { id: 'cityAttractions_dcxfx4myvx68', name: 'cityAttractions', arguments: { city: 'San Francisco' } },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 119, outputTokens: 52, totalTokens: 171 },
      responseId: 'f201af17-e24a-4396-8f6a-98e8bf9c3432',
    },
    checkRequest: checkToolRequest(false),
  },
  {
    name: 'thinking block then text, streamed',
    fixture: 'cohere/cohere-reasoning.chunks.txt',
    recipe: 'E',
    createProvider,
    expected: {
      text: 'The answer to 2 + 2 is 4.',
      reasoning:
        "The user is asking for the sum of 2 and 2. Since this is a straightforward arithmetic problem, I don't need to use any tools. I can calculate the answer directly.",
      finishReason: 'stop',
      usage: { inputTokens: 8, outputTokens: 50, totalTokens: 58 },
      responseId: 'c9117d7f-a7e4-499f-b643-a2a1e139687b',
    },
  },
  {
    name: 'thinking block then text, JSON',
    fixture: 'cohere/cohere-reasoning.json',
    recipe: 'H',
    createProvider,
    expected: {
      text: '2 + 2 = 4',
      reasoning: 'Okay, so I need to figure out what 2 + 2 is. Let me start by recalling what addition means.',
      finishReason: 'stop',
      usage: { inputTokens: 8, outputTokens: 578, totalTokens: 586 },
      responseId: '53bcb235-5179-4a91-a578-cb372b5430bc',
    },
  },
  {
    name: 'tool call with empty arguments',
    fixture: 'cohere/cohere-empty-tool-call.chunks.txt',
    recipe: 'E',
    createProvider,
    call: { tools: [{ name: 'currentTime', parameters: { type: 'object', properties: {} } }] },
    expected: {
      text: '',
      reasoning: 'I will use the currentTime tool to find the current time.',
      toolCalls: [{ id: 'currentTime_y46ar19t5gvw', name: 'currentTime', arguments: {} }],
      finishReason: 'tool-calls',
      usage: { inputTokens: 46, outputTokens: 14, totalTokens: 60 },
      responseId: '66dec7d7-45e6-427c-8fd9-7d6375d12046',
    },
  },
  {
    name: 'cut off by MAX_TOKENS',
    fixture: 'cohere/cohere-max-tokens.json',
    recipe: 'H',
    createProvider,
    expected: {
      text: '**The History of',
      finishReason: 'length',
      usage: { inputTokens: 11, outputTokens: 4, totalTokens: 15 },
      responseId: '039584d9-7236-4ecb-9dd7-f1bed57888bc',
    },
  },
];

describeProviderConformance('cohere', cases);

describe('cohere adapter', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const context = () => ({ fetch: globalThis.fetch });
  const call: ProviderChatCall = { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Hi' }] };

  async function caught(run: Promise<unknown>): Promise<LLMError> {
    const error = await run.then(() => undefined, (failure: unknown) => failure);
    expect(LLMError.isInstance(error), `expected an LLMError, got ${String(error)}`).toBe(true);
    return error as LLMError;
  }

  it('maps 401 to AuthenticationError without leaking the key', async () => {
    server.enqueue({ status: 401, body: JSON.stringify({ message: 'invalid api token' }) });
    const error = await caught(createProvider(server.url).chat(call, context()));
    expect(error.name).toBe('AuthenticationError');
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('invalid api token');
    expect(JSON.stringify(error)).not.toContain(apiKey);
  });

  it('maps 429 to ProviderRateLimitError with Retry-After', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after': '7' }, body: JSON.stringify({ message: "You are using a Trial key, which is limited to 10 API calls / minute." }) });
    const error = await caught(createProvider(server.url).chat(call, context()));
    expect(error.name).toBe('ProviderRateLimitError');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(7000);
  });

  it('maps 500 to a retryable ServerError, for streams too', async () => {
    server.enqueue({ status: 500, body: JSON.stringify({ message: 'internal server error, this has been reported to our developers' }) });
    const error = await caught(collectStream(createProvider(server.url).stream(call, context())));
    expect(error.name).toBe('ServerError');
    expect(error.status).toBe(500);
    expect(error.retryable).toBe(true);
  });

  it('maps a "too many tokens" 400 to ContextLengthExceededError', async () => {
    server.enqueue({ status: 400, body: JSON.stringify({ message: 'too many tokens: total number of tokens in the prompt cannot exceed 4081 - received 4292.' }) });
    const error = await caught(createProvider(server.url).chat(call, context()));
    expect(error.name).toBe('ContextLengthExceededError');
  });

  it('throws when the stream ends without message-end', async () => {
    const events = framedFixture('cohere/cohere-text.chunks.txt', 'E');
    server.enqueue({ body: events.slice(0, -1) });
    const error = await caught(collectStream(createProvider(server.url).stream(call, context())));
    expect(error.name).toBe('InvalidResponseError');
    expect(error.message).toContain('message-end');
  });

  it('throws when the connection drops mid-stream', async () => {
    server.enqueue({ body: framedFixture('cohere/cohere-text.chunks.txt', 'E'), destroyAfterPieces: 4 });
    const seen: string[] = [];
    const error = await caught(
      (async () => {
        for await (const part of createProvider(server.url).stream(call, context())) seen.push(part.type);
      })(),
    );
    expect(['NetworkError', 'InvalidResponseError']).toContain(error.name);
    expect(seen).not.toContain('finish');
  });

  it('turns an error event inside the stream into a thrown typed error', async () => {
    const events = framedFixture('cohere/cohere-text.chunks.txt', 'E').slice(0, 3);
    events.push(`event: error\ndata: ${JSON.stringify({ type: 'error', message: 'rate limit exceeded', code: 'rate_limit_exceeded' })}\n\n`);
    server.enqueue({ body: events });
    const error = await caught(collectStream(createProvider(server.url).stream(call, context())));
    expect(error.name).toBe('ProviderRateLimitError');
  });

  it('needs a key before any network call, and takes a per-call key over the managed one', async () => {
    const before = server.requests.length;
    const error = await caught(createCohere({ baseUrl: `${server.url}/v2` }).chat(call, context()));
    expect(error.name).toBe('AuthenticationError');
    expect(server.requests.length).toBe(before);

    server.enqueue({ body: readFixture('cohere/cohere-text.json') });
    await createProvider(server.url).chat(call, { ...context(), apiKey: 'user-own-key-987654' });
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer user-own-key-987654');
  });

  it('converts messages, tools, tool choice, response format and settings', async () => {
    server.enqueue({ body: readFixture('cohere/cohere-text.json') });
    const bytes = new Uint8Array([137, 80, 78, 71]);
    await createProvider(server.url).chat(
      {
        model: 'command-a-03-2025',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', image: bytes, mediaType: 'image/png' }] },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'I should check the weather.' },
              { type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', arguments: { location: 'Paris' } },
            ],
          },
          { role: 'tool', toolCallId: 'call_1', toolName: 'weather', content: '{"celsius":21}' },
        ],
        tools: weatherTools,
        toolChoice: { type: 'tool', name: 'weather' },
        responseFormat: { type: 'json-schema', schema: { type: 'object', properties: { answer: { type: 'string' } } } },
        temperature: 0.2,
        topP: 0.9,
        maxTokens: 100,
        stop: ['END'],
        seed: 7,
        providerOptions: { cohere: { thinking: { type: 'enabled', token_budget: 512 } } },
      },
      context(),
    );
    const body = server.requests.at(-1)!.body;
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw==' } }] },
      {
        role: 'assistant',
        tool_plan: 'I should check the weather.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"location":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"celsius":21}' },
    ]);
    expect(body.tools.map((tool: any) => tool.function.name)).toEqual(['weather']);
    expect(body.tool_choice).toBe('REQUIRED');
    expect(body.response_format).toEqual({ type: 'json_object', json_schema: { type: 'object', properties: { answer: { type: 'string' } } } });
    expect(body).toMatchObject({ temperature: 0.2, p: 0.9, max_tokens: 100, stop_sequences: ['END'], seed: 7, thinking: { type: 'enabled', token_budget: 512 } });
  });

  it('embeds with embedding_types float and reports billed tokens', async () => {
    server.enqueue({ body: readFixture('cohere/cohere-embedding.json') });
    const result = await createProvider(server.url).embed!(
      { model: 'embed-v4.0', input: ['sunny day at the beach', 'rainy day in the city'] },
      context(),
    );
    expect(result.embeddings).toEqual([
      [0.03302002, 0.020904541, -0.019744873, -0.0625, 0.04437256],
      [-0.04660034, 0.00037765503, -0.061157227, -0.08239746, -0.010360718],
    ]);
    expect(result.usage).toEqual({ inputTokens: 10 });
    const request = server.requests.at(-1)!;
    expect(request.url).toBe('/v2/embed');
    expect(request.body).toEqual({
      model: 'embed-v4.0',
      texts: ['sunny day at the beach', 'rainy day in the city'],
      input_type: 'search_document',
      embedding_types: ['float'],
    });
  });

  it('rejects an embed answer whose vector count does not match the input', async () => {
    server.enqueue({ body: readFixture('cohere/cohere-embedding.json') });
    const error = await caught(createProvider(server.url).embed!({ model: 'embed-v4.0', input: ['only one'] }, context()));
    expect(error.name).toBe('InvalidResponseError');
  });

  it('lists chat and embed models from /v1/models (constructed response, documented shape)', async () => {
    server.enqueue({
      body: JSON.stringify({
        models: [
          { name: 'command-a-03-2025', endpoints: ['generate', 'chat', 'summarize'], features: ['json_mode', 'json_schema', 'tool_use', 'strict_tools'], context_length: 256000 },
          { name: 'embed-v4.0', endpoints: ['embed'], features: null, context_length: 128000 },
          { name: 'rerank-v3.5', endpoints: ['rerank'], context_length: 4096 },
        ],
      }),
    });
    const models = await createProvider(server.url).listModels!(context());
    expect(server.requests.at(-1)!.url).toBe('/v1/models?page_size=1000');
    expect(models.map((model) => model.id)).toEqual(['cohere:command-a-03-2025', 'cohere:embed-v4.0']);
    expect(models[0]).toMatchObject({ contextWindow: 256000, capabilities: { tools: true, json: true, embedding: false }, pricing: { inputPerMillion: 2.5 } });
    expect(models[1]!.capabilities.embedding).toBe(true);
  });

  it('keeps the key out of the provider object', () => {
    const provider = createCohere({ apiKey });
    expect(provider.hasApiKey).toBe(true);
    expect(JSON.stringify(provider)).not.toContain(apiKey);
    expect(provider).toMatchObject({ id: 'cohere', wireFormat: 'cohere', local: false, baseUrl: 'https://api.cohere.com/v2', defaultEmbeddingModel: 'embed-v4.0' });
  });
});
