import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LLMError } from '../../src/errors/llm-error';
import { createOpenAI } from '../../src/providers/openai';
import type { ProviderChatCall } from '../../src/spec/chat';
import type { ProviderStreamPart } from '../../src/spec/stream';
import { framedFixture, frameEvents, readChunkLines, readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { expectedFromChunks, expectedFromJson } from './openai-fixture-expectations';
import { collectStream, describeProviderConformance } from './provider-conformance';

const apiKey = 'sk-test-0123456789abcdefghij';
const openAI = (baseUrl: string) => createOpenAI({ apiKey, baseUrl });
const context = { fetch: globalThis.fetch };
const hello: ProviderChatCall = { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hello' }] };

function checkOpenAIRequest(stream: boolean) {
  return (request: { url: string; headers: Record<string, unknown>; body: any }) => {
    expect(request.url).toBe('/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request.body.model).toBe('test-model');
    if (stream) expect(request.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    else expect(request.body.stream).toBeUndefined();
  };
}

describeProviderConformance('openai', [
  {
    name: 'openai-text stream (trailing usage chunk with choices: [])',
    fixture: 'openai/openai-text.chunks.txt',
    recipe: 'A',
    createProvider: openAI,
    expected: expectedFromChunks('openai/openai-text.chunks.txt'),
    checkRequest: checkOpenAIRequest(true),
  },
  {
    name: 'openai-text non-streaming',
    fixture: 'openai/openai-text.json',
    recipe: 'H',
    createProvider: openAI,
    expected: expectedFromJson('openai/openai-text.json'),
    checkRequest: checkOpenAIRequest(false),
  },
  {
    name: 'azure model router stream (empty first chunk, reasoning tokens)',
    fixture: 'openai/azure-model-router.1.chunks.txt',
    recipe: 'A',
    createProvider: openAI,
    expected: expectedFromChunks('openai/azure-model-router.1.chunks.txt'),
  },
  {
    name: 'azure model router stream with CRLF framing',
    fixture: 'openai/azure-model-router.1.chunks.txt',
    recipe: 'A',
    lineEnding: '\r\n',
    createProvider: openAI,
    expected: expectedFromChunks('openai/azure-model-router.1.chunks.txt'),
  },
  {
    name: 'reasoning model legacy max_tokens error (400)',
    fixture: 'openai/reasoning-model-legacy-parameter-error.json',
    recipe: 'H',
    status: 400,
    createProvider: openAI,
    expected: { errorClass: 'InvalidRequestError', retryable: false, status: 400 },
  },
  {
    name: 'reasoning model temperature error (400)',
    fixture: 'openai/reasoning-model-temperature-error.json',
    recipe: 'H',
    status: 400,
    createProvider: openAI,
    expected: { errorClass: 'InvalidRequestError', retryable: false, status: 400 },
  },
  {
    name: 'insufficient_quota as its real 429',
    fixture: 'openai/openai-error.1.json',
    recipe: 'H',
    status: 429,
    createProvider: openAI,
    expected: { errorClass: 'ProviderRateLimitError', retryable: false, status: 429 },
  },
  {
    name: 'insufficient_quota served with 200 (an error body is an error whatever the status)',
    fixture: 'openai/openai-error.1.json',
    recipe: 'H',
    createProvider: openAI,
    expected: { errorClass: 'ProviderRateLimitError', retryable: false, status: 429 },
  },
]);

describe('openai adapter', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer();
  });
  afterAll(async () => {
    await server.close();
  });

  async function failure(run: Promise<unknown>): Promise<LLMError> {
    const error = await run.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(LLMError.isInstance(error), `expected an LLMError, got ${String(error)}`).toBe(true);
    return error as LLMError;
  }

  async function collectParts(stream: AsyncIterable<ProviderStreamPart>, parts: ProviderStreamPart[]): Promise<void> {
    for await (const part of stream) parts.push(part);
  }

  describe('error mapping', () => {
    it('maps 401 to AuthenticationError without echoing the key', async () => {
      const leaked = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234';
      server.enqueue({
        status: 401,
        body: JSON.stringify({ error: { message: `Incorrect API key provided: ${leaked}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
      });
      const error = await failure(openAI(server.url).chat(hello, context));
      expect(error.name).toBe('AuthenticationError');
      expect(error.status).toBe(401);
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('Incorrect API key provided');
      expect(error.message).not.toContain(leaked);
      expect(JSON.stringify(error)).not.toContain(leaked);
    });

    it.each([
      [{ 'retry-after': '2' }, 2000],
      [{ 'retry-after-ms': '150', 'retry-after': '9' }, 150],
    ])('maps 429 with %j to a retryable ProviderRateLimitError with retryAfterMs', async (headers, retryAfterMs) => {
      server.enqueue({
        status: 429,
        headers,
        body: JSON.stringify({ error: { message: 'Rate limit reached for gpt-4o-mini on tokens per min (TPM). Please try again in 2s.', type: 'tokens', param: null, code: 'rate_limit_exceeded' } }),
      });
      const error = await failure(openAI(server.url).chat(hello, context));
      expect(error.name).toBe('ProviderRateLimitError');
      expect(error.retryable).toBe(true);
      expect(error.retryAfterMs).toBe(retryAfterMs);
    });

    it.each([
      [500, 'ServerError', true],
      [503, 'OverloadedError', true],
      [529, 'OverloadedError', true],
    ])('maps HTTP %i to %s', async (status, errorClass, retryable) => {
      server.enqueue({ status, headers: { 'x-request-id': 'req_123' }, body: JSON.stringify({ error: { message: 'The server had an error processing your request.', type: 'server_error', param: null, code: null } }) });
      const error = await failure(openAI(server.url).chat(hello, context));
      expect(error.name).toBe(errorClass);
      expect(error.status).toBe(status);
      expect(error.retryable).toBe(retryable);
      expect(error.requestId).toBe('req_123');
    });

    it('maps context_length_exceeded to ContextLengthExceededError', async () => {
      server.enqueue({
        status: 400,
        body: JSON.stringify({ error: { message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } }),
      });
      const error = await failure(openAI(server.url).stream(hello, context)[Symbol.asyncIterator]().next());
      expect(error.name).toBe('ContextLengthExceededError');
      expect(error.retryable).toBe(false);
    });

    it('turns a malformed JSON body into InvalidResponseError', async () => {
      server.enqueue({ body: '{"id":"chatcmpl-1","choices":[{"message":' });
      const error = await failure(openAI(server.url).chat(hello, context));
      expect(error.name).toBe('InvalidResponseError');
    });

    it('turns a completion without choices into InvalidResponseError', async () => {
      server.enqueue({ body: JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', choices: [] }) });
      const error = await failure(openAI(server.url).chat(hello, context));
      expect(error.name).toBe('InvalidResponseError');
    });

    it('throws NetworkError, never a finish, when the connection drops mid-stream', async () => {
      server.enqueue({ body: framedFixture('openai/openai-text.chunks.txt', 'A'), destroyAfterPieces: 20 });
      const parts: ProviderStreamPart[] = [];
      const error = await failure(collectParts(openAI(server.url).stream(hello, context), parts));
      expect(error.name).toBe('NetworkError');
      expect(error.retryable).toBe(true);
      expect(parts.some((part) => part.type === 'text-delta')).toBe(true);
      expect(parts.some((part) => part.type === 'finish')).toBe(false);
    });

    it('throws InvalidResponseError when the body ends cleanly without finish_reason or [DONE]', async () => {
      const lines = readChunkLines('openai/openai-text.chunks.txt').slice(0, 10);
      server.enqueue({ body: frameEvents(lines, 'D') });
      const parts: ProviderStreamPart[] = [];
      const error = await failure(collectParts(openAI(server.url).stream(hello, context), parts));
      expect(error.name).toBe('InvalidResponseError');
      expect(error.retryable).toBe(true);
      expect(parts.some((part) => part.type === 'finish')).toBe(false);
    });

    it('throws NetworkError when the stream is cut after finish_reason but before the usage chunk and [DONE]', async () => {
      const pieces = framedFixture('openai/openai-text.chunks.txt', 'A');
      // Pieces: ...finish chunk, usage chunk, [DONE]. Drop the connection before the usage chunk.
      server.enqueue({ body: pieces, destroyAfterPieces: pieces.length - 2 });
      const parts: ProviderStreamPart[] = [];
      const error = await failure(collectParts(openAI(server.url).stream(hello, context), parts));
      expect(error.name).toBe('NetworkError');
      expect(parts.some((part) => part.type === 'finish')).toBe(false);
    });

    it.each([
      ['{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}', 'ServerError', 500],
      ['{"error":{"message":"Rate limit reached","type":"tokens","param":null,"code":"rate_limit_exceeded"}}', 'ProviderRateLimitError', 429],
    ])('throws a typed error for an error payload in the middle of a stream (%s)', async (payload, errorClass, status) => {
      const lines = readChunkLines('openai/openai-text.chunks.txt').slice(0, 5);
      server.enqueue({ body: frameEvents([...lines, payload], 'A') });
      const parts: ProviderStreamPart[] = [];
      const error = await failure(collectParts(openAI(server.url).stream(hello, context), parts));
      expect(error.name).toBe(errorClass);
      expect(error.status).toBe(status);
      expect(error.retryable).toBe(true);
      expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(4);
      expect(parts.some((part) => part.type === 'finish')).toBe(false);
    });

    it('treats an `event: error` SSE event as an error', async () => {
      const lines = readChunkLines('openai/openai-text.chunks.txt').slice(0, 3);
      const body = [...frameEvents(lines, 'D'), 'event: error\ndata: {"message":"upstream overloaded","type":"overloaded_error"}\n\n'];
      server.enqueue({ body });
      const error = await failure(collectStream(openAI(server.url).stream(hello, context)));
      expect(error.name).toBe('OverloadedError');
    });

    it('reports an abort through the caller signal as AbortedError', async () => {
      server.enqueue({ body: framedFixture('openai/openai-text.chunks.txt', 'A'), stallAfterPieces: 5 });
      const controller = new AbortController();
      const parts: ProviderStreamPart[] = [];
      const run = (async () => {
        for await (const part of openAI(server.url).stream(hello, { ...context, signal: controller.signal })) {
          parts.push(part);
          if (part.type === 'text-delta') controller.abort();
        }
      })();
      const error = await failure(run);
      expect(error.name).toBe('AbortedError');
      expect(parts.some((part) => part.type === 'finish')).toBe(false);
    });

    it('refuses a call without any key before touching the network', async () => {
      const before = server.requests.length;
      const provider = createOpenAI({ baseUrl: server.url });
      expect(provider.hasApiKey).toBe(false);
      const error = await failure(provider.chat(hello, context));
      expect(error.name).toBe('AuthenticationError');
      expect(server.requests.length).toBe(before);
    });
  });

  describe('streams', () => {
    it('cancels the HTTP body when the consumer stops early', async () => {
      server.enqueue({ body: framedFixture('openai/openai-text.chunks.txt', 'A'), stallAfterPieces: 6 });
      let cancelled = false;
      const trackingFetch: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        const reader = response.body!.getReader();
        const body = new ReadableStream<Uint8Array>({
          pull: async (controller) => {
            const chunk = await reader.read();
            if (chunk.done) controller.close();
            else controller.enqueue(chunk.value);
          },
          cancel: async (reason) => {
            cancelled = true;
            await reader.cancel(reason);
          },
        });
        return new Response(body, { status: response.status, headers: response.headers });
      };
      const texts: string[] = [];
      for await (const part of openAI(server.url).stream(hello, { fetch: trackingFetch })) {
        if (part.type === 'text-delta') texts.push(part.text);
        if (texts.length === 2) break;
      }
      expect(texts).toHaveLength(2);
      expect(cancelled).toBe(true);
    });

    it('does not send the request until iteration starts', async () => {
      const before = server.requests.length;
      const stream = openAI(server.url).stream(hello, context);
      expect(server.requests.length).toBe(before);
      server.enqueue({ body: framedFixture('openai/azure-model-router.1.chunks.txt', 'A') });
      const result = await collectStream(stream);
      expect(result.finishReason).toBe('stop');
      expect(server.requests.length).toBe(before + 1);
    });

    it('emits response metadata first, then a usage part right before the single finish', async () => {
      server.enqueue({ body: framedFixture('openai/openai-text.chunks.txt', 'A') });
      const result = await collectStream(openAI(server.url).stream(hello, context));
      expect(result.parts[0]).toEqual({ type: 'response-metadata', responseId: 'chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0', model: 'gpt-4.1-nano-2025-04-14' });
      expect(result.parts.at(-2)).toEqual({ type: 'usage', usage: result.usage });
      expect(result.rawFinishReason).toBe('stop');
    });

    it('finishes on finish_reason when a server omits [DONE]', async () => {
      server.enqueue({ body: frameEvents(readChunkLines('openai/openai-text.chunks.txt'), 'D') });
      const result = await collectStream(openAI(server.url).stream(hello, context));
      expect(result.finishReason).toBe('stop');
      expect(result.usage).toMatchObject(expectedFromChunks('openai/openai-text.chunks.txt').usage);
    });

    it('maps content_filter and length finish reasons', async () => {
      const line = (reason: string) => JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [{ index: 0, delta: {}, finish_reason: reason }] });
      for (const [raw, normalised] of [['content_filter', 'content-filter'], ['length', 'length'], ['function_call', 'tool-calls']] as const) {
        server.enqueue({ body: frameEvents([line(raw)], 'A') });
        const result = await collectStream(openAI(server.url).stream(hello, context));
        expect(result.finishReason).toBe(normalised);
        expect(result.usage.estimated).toBe(true);
      }
    });
  });

  describe('request shape', () => {
    it('sends auth, organization and project headers, and merges providerOptions', async () => {
      server.enqueue({ body: readFixture('openai/openai-text.json') });
      const provider = createOpenAI({ apiKey, baseUrl: server.url, organization: 'org-1', project: 'proj-1', headers: { 'x-extra': 'yes' }, id: 'openai-eu' });
      await provider.chat(
        { ...hello, maxTokens: 50, temperature: 0.2, topP: 0.9, stop: ['END'], seed: 7, providerOptions: { openai: { logprobs: true, user: 'a' }, 'openai-eu': { user: 'b' }, anthropic: { ignored: true } } },
        { ...context, headers: { 'x-call': '1' } },
      );
      const request = server.requests.at(-1)!;
      expect(request.headers).toMatchObject({ authorization: `Bearer ${apiKey}`, 'openai-organization': 'org-1', 'openai-project': 'proj-1', 'x-extra': 'yes', 'x-call': '1', 'content-type': 'application/json' });
      expect(request.body).toMatchObject({ model: 'gpt-4.1-nano', max_completion_tokens: 50, temperature: 0.2, top_p: 0.9, stop: ['END'], seed: 7, logprobs: true, user: 'b' });
      expect(request.body.max_tokens).toBeUndefined();
      expect(request.body.ignored).toBeUndefined();
    });

    it('uses a per-call (BYOK) key over the adapter key', async () => {
      server.enqueue({ body: readFixture('openai/openai-text.json') });
      await openAI(server.url).chat(hello, { ...context, apiKey: 'sk-user-key-987654321' });
      expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer sk-user-key-987654321');
    });

    it('converts zod and JSON Schema tools, tool choice and a zod JSON Schema response format', async () => {
      server.enqueue({ body: framedFixture('openai/openai-text.chunks.txt', 'A') });
      await collectStream(
        openAI(server.url).stream(
          {
            ...hello,
            tools: [
              { name: 'weather', description: 'Weather in a city', parameters: z.object({ location: z.string(), unit: z.enum(['c', 'f']).optional() }) },
              { name: 'time', parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } },
            ],
            toolChoice: { type: 'tool', name: 'weather' },
            responseFormat: { type: 'json-schema', name: 'answer', schema: z.object({ answer: z.string() }), strict: true },
          },
          context,
        ),
      );
      const body = server.requests.at(-1)!.body;
      expect(body.tools).toEqual([
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'Weather in a city',
            parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['location'], additionalProperties: false },
          },
        },
        { type: 'function', function: { name: 'time', parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } } },
      ]);
      expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'weather' } });
      expect(body.response_format).toEqual({
        type: 'json_schema',
        json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false } },
      });
    });

    it('sends JSON mode as json_object', async () => {
      server.enqueue({ body: readFixture('openai/openai-text.json') });
      await openAI(server.url).chat({ ...hello, responseFormat: { type: 'json' }, toolChoice: 'required' }, context);
      const body = server.requests.at(-1)!.body;
      expect(body.response_format).toEqual({ type: 'json_object' });
      expect(body.tool_choice).toBe('required');
    });

    it('converts images, assistant tool calls and tool results in the history', async () => {
      server.enqueue({ body: readFixture('openai/openai-text.json') });
      await openAI(server.url).chat(
        {
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'Be brief.' },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is this and the weather?' },
                { type: 'image', image: 'https://example.com/cat.png' },
                { type: 'image', image: new Uint8Array([137, 80, 78, 71]), mediaType: 'image/png' },
                { type: 'image', image: 'iVBORw0KGgo=', mediaType: 'image/png' },
              ],
            },
            {
              role: 'assistant',
              content: [
                { type: 'reasoning', text: 'I should call the tool.' },
                { type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', arguments: { location: 'Paris' } },
              ],
            },
            { role: 'tool', toolCallId: 'call_1', toolName: 'weather', content: '{"temperature":21}' },
            { role: 'assistant', content: 'A cat; 21 degrees.' },
          ],
        },
        context,
      );
      expect(server.requests.at(-1)!.body.messages).toEqual([
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this and the weather?' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw==' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"location":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":21}' },
        { role: 'assistant', content: 'A cat; 21 degrees.' },
      ]);
    });

    it('rejects raw image bytes without a media type before sending', async () => {
      const before = server.requests.length;
      const error = await failure(
        openAI(server.url).chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'image', image: new Uint8Array([1, 2, 3]) }] }] }, context),
      );
      expect(error.name).toBe('InvalidRequestError');
      expect(error.message).toContain('mediaType');
      expect(server.requests.length).toBe(before);
    });
  });

  describe('embeddings and models', () => {
    it('embeds with /embeddings (openai-embedding.json)', async () => {
      const recorded = JSON.parse(readFixture('openai/openai-embedding.json'));
      server.enqueue({ body: readFixture('openai/openai-embedding.json') });
      const provider = openAI(server.url);
      expect(provider.defaultEmbeddingModel).toBe('text-embedding-3-small');
      const result = await provider.embed!({ model: 'text-embedding-3-small', input: ['sunny day at the beach', 'rainy day in the city'], dimensions: 5 }, context);
      expect(result.embeddings).toEqual(recorded.data.map((item: { embedding: number[] }) => item.embedding));
      expect(result.usage).toEqual({ inputTokens: recorded.usage.prompt_tokens });
      expect(result.model).toBe(recorded.model);
      const request = server.requests.at(-1)!;
      expect(request.url).toBe('/embeddings');
      expect(request.body).toEqual({ model: 'text-embedding-3-small', input: ['sunny day at the beach', 'rainy day in the city'], encoding_format: 'float', dimensions: 5 });
    });

    it('rejects an embedding answer with the wrong number of vectors', async () => {
      server.enqueue({ body: readFixture('openai/openai-embedding.json') });
      const error = await failure(openAI(server.url).embed!({ model: 'text-embedding-3-small', input: ['only one'] }, context));
      expect(error.name).toBe('InvalidResponseError');
    });

    it('lists models from /models with catalogue limits and prices', async () => {
      server.enqueue({
        body: JSON.stringify({
          object: 'list',
          data: [
            { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
            { id: 'text-embedding-3-small', object: 'model', created: 1705948997, owned_by: 'system' },
            { id: 'o3-pro', object: 'model', created: 1749166761, owned_by: 'system' },
          ],
        }),
      });
      const models = await openAI(server.url).listModels!(context);
      expect(server.requests.at(-1)!.url).toBe('/models');
      expect(server.requests.at(-1)!.method).toBe('GET');
      expect(models.map((model) => model.id)).toEqual(['openai:gpt-4o-mini', 'openai:text-embedding-3-small', 'openai:o3-pro']);
      expect(models[0]).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', contextWindow: 128_000, local: false, capabilities: { tools: true, vision: true, json: true, embedding: false } });
      expect(models[0]!.pricing?.inputPerMillion).toBeGreaterThan(0);
      expect(models[1]!.capabilities).toMatchObject({ embedding: true, tools: false });
      expect(models[2]!.capabilities.reasoning).toBe(true);
      expect(models[2]!.pricing).toBeUndefined();
    });
  });

  describe('the adapter object', () => {
    it('describes itself and never exposes its key', () => {
      const provider = createOpenAI({ apiKey, baseUrl: 'https://proxy.example.com/v1/' });
      expect(provider).toMatchObject({ id: 'openai', wireFormat: 'openai', local: false, hasApiKey: true, baseUrl: 'https://proxy.example.com/v1', defaultModel: 'gpt-4o-mini' });
      expect(provider.knownModels?.some((model) => model.model === 'gpt-4o-mini')).toBe(true);
      expect(JSON.stringify(provider)).not.toContain(apiKey);
      expect(inspect(provider, { depth: 5, showHidden: true })).not.toContain(apiKey);
    });

    it('rejects a bad id', () => {
      expect(() => createOpenAI({ id: 'has space' })).toThrow(/id must be/);
    });
  });
});
