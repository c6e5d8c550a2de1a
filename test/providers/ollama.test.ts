import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LLMError } from '../../src/errors/llm-error';
import { createOllama } from '../../src/providers/ollama';
import type { ProviderChatCall } from '../../src/spec/chat';
import { startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { collectStream } from './provider-conformance';

// There is no recorded Ollama fixture. Every response below is CONSTRUCTED from Ollama's documented API
// (docs/api.md in ollama/ollama: "Generate a chat completion", "Generate Embeddings", "List Local
// Models", "Show Model Information"): same fields, same NDJSON framing (one JSON object per line, the
// last one with `done: true` and the counts). Values are ours, not a recording.
const ndjson = { 'content-type': 'application/x-ndjson' };
const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const delta = (content: string, extra: Record<string, unknown> = {}) =>
  line({ model: 'llama3.2', created_at: '2024-08-04T08:52:19.385406455-07:00', message: { role: 'assistant', content, ...extra }, done: false });
const final = (fields: Record<string, unknown>) =>
  line({
    model: 'llama3.2',
    created_at: '2024-08-04T19:22:45.499127Z',
    message: { role: 'assistant', content: '' },
    done: true,
    total_duration: 4883583458,
    load_duration: 1334875,
    prompt_eval_duration: 342546000,
    eval_duration: 4535599000,
    ...fields,
  });

const textStream = [
  delta('The'),
  delta(' sky'),
  delta(' is'),
  delta(' blue'),
  delta('.'),
  final({ done_reason: 'stop', prompt_eval_count: 26, eval_count: 5 }),
];

describe('ollama adapter (constructed NDJSON responses)', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const context = () => ({ fetch: globalThis.fetch });
  const provider = () => createOllama({ baseUrl: server.url });
  const call: ProviderChatCall = { model: 'llama3.2', messages: [{ role: 'user', content: 'why is the sky blue?' }] };

  async function caught(run: Promise<unknown>): Promise<LLMError> {
    const error = await run.then(() => undefined, (failure: unknown) => failure);
    expect(LLMError.isInstance(error), `expected an LLMError, got ${String(error)}`).toBe(true);
    return error as LLMError;
  }

  for (const splitPiecesAt of [undefined, 9]) {
    it(`streams text and ends with one finish carrying the final counts${splitPiecesAt ? ' (lines split across reads)' : ''}`, async () => {
      server.enqueue({ headers: ndjson, body: textStream, splitPiecesAt });
      const result = await collectStream(provider().stream(call, context()));
      expect(result.text).toBe('The sky is blue.');
      expect(result.finishReason).toBe('stop');
      expect(result.rawFinishReason).toBe('stop');
      expect(result.usage).toEqual({ inputTokens: 26, outputTokens: 5, totalTokens: 31 });
      expect(result.model).toBe('llama3.2');
      expect(result.parts.filter((part) => part.type === 'text-delta')).toHaveLength(5);
      const request = server.requests.at(-1)!;
      expect(request.url).toBe('/api/chat');
      expect(request.body).toEqual({ model: 'llama3.2', messages: [{ role: 'user', content: 'why is the sky blue?' }], stream: true });
      expect(request.headers.authorization).toBeUndefined();
    });
  }

  it('streams thinking as reasoning, and reports done_reason length', async () => {
    server.enqueue({
      headers: ndjson,
      body: [
        delta('', { thinking: 'The user wants' }),
        delta('', { thinking: ' a sum.' }),
        delta('2 + 2'),
        delta(' ='),
        final({ done_reason: 'length', prompt_eval_count: 18, eval_count: 40 }),
      ],
    });
    const result = await collectStream(provider().stream({ ...call, providerOptions: { ollama: { think: true } } }, context()));
    expect(result.reasoning).toBe('The user wants a sum.');
    expect(result.text).toBe('2 + 2 =');
    expect(result.finishReason).toBe('length');
    expect(result.usage).toEqual({ inputTokens: 18, outputTokens: 40, totalTokens: 58 });
    expect(server.requests.at(-1)!.body.think).toBe(true);
  });

  it('streams whole tool calls with generated ids and reports tool-calls', async () => {
    server.enqueue({
      headers: ndjson,
      body: [
        delta('', {
          tool_calls: [
            { function: { name: 'get_current_weather', arguments: { format: 'celsius', location: 'Paris, FR' } } },
            { function: { name: 'get_time', arguments: {} } },
          ],
        }),
        final({ done_reason: 'stop', prompt_eval_count: 122, eval_count: 33 }),
      ],
    });
    const result = await collectStream(
      provider().stream({ ...call, tools: [{ name: 'get_current_weather', parameters: { type: 'object', properties: {} } }, { name: 'get_time', parameters: { type: 'object' } }] }, context()),
    );
    expect(result.toolCalls.map(({ name, arguments: args }) => ({ name, args }))).toEqual([
      { name: 'get_current_weather', args: { format: 'celsius', location: 'Paris, FR' } },
      { name: 'get_time', args: {} },
    ]);
    expect(result.toolCalls[0]!.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(result.toolCalls[0]!.id).not.toBe(result.toolCalls[1]!.id);
    expect(result.toolCalls[0]!.rawArguments).toBe('{"format":"celsius","location":"Paris, FR"}');
    expect(result.finishReason).toBe('tool-calls');
    expect(result.usage.inputTokens).toBe(122);
    expect(server.requests.at(-1)!.body.tools[0]).toEqual({ type: 'function', function: { name: 'get_current_weather', parameters: { type: 'object', properties: {} } } });
  });

  it('answers a non-streaming chat', async () => {
    server.enqueue({
      body: JSON.stringify({
        model: 'llama3.2',
        created_at: '2023-12-12T14:13:43.416799Z',
        message: { role: 'assistant', content: 'Hello! How are you today?' },
        done_reason: 'stop',
        done: true,
        total_duration: 5191566416,
        load_duration: 2154458,
        prompt_eval_count: 26,
        prompt_eval_duration: 383809000,
        eval_count: 298,
        eval_duration: 4799921000,
      }),
    });
    const result = await provider().chat(call, context());
    expect(result).toMatchObject({ text: 'Hello! How are you today?', toolCalls: [], finishReason: 'stop', model: 'llama3.2' });
    expect(result.usage).toEqual({ inputTokens: 26, outputTokens: 298, totalTokens: 324 });
    expect(server.requests.at(-1)!.body.stream).toBe(false);
  });

  it('answers a non-streaming tool call (the documented example)', async () => {
    server.enqueue({
      body: JSON.stringify({
        model: 'llama3.2',
        created_at: '2024-07-22T20:33:28.123648Z',
        message: {
          role: 'assistant',
          content: '',
          tool_calls: [{ function: { name: 'get_current_weather', arguments: { format: 'celsius', location: 'Paris, FR' } } }],
        },
        done_reason: 'stop',
        done: true,
        prompt_eval_count: 122,
        eval_count: 33,
      }),
    });
    const result = await provider().chat(call, context());
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]).toMatchObject({ name: 'get_current_weather', arguments: { format: 'celsius', location: 'Paris, FR' } });
  });

  it('estimates and flags usage when the prompt count is missing (prompt served from cache)', async () => {
    server.enqueue({ headers: ndjson, body: [delta('Hi there'), final({ done_reason: 'stop', eval_count: 3 })] });
    const result = await collectStream(provider().stream(call, context()));
    // 'why is the sky blue?' is 20 characters: 5 tokens at four characters a token.
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 3, totalTokens: 8, estimated: true });
  });

  it('throws a typed error for an {"error": …} line mid-stream', async () => {
    server.enqueue({ headers: ndjson, body: [delta('The'), line({ error: 'an error was encountered while running the model: unexpected EOF' })] });
    const seen: string[] = [];
    const error = await caught(
      (async () => {
        for await (const part of provider().stream(call, context())) seen.push(part.type);
      })(),
    );
    expect(error.name).toBe('ServerError');
    expect(error.message).toContain('unexpected EOF');
    expect(seen).toEqual(['response-metadata', 'text-delta']);
  });

  it('throws when the stream ends without done: true', async () => {
    server.enqueue({ headers: ndjson, body: textStream.slice(0, -1) });
    const error = await caught(collectStream(provider().stream(call, context())));
    expect(error.name).toBe('InvalidResponseError');
    expect(error.message).toContain('done');
  });

  it('throws when the connection drops mid-stream', async () => {
    server.enqueue({ headers: ndjson, body: textStream, destroyAfterPieces: 2 });
    const error = await caught(collectStream(provider().stream(call, context())));
    expect(['NetworkError', 'InvalidResponseError']).toContain(error.name);
  });

  it('stops reading when the consumer leaves early, even from a stalled server', async () => {
    server.enqueue({ headers: ndjson, body: textStream, stallAfterPieces: 2 });
    const seen: string[] = [];
    for await (const part of provider().stream(call, context())) {
      seen.push(part.type);
      if (part.type === 'text-delta') break;
    }
    expect(seen).toEqual(['response-metadata', 'text-delta']);
  });

  it('maps a 404 for a model that is not pulled to InvalidRequestError', async () => {
    server.enqueue({ status: 404, body: JSON.stringify({ error: 'model "llama9" not found, try pulling it first' }) });
    const error = await caught(provider().chat({ ...call, model: 'llama9' }, context()));
    expect(error.name).toBe('InvalidRequestError');
    expect(error.status).toBe(404);
    expect(error.message).toContain('try pulling it first');
  });

  it('converts images, tools, tool results, format and options', async () => {
    server.enqueue({ body: JSON.stringify({ model: 'llava', message: { role: 'assistant', content: '{}' }, done: true, done_reason: 'stop', prompt_eval_count: 1, eval_count: 1 }) });
    await provider().chat(
      {
        model: 'llava',
        messages: [
          { role: 'system', content: 'Answer in JSON.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these pictures?' },
              { type: 'image', image: new Uint8Array([137, 80, 78, 71]), mediaType: 'image/png' },
              { type: 'image', image: 'data:image/jpeg;base64,/9j/4AAQ' },
            ],
          },
          { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'lookup', arguments: { q: 'pig' } }] },
          { role: 'tool', toolCallId: 'call_1', content: '{"found":true}' },
        ],
        tools: [{ name: 'lookup', description: 'Looks things up', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
        responseFormat: { type: 'json-schema', schema: { type: 'object', properties: { animal: { type: 'string' } } } },
        temperature: 0,
        topP: 0.5,
        maxTokens: 64,
        stop: ['\n\n'],
        seed: 101,
        providerOptions: { ollama: { options: { num_ctx: 8192 }, keep_alive: '10m' } },
      },
      context(),
    );
    const body = server.requests.at(-1)!.body;
    expect(body.messages).toEqual([
      { role: 'system', content: 'Answer in JSON.' },
      { role: 'user', content: 'What is in these pictures?', images: ['iVBORw==', '/9j/4AAQ'] },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'lookup', arguments: { q: 'pig' } } }] },
      { role: 'tool', content: '{"found":true}', tool_name: 'lookup' },
    ]);
    expect(body.tools).toEqual([{ type: 'function', function: { name: 'lookup', description: 'Looks things up', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }]);
    expect(body.format).toEqual({ type: 'object', properties: { animal: { type: 'string' } } });
    expect(body.options).toEqual({ temperature: 0, top_p: 0.5, num_predict: 64, stop: ['\n\n'], seed: 101, num_ctx: 8192 });
    expect(body.keep_alive).toBe('10m');
  });

  it('sends format "json" for JSON mode and no tools for toolChoice none', async () => {
    server.enqueue({ body: JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: '{}' }, done: true, prompt_eval_count: 1, eval_count: 1 }) });
    await provider().chat({ ...call, responseFormat: { type: 'json' }, tools: [{ name: 'x', parameters: { type: 'object' } }], toolChoice: 'none' }, context());
    const body = server.requests.at(-1)!.body;
    expect(body.format).toBe('json');
    expect(body.tools).toBeUndefined();
  });

  it('refuses a remote image URL before any request', async () => {
    const before = server.requests.length;
    const error = await caught(provider().chat({ ...call, messages: [{ role: 'user', content: [{ type: 'image', image: 'https://example.com/a.png' }] }] }, context()));
    expect(error.name).toBe('InvalidRequestError');
    expect(server.requests.length).toBe(before);
  });

  it('embeds through /api/embed with prompt_eval_count as usage', async () => {
    server.enqueue({
      body: JSON.stringify({
        model: 'all-minilm',
        embeddings: [
          [0.010071029, -0.0017594862, 0.05007221],
          [-0.0098027075, 0.06042469, 0.025257962],
        ],
        total_duration: 14143917,
        load_duration: 1019500,
        prompt_eval_count: 16,
      }),
    });
    const result = await provider().embed!({ model: 'all-minilm', input: ['Why is the sky blue?', 'Why is the grass green?'] }, context());
    expect(result.embeddings).toEqual([
      [0.010071029, -0.0017594862, 0.05007221],
      [-0.0098027075, 0.06042469, 0.025257962],
    ]);
    expect(result.usage).toEqual({ inputTokens: 16 });
    expect(server.requests.at(-1)!.url).toBe('/api/embed');
    expect(server.requests.at(-1)!.body).toEqual({ model: 'all-minilm', input: ['Why is the sky blue?', 'Why is the grass green?'] });
  });

  it('lists local models from /api/tags with /api/show capabilities, free and local', async () => {
    server.enqueue(
      {
        body: JSON.stringify({
          models: [
            { name: 'llama3.2:latest', model: 'llama3.2:latest', size: 2019393189, details: { format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' } },
            { name: 'nomic-embed-text:latest', model: 'nomic-embed-text:latest', size: 274302450, details: { format: 'gguf', family: 'nomic-bert', families: ['nomic-bert'], parameter_size: '137M' } },
          ],
        }),
      },
      { body: JSON.stringify({ capabilities: ['completion', 'tools'], model_info: { 'general.architecture': 'llama', 'llama.context_length': 131072 } }) },
      { status: 404, body: JSON.stringify({ error: 'not found' }) },
    );
    const models = await provider().listModels!(context());
    expect(server.requests.slice(-3).map((request) => request.url)).toEqual(['/api/tags', '/api/show', '/api/show']);
    expect(models).toEqual([
      {
        id: 'ollama:llama3.2:latest',
        provider: 'ollama',
        model: 'llama3.2:latest',
        contextWindow: 131072,
        capabilities: { tools: true, vision: false, json: true, embedding: false, reasoning: false },
        pricing: { inputPerMillion: 0, outputPerMillion: 0 },
        local: true,
      },
      {
        id: 'ollama:nomic-embed-text:latest',
        provider: 'ollama',
        model: 'nomic-embed-text:latest',
        capabilities: { tools: false, vision: false, json: false, embedding: true, reasoning: false },
        pricing: { inputPerMillion: 0, outputPerMillion: 0 },
        local: true,
      },
    ]);
  });

  it('is local, keyless, and sends a bearer token only when given one', async () => {
    const ollama = createOllama();
    expect(ollama).toMatchObject({ id: 'ollama', wireFormat: 'ollama', local: true, hasApiKey: true, baseUrl: 'http://localhost:11434', defaultModel: 'llama3.2', defaultEmbeddingModel: 'nomic-embed-text' });
    server.enqueue({ headers: ndjson, body: textStream });
    await collectStream(createOllama({ baseUrl: `${server.url}/api`, apiKey: 'proxy-token-123456' }).stream(call, context()));
    expect(server.requests.at(-1)!.url).toBe('/api/chat');
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer proxy-token-123456');
  });
});
