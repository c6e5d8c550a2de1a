import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LLMError } from '../../src/errors/llm-error';
import {
  createDeepInfra,
  createDeepSeek,
  createFireworks,
  createGroq,
  createLlamaCpp,
  createLMStudio,
  createLocalAI,
  createMistral,
  createOpenAICompatible,
  createOpenAICompatiblePreset,
  createOpenRouter,
  createTogether,
  createVllm,
  createXai,
  openAICompatiblePresets,
  type OpenAICompatiblePresetName,
} from '../../src/providers/openai-compatible';
import type { ProviderChatCall } from '../../src/spec/chat';
import type { LanguageModelProvider } from '../../src/spec/provider';
import { framedFixture, readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { expectedFromChunks, expectedFromJson } from './openai-fixture-expectations';
import { collectStream, describeProviderConformance, type ProviderFixtureCase } from './provider-conformance';

const apiKey = 'test-key-0123456789';

type Factory = (baseUrl: string) => LanguageModelProvider;
const groq: Factory = (baseUrl) => createGroq({ apiKey, baseUrl });
const deepseek: Factory = (baseUrl) => createDeepSeek({ apiKey, baseUrl });
const mistral: Factory = (baseUrl) => createMistral({ apiKey, baseUrl });
const xai: Factory = (baseUrl) => createXai({ apiKey, baseUrl });
const generic: Factory = (baseUrl) => createOpenAICompatible({ id: 'gateway', baseUrl, apiKey });

/** One conformance case per recording: streams (recipe A) and bodies (recipe H), expected values read off the file. */
function casesFor(folder: string, names: string[], createProvider: Factory, checkRequest?: ProviderFixtureCase['checkRequest']): ProviderFixtureCase[] {
  return names.map((name) => {
    const fixture = `${folder}/${name}`;
    const streamed = name.endsWith('.chunks.txt');
    return { name: fixture, fixture, recipe: streamed ? 'A' : 'H', createProvider, expected: streamed ? expectedFromChunks(fixture) : expectedFromJson(fixture), checkRequest };
  });
}

const bearer = (request: { headers: Record<string, unknown> }) => expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);

describeProviderConformance('openai-compatible: groq', casesFor('groq', ['groq-text.chunks.txt', 'groq-text.json', 'groq-tool-call.chunks.txt', 'groq-tool-call.json', 'groq-reasoning.chunks.txt', 'groq-reasoning.json'], groq, bearer));

describeProviderConformance('openai-compatible: deepseek', casesFor('deepseek', ['deepseek-text.chunks.txt', 'deepseek-text.json', 'deepseek-tool-call.chunks.txt', 'deepseek-tool-call.json', 'deepseek-reasoning.chunks.txt', 'deepseek-reasoning.json'], deepseek, bearer));

describeProviderConformance('openai-compatible: mistral', casesFor('mistral', ['mistral-text.chunks.txt', 'mistral-text.json', 'mistral-tool-call.chunks.txt', 'mistral-tool-call.json', 'mistral-reasoning.chunks.txt', 'mistral-reasoning.json', 'mistral-incremental-tool-call.chunks.txt'], mistral, (request) => {
  bearer(request);
  // Mistral rejects unknown fields, so no stream_options.
  expect(request.body.stream_options).toBeUndefined();
}));

describeProviderConformance('openai-compatible: xai', casesFor('xai', ['xai-text.chunks.txt', 'xai-text.json', 'xai-tool-call.chunks.txt', 'xai-tool-call.json'], xai, (request) => {
  bearer(request);
  if (request.body.stream) expect(request.body.stream_options).toEqual({ include_usage: true });
}));

describeProviderConformance('openai-compatible: generic server', [
  ...casesFor('openai-compatible', ['xai-text.chunks.txt', 'xai-text.json', 'xai-tool-call.chunks.txt', 'xai-tool-call.json'], generic),
  {
    name: 'raw SSE capture: tool call whose index starts at 1, no usage (recipe G)',
    fixture: 'openai-compatible/anthropic-fallback-tool-call.sse',
    recipe: 'G',
    createProvider: generic,
    expected: expectedFromChunks('openai-compatible/anthropic-fallback-tool-call.sse'),
  },
]);

describe('openai-compatible adapter', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const context = { fetch: globalThis.fetch };
  const hello: ProviderChatCall = { model: 'some-model', messages: [{ role: 'user', content: 'Hello' }] };

  it('ignores `: keep-alive` comments between events (DeepSeek while queued)', async () => {
    const events = framedFixture('deepseek/deepseek-tool-call.chunks.txt', 'A');
    const body = [': keep-alive\n\n', ': keep-alive\n\n', ...events.flatMap((event, index) => (index % 10 === 0 ? [': keep-alive\n\n', event] : [event]))];
    server.enqueue({ body, splitPiecesAt: 5 });
    const result = await collectStream(deepseek(server.url).stream(hello, context));
    const expected = expectedFromChunks('deepseek/deepseek-tool-call.chunks.txt');
    expect(result.text).toBe(expected.text);
    expect(result.reasoning).toBe(expected.reasoning);
    expect(result.toolCalls.map((call) => ({ name: call.name, arguments: call.arguments }))).toEqual(expected.toolCalls);
    expect(result.usage).toMatchObject(expected.usage);
  });

  it('emits the duplicated xAI finish chunk once and each tool call once', async () => {
    server.enqueue({ body: framedFixture('openai-compatible/xai-tool-call.chunks.txt', 'A') });
    const result = await collectStream(xai(server.url).stream(hello, context));
    expect(result.parts.filter((part) => part.type === 'tool-call')).toHaveLength(1);
    expect(result.rawFinishReason).toBe('tool_calls');
  });

  it('streams tool-call argument fragments keyed by index with the call id', async () => {
    server.enqueue({ body: framedFixture('openai-compatible/anthropic-fallback-tool-call.sse', 'G') });
    const result = await collectStream(generic(server.url).stream(hello, context));
    const deltas = result.parts.filter((part) => part.type === 'tool-call-delta');
    expect(deltas.map((part) => part.argumentsDelta).join('')).toBe('{"path": "a.txt"}');
    expect(new Set(deltas.map((part) => part.id))).toEqual(new Set(['toolu_sanitized']));
    expect(result.toolCalls[0]).toMatchObject({ id: 'toolu_sanitized', name: 'read_file', rawArguments: '{"path": "a.txt"}' });
  });

  it('maps a Groq-style error body and a mid-stream error payload', async () => {
    server.enqueue({ status: 401, body: JSON.stringify({ error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' } }) });
    const unauthorised = await groq(server.url).chat(hello, context).catch((error: unknown) => error);
    expect(LLMError.isInstance(unauthorised) && unauthorised.name).toBe('AuthenticationError');

    const events = framedFixture('groq/groq-text.chunks.txt', 'A').slice(0, 8);
    server.enqueue({ body: [...events, 'data: {"error":{"message":"Service Unavailable","type":"internal_server_error"}}\n\n'] });
    const midStream = await collectStream(groq(server.url).stream(hello, context)).catch((error: unknown) => error);
    expect(LLMError.isInstance(midStream)).toBe(true);
    expect((midStream as LLMError).name).toBe('ServerError');
  });

  it('asks DeepSeek for json_object when given a JSON Schema (json_schema unsupported), sends max_tokens', async () => {
    server.enqueue({ body: readFixture('deepseek/deepseek-text.json') });
    await deepseek(server.url).chat({ ...hello, maxTokens: 20, responseFormat: { type: 'json-schema', schema: { type: 'object', properties: {} } } }, context);
    const body = server.requests.at(-1)!.body;
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.max_tokens).toBe(20);
    expect(body.max_completion_tokens).toBeUndefined();
  });

  it('merges providerOptions under the wire format and then under the instance id', async () => {
    server.enqueue({ body: readFixture('groq/groq-text.json') });
    await groq(server.url).chat({ ...hello, providerOptions: { 'openai-compatible': { user: 'x', service_tier: 'auto' }, groq: { user: 'y' }, openai: { logprobs: true } } }, context);
    const body = server.requests.at(-1)!.body;
    expect(body).toMatchObject({ user: 'y', service_tier: 'auto' });
    expect(body.logprobs).toBeUndefined();
  });

  it('talks to a local server without a key and reports models as free', async () => {
    server.enqueue({ body: JSON.stringify({ object: 'list', data: [{ id: 'qwen2.5-7b-instruct', object: 'model' }, { id: 'text-embedding-nomic-embed-text-v1.5', object: 'model' }] }) });
    const lmstudio = createLMStudio({ baseUrl: server.url });
    expect(lmstudio).toMatchObject({ id: 'lmstudio', local: true, hasApiKey: true, wireFormat: 'openai-compatible' });
    const models = await lmstudio.listModels!(context);
    const request = server.requests.at(-1)!;
    expect(request.headers.authorization).toBeUndefined();
    expect(models).toEqual([
      expect.objectContaining({ id: 'lmstudio:qwen2.5-7b-instruct', local: true, pricing: { inputPerMillion: 0, outputPerMillion: 0 } }),
      expect.objectContaining({ id: 'lmstudio:text-embedding-nomic-embed-text-v1.5', capabilities: expect.objectContaining({ embedding: true }) }),
    ]);
  });

  it('reads OpenRouter-style model lists with context length and per-token prices, and bare arrays', async () => {
    server.enqueue({ body: JSON.stringify({ data: [{ id: 'openai/gpt-4o-mini', context_length: 128000, pricing: { prompt: '0.00000015', completion: '0.0000006' } }] }) });
    const [model] = await createOpenRouter({ apiKey, baseUrl: server.url }).listModels!(context);
    expect(model).toMatchObject({ id: 'openrouter:openai/gpt-4o-mini', contextWindow: 128000, local: false });
    expect(model!.pricing!.inputPerMillion).toBeCloseTo(0.15);
    expect(model!.pricing!.outputPerMillion).toBeCloseTo(0.6);

    server.enqueue({ body: JSON.stringify([{ id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', context_length: 131072 }]) });
    const together = await createTogether({ apiKey, baseUrl: server.url }).listModels!(context);
    expect(together.map((info) => info.id)).toEqual(['together:meta-llama/Llama-3.3-70B-Instruct-Turbo']);
  });

  it('embeds through a compatible /embeddings endpoint', async () => {
    server.enqueue({ body: readFixture('openai/openai-embedding.json') });
    const result = await createVllm({ baseUrl: server.url }).embed!({ model: 'bge', input: ['a', 'b'] }, context);
    expect(result.embeddings).toHaveLength(2);
    expect(server.requests.at(-1)!.url).toBe('/embeddings');
  });

  it('refuses a hosted preset without a key, before any request', async () => {
    const before = server.requests.length;
    const error = await createGroq({ baseUrl: server.url }).chat(hello, context).catch((caught: unknown) => caught);
    expect((error as LLMError).name).toBe('AuthenticationError');
    expect(server.requests.length).toBe(before);
  });

  it('sends the key in an api-key header when asked', async () => {
    server.enqueue({ body: readFixture('openai/openai-text.json') });
    await createOpenAICompatible({ id: 'azure', baseUrl: server.url, apiKey, authStyle: 'api-key-header' }).chat(hello, context);
    const headers = server.requests.at(-1)!.headers;
    expect(headers['api-key']).toBe(apiKey);
    expect(headers.authorization).toBeUndefined();
  });

  it('rejects bad configuration with a ConfigurationError naming the field', () => {
    expect(() => createOpenAICompatible({ id: 'x', baseUrl: 'not a url' })).toThrow(/baseUrl/);
    expect(() => createOpenAICompatible({ id: 'x', baseUrl: 'ftp://host/v1' })).toThrow(/http or https/);
    expect(() => createOpenAICompatible({ id: '', baseUrl: 'http://localhost:1/v1' })).toThrow(/id must be/);
    expect(() => createOpenAICompatiblePreset('nope' as OpenAICompatiblePresetName)).toThrow(/unknown OpenAI-compatible preset/);
  });

  it('has a factory and a preset for every listed service with the documented base URLs', () => {
    const factories: Record<OpenAICompatiblePresetName, (options?: { apiKey?: string }) => LanguageModelProvider> = {
      openrouter: createOpenRouter, groq: createGroq, together: createTogether, fireworks: createFireworks, deepinfra: createDeepInfra,
      mistral: createMistral, xai: createXai, deepseek: createDeepSeek, lmstudio: createLMStudio, localai: createLocalAI, vllm: createVllm, llamacpp: createLlamaCpp,
    };
    const baseUrls: Record<OpenAICompatiblePresetName, string> = {
      openrouter: 'https://openrouter.ai/api/v1', groq: 'https://api.groq.com/openai/v1', together: 'https://api.together.xyz/v1',
      fireworks: 'https://api.fireworks.ai/inference/v1', deepinfra: 'https://api.deepinfra.com/v1/openai', mistral: 'https://api.mistral.ai/v1',
      xai: 'https://api.x.ai/v1', deepseek: 'https://api.deepseek.com/v1', lmstudio: 'http://localhost:1234/v1', localai: 'http://localhost:8080/v1',
      vllm: 'http://localhost:8000/v1', llamacpp: 'http://localhost:8080/v1',
    };
    expect(Object.keys(openAICompatiblePresets).sort()).toEqual(Object.keys(factories).sort());
    for (const [name, factory] of Object.entries(factories) as Array<[OpenAICompatiblePresetName, (typeof factories)[OpenAICompatiblePresetName]]>) {
      const provider = factory({ apiKey: 'k' });
      const preset = openAICompatiblePresets[name];
      expect(provider.id).toBe(name);
      expect(provider.baseUrl).toBe(baseUrls[name]);
      expect(provider.local).toBe(['lmstudio', 'localai', 'vllm', 'llamacpp'].includes(name));
      expect(provider.defaultModel).toBe(preset.defaultModel);
      expect(typeof provider.embed === 'function').toBe(preset.embeddings);
    }
  });
});
