import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LLMError } from '../../src/errors/llm-error';
import { convertToGoogleSchema, createGoogle } from '../../src/providers/google';
import type { ProviderStreamPart } from '../../src/spec/stream';
import { framedFixture, readChunks, readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { collectStream, describeProviderConformance, type ProviderFixtureCase } from './provider-conformance';

const apiKey = 'AIzaTestKey000000000000000000000000000';
const create = (baseUrl: string) => createGoogle({ apiKey, baseUrl: `${baseUrl}/v1beta` });

// Tiny independent extraction: the answer (non-thought) text of a Gemini chunks recording.
const streamedText = (path: string, thought = false) =>
  readChunks(path)
    .flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? [])
    .filter((part: any) => typeof part.text === 'string' && Boolean(part.thought) === thought)
    .map((part: any) => part.text)
    .join('');

const checkStreamRequest = (request: { url: string; headers: Record<string, unknown>; body: any }) => {
  expect(request.url).toBe('/v1beta/models/test-model:streamGenerateContent?alt=sse');
  expect(request.headers['x-goog-api-key']).toBe(apiKey);
  expect(request.body.contents).toEqual([{ role: 'user', parts: [{ text: 'Hello' }] }]);
};

const textStream = {
  text: 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y',
  finishReason: 'stop' as const,
  usage: { inputTokens: 9, outputTokens: 23 + 185, totalTokens: 217, reasoningTokens: 185 },
  responseId: 'bH6LaZW8Fp_3nsEPqtaSwQ4',
};

const cases: ProviderFixtureCase[] = [
  { name: 'google-text stream (LF)', fixture: 'google/google-text.chunks.txt', recipe: 'D', createProvider: create, expected: textStream, checkRequest: checkStreamRequest },
  { name: 'google-text stream (CRLF)', fixture: 'google/google-text.chunks.txt', recipe: 'D', lineEnding: '\r\n', createProvider: create, expected: textStream },
  {
    name: 'google-tool-call stream: complete functionCall in one event, then STOP → tool-calls',
    fixture: 'google/google-tool-call.chunks.txt',
    recipe: 'D',
    createProvider: create,
    expected: {
      text: '',
      toolCalls: [{ id: 'call_b36LacjwM668nsEP2tbsgQQ_0', name: 'weather', arguments: { location: 'San Francisco' } }],
      finishReason: 'tool-calls',
      usage: { inputTokens: 29, outputTokens: 15 + 45, reasoningTokens: 45 },
    },
  },
  {
    name: 'google-reasoning stream (CRLF): thoughtsTokenCount without thought text',
    fixture: 'google/google-reasoning.chunks.txt',
    recipe: 'D',
    lineEnding: '\r\n',
    createProvider: create,
    expected: {
      text: 'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.',
      finishReason: 'stop',
      usage: { inputTokens: 9, outputTokens: 29 + 256, totalTokens: 294, reasoningTokens: 256 },
      responseId: 'dX6LadKVC7SZ28oPr9yJoQs',
    },
  },
  {
    name: 'google-stream-no-args-tool-call (Vertex): thought summary, no-arg call, 3 streamed partialArgs calls',
    fixture: 'google/google-stream-no-args-tool-call.chunks.txt',
    recipe: 'D',
    createProvider: create,
    expected: {
      reasoning: streamedText('google/google-stream-no-args-tool-call.chunks.txt', true),
      text: '',
      toolCalls: [
        { id: 'call__vr4aYiWEJnYodAPkujX0QM_0', name: 'read_theme', arguments: {} },
        { id: 'call__vr4aYiWEJnYodAPkujX0QM_1', name: 'read_screen', arguments: { id: 'A' } },
        { name: 'read_screen', arguments: { id: 'B' } },
        { name: 'read_screen', arguments: { id: 'C' } },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 249, outputTokens: 58 + 183, totalTokens: 490, reasoningTokens: 183 },
    },
  },
  {
    name: 'google-stream-tool-call-arguments (Vertex): 2 parallel streamed calls, finish on the closing event',
    fixture: 'google/google-stream-tool-call-arguments.chunks.txt',
    recipe: 'D',
    lineEnding: '\r\n',
    createProvider: create,
    expected: {
      text: '',
      toolCalls: [
        { name: 'getWeather', arguments: { location: 'Boston' } },
        { name: 'getWeather', arguments: { location: 'San Francisco' } },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 26, outputTokens: 23 + 132, totalTokens: 181, reasoningTokens: 132 },
    },
  },
  {
    name: 'google-text.json',
    fixture: 'google/google-text.json',
    recipe: 'H',
    createProvider: create,
    expected: {
      text: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.",
      finishReason: 'stop',
      usage: { inputTokens: 9, outputTokens: 28 + 244, totalTokens: 281, reasoningTokens: 244 },
      responseId: 'Un6LacrVMcjUxs0PmJfWoQc',
    },
    checkRequest: (request) => {
      expect(request.url).toBe('/v1beta/models/test-model:generateContent');
      expect(request.headers['x-goog-api-key']).toBe(apiKey);
      expect(request.url).not.toContain('key=');
    },
  },
  {
    name: 'google-tool-call.json',
    fixture: 'google/google-tool-call.json',
    recipe: 'H',
    createProvider: create,
    expected: {
      text: '',
      toolCalls: [{ id: 'call_m36LaZGyCLz1xs0PtNSB-QU_0', name: 'weather', arguments: { location: 'San Francisco' } }],
      finishReason: 'tool-calls',
      usage: { inputTokens: 29, outputTokens: 15 + 893, totalTokens: 937, reasoningTokens: 893 },
    },
  },
  {
    name: 'google-reasoning.json',
    fixture: 'google/google-reasoning.json',
    recipe: 'H',
    createProvider: create,
    expected: {
      text: 'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.',
      finishReason: 'stop',
      usage: { inputTokens: 9, outputTokens: 29 + 282, totalTokens: 320, reasoningTokens: 282 },
    },
  },
  {
    name: 'google-429-retry-info.json served as 429: RetryInfo retryDelay "34.4s" → retryAfterMs',
    fixture: 'google/google-429-retry-info.json',
    recipe: 'H',
    status: 429,
    createProvider: create,
    expected: { errorClass: 'ProviderRateLimitError', retryable: true, status: 429, retryAfterMs: 34_400 },
  },
];

describeProviderConformance('google', cases);

describe('google adapter', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const context = { fetch: globalThis.fetch };
  const hello = { model: 'gemini-2.5-flash', messages: [{ role: 'user' as const, content: 'Hello' }] };

  async function failure(run: Promise<unknown>): Promise<LLMError> {
    const error = await run.then(() => undefined, (caught: unknown) => caught);
    expect(LLMError.isInstance(error), `expected an LLMError, got ${String(error)}`).toBe(true);
    return error as LLMError;
  }

  it('sends systemInstruction, user/model contents, function declarations and generation settings', async () => {
    server.enqueue({ body: readFixture('google/google-text.json') });
    await create(server.url).chat(
      {
        model: 'gemini-2.5-flash',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image', image: 'data:image/png;base64,iVBORw0KGgo=' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking.' },
              { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', arguments: { city: 'Paris' } },
              { type: 'tool-call', toolCallId: 'c2', toolName: 'weather', arguments: { city: 'Rome' } },
            ],
          },
          { role: 'tool', toolCallId: 'c1', content: '{"celsius":21}' },
          { role: 'tool', toolCallId: 'c2', toolName: 'weather', content: 'sunny' },
        ],
        tools: [
          {
            name: 'weather',
            description: 'Weather by city',
            parameters: z.object({ city: z.string(), unit: z.enum(['c', 'f']).nullable().optional() }),
          },
          { name: 'now', parameters: { type: 'object', properties: {}, additionalProperties: false } },
        ],
        toolChoice: { type: 'tool', name: 'weather' },
        temperature: 0.1,
        topP: 0.9,
        maxTokens: 200,
        stop: ['END'],
        seed: 7,
        providerOptions: { google: { generationConfig: { thinkingConfig: { thinkingBudget: 0 } }, safetySettings: [] } },
      },
      context,
    );
    const body = server.requests.at(-1)!.body;
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
      { role: 'model', parts: [{ text: 'Checking.' }, { functionCall: { name: 'weather', args: { city: 'Paris' } } }, { functionCall: { name: 'weather', args: { city: 'Rome' } } }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'weather', response: { celsius: 21 } } },
          { functionResponse: { name: 'weather', response: { result: 'sunny' } } },
        ],
      },
    ]);
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'weather',
            description: 'Weather by city',
            parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'], nullable: true } }, required: ['city'] },
          },
          { name: 'now' },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } });
    expect(body.generationConfig).toEqual({ temperature: 0.1, topP: 0.9, maxOutputTokens: 200, stopSequences: ['END'], seed: 7, thinkingConfig: { thinkingBudget: 0 } });
    expect(body.safetySettings).toEqual([]);
  });

  it('asks for JSON natively: responseMimeType and a converted responseSchema', async () => {
    server.enqueue({ body: readFixture('google/google-text.json') });
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { n: { type: ['integer', 'null'] } }, required: ['n'], additionalProperties: false };
    await create(server.url).chat({ ...hello, responseFormat: { type: 'json-schema', schema } }, context);
    expect(server.requests.at(-1)!.body.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: { type: 'object', properties: { n: { type: 'integer', nullable: true } }, required: ['n'] },
    });
  });

  it('replays the thought signature of a returned function call, and the documented stand-in on Gemini 3 when unknown', async () => {
    const provider = create(server.url);
    server.enqueue({ body: readFixture('google/google-tool-call.json') });
    const first = await provider.chat(hello, context);
    const call = first.toolCalls[0]!;
    const recorded = JSON.parse(readFixture('google/google-tool-call.json')).candidates[0].content.parts[0].thoughtSignature;
    server.enqueue({ body: readFixture('google/google-text.json') });
    await provider.chat(
      {
        model: 'gemini-3-pro-preview',
        messages: [
          { role: 'user', content: 'Weather in SF?' },
          { role: 'assistant', content: [{ type: 'tool-call', toolCallId: call.id, toolName: call.name, arguments: call.arguments }] },
          { role: 'tool', toolCallId: call.id, content: '{"celsius":18}' },
          { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'from-another-model', toolName: 'weather', arguments: {} }] },
          { role: 'tool', toolCallId: 'from-another-model', content: '{}' },
        ],
      },
      context,
    );
    const contents = server.requests.at(-1)!.body.contents;
    expect(contents[1].parts[0].thoughtSignature).toBe(recorded);
    expect(contents[2].parts[0].functionResponse.name).toBe('weather');
    expect(contents[3].parts[0].thoughtSignature).toBe('skip_thought_signature_validator');
  });

  it('rejects a tool message whose tool name cannot be found, before sending', async () => {
    const before = server.requests.length;
    const error = await failure(create(server.url).chat({ model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'tool', toolCallId: 'zzz', content: '1' }] }, context));
    expect(error.name).toBe('InvalidRequestError');
    expect(error.message).toContain('"zzz"');
    expect(server.requests.length).toBe(before);
  });

  it("maps Gemini's 400 INVALID_ARGUMENT bad key to AuthenticationError", async () => {
    // Body shape as documented in the fixtures README (continuedev/continue#10290), built here.
    server.enqueue({
      status: 400,
      body: JSON.stringify({
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [
            { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
            { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
          ],
        },
      }),
    });
    const error = await failure(create(server.url).chat(hello, context));
    expect(error.name).toBe('AuthenticationError');
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
  });

  it('accepts an array-wrapped error body (context length exceeded)', async () => {
    server.enqueue({
      status: 400,
      body: JSON.stringify([
        {
          error: {
            code: 400,
            message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
            errors: [{ message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).', domain: 'global', reason: 'badRequest' }],
            status: 'INVALID_ARGUMENT',
          },
        },
      ]),
    });
    const error = await failure(create(server.url).chat(hello, context));
    expect(error.name).toBe('ContextLengthExceededError');
    expect(error.message).toContain('exceeds the maximum number of tokens');
  });

  it('maps 503 UNAVAILABLE to OverloadedError and a 429 on a stream request to ProviderRateLimitError', async () => {
    server.enqueue({ status: 503, body: JSON.stringify({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }) });
    const overloaded = await failure(create(server.url).chat(hello, context));
    expect(overloaded.name).toBe('OverloadedError');
    expect(overloaded.retryable).toBe(true);
    server.enqueue({ status: 429, body: readFixture('google/google-429-retry-info.json') });
    const limited = await failure(collectStream(create(server.url).stream(hello, context)));
    expect(limited.name).toBe('ProviderRateLimitError');
    expect(limited.retryAfterMs).toBe(34_400);
  });

  it('an error event inside the stream throws its typed error, never a finish', async () => {
    const pieces = framedFixture('google/google-text.chunks.txt', 'D').slice(0, 1);
    pieces.push(`data: ${JSON.stringify({ error: { code: 500, message: 'An internal error has occurred.', status: 'INTERNAL' } })}\n\n`);
    server.enqueue({ body: pieces });
    const parts: ProviderStreamPart[] = [];
    const error = await failure(
      (async () => {
        for await (const part of create(server.url).stream(hello, context)) parts.push(part);
      })(),
    );
    expect(error.name).toBe('ServerError');
    expect(error.status).toBe(500);
    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'text-delta']);
  });

  it('a body that ends without any finishReason throws InvalidResponseError', async () => {
    server.enqueue({ body: framedFixture('google/google-text.chunks.txt', 'D', '\r\n').slice(0, 2) });
    const error = await failure(collectStream(create(server.url).stream(hello, context)));
    expect(error.name).toBe('InvalidResponseError');
    expect(error.message).toContain('finishReason');
  });

  it('a connection cut mid-stream throws NetworkError', async () => {
    server.enqueue({ body: framedFixture('google/google-text.chunks.txt', 'D'), destroyAfterPieces: 2 });
    const error = await failure(collectStream(create(server.url).stream(hello, context)));
    expect(error.name).toBe('NetworkError');
  });

  it('return() from the consumer aborts the upstream request', async () => {
    server.enqueue({ body: framedFixture('google/google-text.chunks.txt', 'D'), stallAfterPieces: 1 });
    let upstreamSignal: AbortSignal | undefined;
    const spyFetch: typeof fetch = (input, init) => {
      upstreamSignal = init?.signal ?? undefined;
      return globalThis.fetch(input, init);
    };
    for await (const part of create(server.url).stream(hello, { fetch: spyFetch })) {
      if (part.type === 'text-delta') break;
    }
    expect(upstreamSignal?.aborted).toBe(true);
  });

  it('embeds one input with embedContent and several with batchEmbedContents', async () => {
    // No recorded Gemini embedding exists in the fixtures: these bodies are constructed from the documented
    // EmbedContentResponse ({embedding: {values}}) and BatchEmbedContentsResponse ({embeddings: [{values}]}).
    const provider = create(server.url);
    server.enqueue({ body: JSON.stringify({ embedding: { values: [0.1, -0.2, 0.3] } }) });
    const single = await provider.embed!({ model: 'gemini-embedding-001', input: ['hello'], dimensions: 3, providerOptions: { google: { taskType: 'RETRIEVAL_QUERY' } } }, context);
    let request = server.requests.at(-1)!;
    expect(request.url).toBe('/v1beta/models/gemini-embedding-001:embedContent');
    expect(request.body).toEqual({ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'hello' }] }, outputDimensionality: 3, taskType: 'RETRIEVAL_QUERY' });
    expect(single.embeddings).toEqual([[0.1, -0.2, 0.3]]);
    expect(single.usage).toEqual({ inputTokens: 2, estimated: true });

    server.enqueue({ body: JSON.stringify({ embeddings: [{ values: [1, 0] }, { values: [0, 1] }] }) });
    const batch = await provider.embed!({ model: 'gemini-embedding-001', input: ['a', 'b'] }, context);
    request = server.requests.at(-1)!;
    expect(request.url).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(request.body.requests).toEqual([
      { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] } },
      { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] } },
    ]);
    expect(batch.embeddings).toEqual([[1, 0], [0, 1]]);

    server.enqueue({ body: JSON.stringify({ embeddings: [{ values: [1, 0] }] }) });
    const short = await failure(provider.embed!({ model: 'gemini-embedding-001', input: ['a', 'b'] }, context));
    expect(short.name).toBe('InvalidResponseError');
  });

  it('lists models across pages, stripping the models/ prefix', async () => {
    server.enqueue(
      {
        body: JSON.stringify({
          models: [{ name: 'models/gemini-2.5-flash', inputTokenLimit: 1048576, outputTokenLimit: 65536, supportedGenerationMethods: ['generateContent', 'countTokens'], thinking: true }],
          nextPageToken: 'page-2',
        }),
      },
      { body: JSON.stringify({ models: [{ name: 'models/gemini-embedding-001', inputTokenLimit: 2048, supportedGenerationMethods: ['embedContent', 'countTextTokens'] }] }) },
    );
    const models = await create(server.url).listModels!(context);
    expect(server.requests.at(-2)!.url).toBe('/v1beta/models?pageSize=1000');
    expect(server.requests.at(-1)!.url).toBe('/v1beta/models?pageSize=1000&pageToken=page-2');
    expect(models.map((model) => model.id)).toEqual(['google:gemini-2.5-flash', 'google:gemini-embedding-001']);
    expect(models[0]).toMatchObject({ contextWindow: 1048576, capabilities: { tools: true, reasoning: true, embedding: false }, pricing: { inputPerMillion: 0.3 } });
    expect(models[1]!.capabilities).toMatchObject({ embedding: true, tools: false });
  });

  it('keeps its key out of JSON output and fails without one before sending', async () => {
    expect(JSON.stringify(createGoogle({ apiKey }))).not.toContain(apiKey);
    const before = server.requests.length;
    const error = await failure(createGoogle({ baseUrl: `${server.url}/v1beta` }).chat(hello, context));
    expect(error.name).toBe('AuthenticationError');
    expect(server.requests.length).toBe(before);
  });
});

describe('convertToGoogleSchema', () => {
  it('inlines $refs, folds null unions into nullable, keeps string enums and drops what Gemini rejects', () => {
    const converted = convertToGoogleSchema({
      type: 'object',
      $defs: { Point: { type: 'object', properties: { x: { type: 'number', format: 'double' } }, additionalProperties: false } },
      properties: {
        at: { $ref: '#/$defs/Point' },
        label: { anyOf: [{ type: 'string', format: 'email' }, { type: 'null' }] },
        kind: { const: 'pin' },
        level: { type: 'integer', enum: [1, 2], default: 1 },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
      },
      required: ['at', 'missing'],
    });
    expect(converted).toEqual({
      type: 'object',
      properties: {
        at: { type: 'object', properties: { x: { type: 'number', format: 'double' } } },
        label: { type: 'string', nullable: true },
        kind: { type: 'string', enum: ['pin'] },
        level: { type: 'integer' },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
      },
      required: ['at'],
    });
  });

  it('returns undefined for an object with no properties, and bounds recursive refs', () => {
    expect(convertToGoogleSchema({ type: 'object', properties: {} })).toBeUndefined();
    const recursive = convertToGoogleSchema({ type: 'object', $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } }, properties: { head: { $ref: '#/$defs/Node' } } });
    expect(JSON.stringify(recursive).length).toBeLessThan(2000);
  });
});
