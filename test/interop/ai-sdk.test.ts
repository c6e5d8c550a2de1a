import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APICallError } from '@ai-sdk/provider';
import type { LanguageModelV3StreamPart, LanguageModelV3Usage } from '@ai-sdk/provider';
import { simulateReadableStream } from 'ai';
import { MockEmbeddingModelV3, MockLanguageModelV3, MockProviderV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLLMManager, type StreamPart } from 'llm-switchyard';
import { fromAISDK, fromAISDKEmbedding } from 'llm-switchyard/interop';

const usage: LanguageModelV3Usage = {
  inputTokens: { total: 10, noCache: 6, cacheRead: 4, cacheWrite: undefined },
  outputTokens: { total: 5, text: 3, reasoning: 2 },
};

// The AI SDK models here have no price of their own; the overrides price them so usage records are complete.
const testPrice = { inputPerMillion: 1, outputPerMillion: 2 };
const pricing = { overrides: Object.fromEntries(['acme', 'first', 'second', 'p', 'gateway', 'cat'].map((id) => [`${id}:*`, testPrice])) };

function manager(...providers: Parameters<typeof createLLMManager>[0]['providers']) {
  return createLLMManager({ providers, fetch: globalThis.fetch, routing: { maxRetries: 0 }, pricing });
}

function textStream(parts: LanguageModelV3StreamPart[]) {
  return { stream: simulateReadableStream({ chunks: parts, initialDelayInMs: null, chunkDelayInMs: null }) };
}

describe('fromAISDK: an AI SDK language model behind the manager', () => {
  it('converts the whole request to AI SDK call options and the generate result back', async () => {
    const model = new MockLanguageModelV3({
      provider: 'acme.chat',
      modelId: 'acme-large',
      doGenerate: {
        content: [{ type: 'reasoning', text: 'Thinking.' }, { type: 'text', text: '{"answer":42}' }],
        finishReason: { unified: 'stop', raw: 'end_turn' },
        usage,
        response: { id: 'resp-1', modelId: 'acme-large-2025', timestamp: new Date(0) },
        warnings: [],
      },
    });
    const provider = fromAISDK(model);
    expect(provider.id).toBe('acme');
    const llm = manager(provider);
    const schema = z.object({ answer: z.number() });
    const result = await llm.chat({
      model: 'acme:acme-large',
      messages: [
        { role: 'system', content: 'Be exact.' },
        { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'image', image: 'https://example.com/a.png' }] },
        { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'lookup', arguments: { q: 'x' } }] },
        { role: 'tool', toolCallId: 'call-1', content: '{"hit":true}' },
        { role: 'user', content: 'And now?' },
      ],
      tools: [{ name: 'lookup', description: 'Looks up', parameters: z.object({ q: z.string() }) }],
      toolChoice: 'auto',
      responseFormat: { type: 'json-schema', name: 'answer', schema },
      temperature: 0.3, topP: 0.8, maxTokens: 64, stop: ['\n\n'], seed: 3,
      providerOptions: { acme: { effort: 'high' } },
    });
    expect(result).toMatchObject({
      text: '{"answer":42}', reasoning: 'Thinking.', finishReason: 'stop', rawFinishReason: 'end_turn', responseId: 'resp-1',
      provider: 'acme', model: 'acme-large-2025',
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15, cachedInputTokens: 4, reasoningTokens: 2 },
    });

    const options = model.doGenerateCalls[0]!;
    expect(options.prompt).toEqual([
      { role: 'system', content: 'Be exact.' },
      { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'file', data: new URL('https://example.com/a.png'), mediaType: 'image/*' }] },
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'lookup', input: { q: 'x' } }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call-1', toolName: 'lookup', output: { type: 'text', value: '{"hit":true}' } }] },
      { role: 'user', content: [{ type: 'text', text: 'And now?' }] },
    ]);
    expect(options.tools).toEqual([
      { type: 'function', name: 'lookup', description: 'Looks up', inputSchema: expect.objectContaining({ type: 'object', properties: { q: { type: 'string' } } }) },
    ]);
    expect(options.toolChoice).toEqual({ type: 'auto' });
    expect(options.responseFormat).toMatchObject({ type: 'json', name: 'answer', schema: { type: 'object', properties: { answer: { type: 'number' } } } });
    expect(options).toMatchObject({ temperature: 0.3, topP: 0.8, maxOutputTokens: 64, stopSequences: ['\n\n'], seed: 3, providerOptions: { acme: { effort: 'high' } } });
    expect(options.abortSignal).toBeInstanceOf(AbortSignal);
    await llm.close();
  });

  it('streams text, reasoning and tool calls (input deltas, then the parsed call) with V3 usage', async () => {
    const model = new MockLanguageModelV3({
      provider: 'acme.chat', modelId: 'acme-small',
      doStream: textStream([
        { type: 'stream-start', warnings: [] },
        { type: 'response-metadata', id: 'resp-2', modelId: 'acme-small-001' },
        { type: 'reasoning-start', id: 'r' },
        { type: 'reasoning-delta', id: 'r', delta: 'Hmm.' },
        { type: 'reasoning-end', id: 'r' },
        { type: 'text-start', id: 't' },
        { type: 'text-delta', id: 't', delta: 'Let me ' },
        { type: 'text-delta', id: 't', delta: 'check.' },
        { type: 'text-end', id: 't' },
        { type: 'tool-input-start', id: 'call-7', toolName: 'weather' },
        { type: 'tool-input-delta', id: 'call-7', delta: '{"city":' },
        { type: 'tool-input-delta', id: 'call-7', delta: '"Oslo"}' },
        { type: 'tool-input-end', id: 'call-7' },
        { type: 'tool-call', toolCallId: 'call-7', toolName: 'weather', input: '{"city":"Oslo"}' },
        { type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_use' }, usage },
      ]),
    });
    const llm = manager(fromAISDK(model, { id: 'acme' }));
    const stream = llm.stream({ model: 'acme', messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools: [{ name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }] });
    const parts: StreamPart[] = [];
    for await (const part of stream) parts.push(part);
    expect(parts.filter((part) => part.type !== 'usage')).toEqual([
      { type: 'response-metadata', responseId: 'resp-2', model: 'acme-small-001' },
      { type: 'reasoning-delta', text: 'Hmm.' },
      { type: 'text-delta', text: 'Let me ' },
      { type: 'text-delta', text: 'check.' },
      { type: 'tool-call-delta', id: 'call-7', name: 'weather', argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', id: 'call-7', name: 'weather', argumentsDelta: '"Oslo"}' },
      { type: 'tool-call', toolCall: { id: 'call-7', name: 'weather', arguments: { city: 'Oslo' }, rawArguments: '{"city":"Oslo"}' } },
      { type: 'finish', finishReason: 'tool-calls', rawFinishReason: 'tool_use', usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15, cachedInputTokens: 4, reasoningTokens: 2 } },
    ]);
    const result = await stream.result;
    expect(result).toMatchObject({ text: 'Let me check.', reasoning: 'Hmm.', provider: 'acme', model: 'acme-small-001', toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }] });
    await llm.close();
  });

  it('classifies APICallError like a provider response and falls back to the next AI SDK model', async () => {
    const limited = new MockLanguageModelV3({
      provider: 'first.chat', modelId: 'm1',
      doGenerate: async () => {
        throw new APICallError({
          message: 'Rate limit reached', url: 'https://api.first.test/v1/chat', requestBodyValues: {}, statusCode: 429,
          responseHeaders: { 'retry-after': '30' }, responseBody: '{"error":{"message":"Rate limit reached","type":"rate_limit_error"}}', isRetryable: true,
        });
      },
    });
    const healthy = new MockLanguageModelV3({
      provider: 'second.chat', modelId: 'm2',
      doGenerate: { content: [{ type: 'text', text: 'served' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] },
    });
    const first = fromAISDK(limited);
    const direct = first.chat({ model: 'm1', messages: [{ role: 'user', content: 'x' }] }, { fetch: globalThis.fetch });
    await expect(direct).rejects.toMatchObject({ name: 'ProviderRateLimitError', status: 429, retryAfterMs: 30_000, provider: 'first', retryable: true });

    const llm = manager(first, fromAISDK(healthy));
    const result = await llm.chat({ model: ['first', 'second'], messages: [{ role: 'user', content: 'x' }] });
    expect(result.text).toBe('served');
    expect(result.attempts.map((attempt) => [attempt.provider, attempt.status, attempt.errorClass, attempt.httpStatus])).toEqual([
      ['first', 'error', 'ProviderRateLimitError', 429],
      ['second', 'success', undefined, undefined],
    ]);
    await llm.close();
  });

  it('maps other AI SDK errors: bad prompt, missing model, network failure, error parts mid-stream', async () => {
    const { InvalidPromptError, NoSuchModelError } = await import('@ai-sdk/provider');
    const context = { fetch: globalThis.fetch };
    const call = { model: 'm', messages: [{ role: 'user' as const, content: 'x' }] };
    const invalid = fromAISDK(new MockLanguageModelV3({ modelId: 'm', doGenerate: async () => { throw new InvalidPromptError({ prompt: [], message: 'bad prompt' }); } }), { id: 'p' });
    await expect(invalid.chat(call, context)).rejects.toMatchObject({ name: 'InvalidRequestError', provider: 'p' });
    const network = fromAISDK(new MockLanguageModelV3({
      modelId: 'm',
      doGenerate: async () => { throw new APICallError({ message: 'Cannot connect', url: 'http://x', requestBodyValues: {}, cause: new TypeError('fetch failed') }); },
    }), { id: 'p' });
    await expect(network.chat(call, context)).rejects.toMatchObject({ name: 'NetworkError', provider: 'p' });

    const catalogue = fromAISDK(new MockProviderV3({ languageModels: {} }), { id: 'cat' });
    await expect(catalogue.chat(call, context)).rejects.toMatchObject({ name: 'InvalidRequestError', status: 404 });
    expect(NoSuchModelError).toBeDefined();

    const breaking = fromAISDK(new MockLanguageModelV3({
      modelId: 'm',
      doStream: textStream([
        { type: 'text-delta', id: 't', delta: 'partial' },
        { type: 'error', error: new APICallError({ message: 'upstream 500', url: 'http://x', requestBodyValues: {}, statusCode: 500, responseBody: '{"error":{"message":"boom"}}' }) },
      ]),
    }), { id: 'p' });
    const llm = manager(breaking);
    const parts: StreamPart[] = [];
    for await (const part of llm.stream({ model: 'p', messages: [{ role: 'user', content: 'x' }] })) parts.push(part);
    expect(parts[0]).toEqual({ type: 'text-delta', text: 'partial' });
    expect(parts.at(-1)).toMatchObject({ type: 'error', error: { name: 'ServerError', status: 500, message: 'p: boom' } });

    const truncated = fromAISDK(new MockLanguageModelV3({ modelId: 'm', doStream: textStream([{ type: 'text-delta', id: 't', delta: 'cut' }]) }), { id: 'p' });
    const iterator = truncated.stream(call, context)[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: { type: 'text-delta', text: 'cut' } });
    await expect(iterator.next()).rejects.toMatchObject({ name: 'InvalidResponseError' });
    await llm.close();
  });

  it('cancels the model stream and aborts its signal when the caller aborts', async () => {
    let cancelled: unknown;
    let signal: AbortSignal | undefined;
    const model = new MockLanguageModelV3({
      modelId: 'm',
      doStream: async (options) => {
        signal = options.abortSignal;
        return {
          stream: new ReadableStream<LanguageModelV3StreamPart>({
            start(controller) {
              controller.enqueue({ type: 'text-delta', id: 't', delta: 'first' });
            },
            cancel(reason) {
              cancelled = reason ?? 'cancelled';
            },
          }),
        };
      },
    });
    const llm = manager(fromAISDK(model, { id: 'p' }));
    const controller = new AbortController();
    const stream = llm.stream({ model: 'p', messages: [{ role: 'user', content: 'x' }], signal: controller.signal });
    const parts: StreamPart[] = [];
    for await (const part of stream) {
      parts.push(part);
      if (part.type === 'text-delta') controller.abort();
    }
    expect(signal?.aborted).toBe(true);
    expect(parts.at(-1)).toMatchObject({ type: 'error', error: { name: 'AbortedError' } });
    expect(cancelled).toBeDefined();
    await llm.close();
  });

  it('wraps a whole AI SDK provider: its models are routed by name and listed', async () => {
    const reply = (text: string) => ({ content: [{ type: 'text' as const, text }], finishReason: { unified: 'stop' as const, raw: 'stop' }, usage, warnings: [] });
    const sdkProvider = new MockProviderV3({
      languageModels: {
        fast: new MockLanguageModelV3({ modelId: 'fast', doGenerate: reply('fast answer') }),
        smart: new MockLanguageModelV3({ modelId: 'smart', doGenerate: reply('smart answer') }),
      },
      embeddingModels: { vectors: new MockEmbeddingModelV3({ modelId: 'vectors', doEmbed: async ({ values }) => ({ embeddings: values.map((value) => [value.length, 1]), usage: { tokens: values.length }, warnings: [] }) }) },
    });
    const llm = manager(fromAISDK(sdkProvider, { id: 'gateway', models: ['fast', 'smart'], defaultEmbeddingModel: 'vectors' }));
    expect((await llm.chat({ model: 'gateway:smart', messages: [{ role: 'user', content: 'x' }] })).text).toBe('smart answer');
    expect((await llm.chat({ model: 'gateway', messages: [{ role: 'user', content: 'x' }] })).text).toBe('fast answer');
    expect((await llm.embed({ model: 'gateway', input: ['abc', 'de'] })).embeddings).toEqual([[3, 1], [2, 1]]);
    expect((await llm.models()).map((model) => model.id)).toEqual(expect.arrayContaining(['gateway:fast', 'gateway:smart', 'gateway:vectors']));
    await llm.close();
  });
});

describe('fromAISDKEmbedding', () => {
  it('embeds in order across the model’s per-call limit and sums usage; refuses chat', async () => {
    const model = new MockEmbeddingModelV3({
      provider: 'acme.embedding', modelId: 'embed-1', maxEmbeddingsPerCall: 2,
      doEmbed: async ({ values }) => ({ embeddings: values.map((value) => [value.charCodeAt(0), value.length]), usage: { tokens: values.length * 3 }, warnings: [] }),
    });
    const provider = fromAISDKEmbedding(model);
    const llm = manager(provider);
    const result = await llm.embed({ model: 'acme:embed-1', input: ['a', 'bb', 'ccc'] });
    expect(result.embeddings).toEqual([[97, 1], [98, 2], [99, 3]]);
    expect(result.usage).toEqual({ inputTokens: 9 });
    expect(result.dimensions).toBe(2);
    expect(model.doEmbedCalls.map((call) => call.values)).toEqual([['a', 'bb'], ['ccc']]);
    expect(model.doEmbedCalls[0]!.abortSignal).toBeInstanceOf(AbortSignal);
    await expect(provider.chat({ model: 'x', messages: [{ role: 'user', content: 'x' }] }, { fetch: globalThis.fetch })).rejects.toMatchObject({ name: 'InvalidRequestError' });
    await llm.close();
  });
});

describe('optional peer dependencies', () => {
  it('src/interop imports ai, @ai-sdk/* and @opentelemetry/* only as types', () => {
    const root = join(import.meta.dirname, '../../src/interop');
    const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const source = readFileSync(join(file.parentPath, file.name), 'utf8');
      const runtimeImports = [...source.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)].map((match) => match[1]!);
      for (const specifier of runtimeImports) expect(specifier, `${file.name} imports ${specifier}`).not.toMatch(/^(ai|@ai-sdk\/|@opentelemetry\/|node:)/);
    }
  });
});
