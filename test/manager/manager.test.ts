import { describe, expect, it } from 'vitest';
import {
  AbortedError, AllProvidersFailedError, ConfigurationError, createLLMManager, InvalidRequestError, LLMError,
  type StreamPart,
} from 'llm-switchyard';
import { createMockProvider } from 'llm-switchyard/testing';

const messages = [{ role: 'user' as const, content: 'Hello there' }];

describe('createLLMManager options', () => {
  it('rejects options naming the bad field', () => {
    expect(() => createLLMManager({ providers: [] })).toThrow(/providers: configure at least one provider/);
    expect(() => createLLMManager({ providers: [{} as never] })).toThrow(ConfigurationError);
    expect(() => createLLMManager({ providers: [createMockProvider()], timeoutMs: -1 })).toThrow(/timeoutMs/);
  });

  it('rejects duplicate provider ids and unknown providers in the fallback chain at start-up', () => {
    expect(() => createLLMManager({ providers: [createMockProvider(), createMockProvider()] })).toThrow(/share the id "mock"/);
    expect(() => createLLMManager({ providers: [createMockProvider()], routing: { fallback: ['nope:model'] } })).toThrow(/Unknown provider "nope"/);
  });
});

describe('request validation happens before any network call', () => {
  const mock = createMockProvider();
  const llm = createLLMManager({ providers: [mock] });
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['unknown provider', { model: 'unknown:gpt', messages }, /Unknown provider "unknown"/],
    ['no messages', { messages: [] }, /messages: must contain at least one message/],
    ['malformed message', { messages: [{ role: 'user' }] }, /messages\[0\]\.content/],
    ['bad role', { messages: [{ role: 'robot', content: 'x' }] }, /messages\[0\]/],
    ['tool schema not an object', { messages, tools: [{ name: 'f', parameters: { type: 'string' } }] }, /tools\[0\]\.parameters: must be a JSON Schema whose root type is "object"/],
    ['negative maxTokens', { messages, maxTokens: -5 }, /maxTokens/],
    ['fractional maxTokens', { messages, maxTokens: 1.5 }, /maxTokens/],
    ['toolChoice naming a missing tool', { messages, tools: [{ name: 'f', parameters: { type: 'object' } }], toolChoice: { type: 'tool', name: 'g' } }, /toolChoice names tool "g"/],
  ];
  for (const [name, request, message] of cases) {
    it(`${name} → InvalidRequestError`, async () => {
      const before = mock.calls.length;
      const error = await llm.chat(request as never).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as Error).message).toMatch(message);
      expect(() => llm.stream(request as never)).toThrow(message);
      expect(mock.calls.length).toBe(before);
    });
  }

  it('rejects an embed request with no inputs', async () => {
    await expect(llm.embed({ input: [] })).rejects.toThrow(/input: must contain at least one text/);
  });
});

describe('chat', () => {
  it('serves from the first candidate and reports provider, model, usage and attempts', async () => {
    const mock = createMockProvider({ replies: [{ text: 'Hi!', usage: { inputTokens: 7, outputTokens: 2 } }] });
    const llm = createLLMManager({ providers: [mock] });
    const result = await llm.chat({ model: 'mock:small', messages, userId: 'u1' });
    expect(result).toMatchObject({ text: 'Hi!', provider: 'mock', model: 'small', cached: false, keySource: 'local', finishReason: 'stop' });
    expect(result.usage).toMatchObject({ inputTokens: 7, outputTokens: 2, totalTokens: 9 });
    expect(result.attempts).toEqual([expect.objectContaining({ provider: 'mock', model: 'small', status: 'success', attemptNumber: 1 })]);
    expect(result.routing.candidates[0]).toMatchObject({ candidate: 'mock:small', decision: 'selected' });
    expect(mock.calls[0]).toMatchObject({ kind: 'chat', model: 'small' });
  });

  it('a result, streamed or not, carries routing as a plain enumerable field: in JSON, keys and copies', async () => {
    const llm = createLLMManager({ providers: [createMockProvider({ replies: [{ text: 'one' }, { text: 'two' }] })] });
    const chatted = await llm.chat({ model: 'mock:small', messages });
    const stream = llm.stream({ model: 'mock:small', messages });
    for await (const part of stream) expect(part.type).not.toBe('error');
    const streamed = await stream.result;
    for (const result of [chatted, streamed]) {
      expect(Object.keys(result)).toContain('routing');
      expect(JSON.parse(JSON.stringify(result)).routing.candidates[0]).toMatchObject({ candidate: 'mock:small', decision: 'selected' });
      expect({ ...result }.routing).toEqual(result.routing);
      expect(Object.getOwnPropertySymbols({ ...result })).toEqual([]);
      const replaced = { strategy: 'priority', candidates: [] };
      result.routing = replaced;
      expect(result.routing).toBe(replaced);
    }
    await llm.close();
  });

  it('keeps colons in model ids after the provider prefix', async () => {
    const mock = createMockProvider({ id: 'ollama' });
    const llm = createLLMManager({ providers: [mock] });
    const result = await llm.chat({ model: 'ollama:llama3.2:1b', messages });
    expect(result.model).toBe('llama3.2:1b');
  });

  it('falls back across the chain, listing every attempt and firing onFallback', async () => {
    const first = createMockProvider({ id: 'first', replies: [{ error: 'overloaded' }], whenExhausted: 'repeat-last' });
    const second = createMockProvider({ id: 'second', replies: [{ error: 'authentication' }], whenExhausted: 'repeat-last' });
    const third = createMockProvider({ id: 'third', replies: [{ text: 'from third' }] });
    const fallbacks: string[] = [];
    const llm = createLLMManager({
      providers: [first, second, third],
      routing: { fallback: ['second:b', 'third:c'], maxRetries: 0 },
      hooks: { onFallback: (event) => fallbacks.push(`${event.failed.provider}->${event.next.provider}`) },
    });
    const result = await llm.chat({ model: 'first:a', messages });
    expect(result.text).toBe('from third');
    expect(result.attempts.map((attempt) => [attempt.provider, attempt.status, attempt.errorClass])).toEqual([
      ['first', 'error', 'OverloadedError'],
      ['second', 'error', 'AuthenticationError'],
      ['third', 'success', undefined],
    ]);
    expect(fallbacks).toEqual(['first->second', 'second->third']);
    expect(result.routing.candidates.map((candidate) => [candidate.candidate, candidate.decision])).toEqual([['first:a', 'selected'], ['second:b', 'fallback'], ['third:c', 'fallback']]);
  });

  it('retries a retryable failure on the same candidate, waiting what the provider asked', async () => {
    const flaky = createMockProvider({ id: 'flaky', replies: [{ error: 'rate-limit', retryAfterMs: 5 }, { text: 'second try' }] });
    const other = createMockProvider({ id: 'other' });
    const llm = createLLMManager({ providers: [flaky, other], routing: { fallback: ['flaky', 'other'] } });
    const result = await llm.chat({ messages });
    expect(result).toMatchObject({ text: 'second try', provider: 'flaky' });
    expect(result.attempts).toEqual([expect.objectContaining({ provider: 'flaky', status: 'success', retries: 1 })]);
    expect(flaky.calls).toHaveLength(2);
    expect(other.calls).toHaveLength(0);
  });

  it('throws AllProvidersFailedError with every attempt when all fail', async () => {
    const first = createMockProvider({ id: 'first', replies: [{ error: 'server' }], whenExhausted: 'repeat-last' });
    const second = createMockProvider({ id: 'second', replies: [{ error: 'network' }], whenExhausted: 'repeat-last' });
    const errors: LLMError[] = [];
    const llm = createLLMManager({ providers: [first, second], routing: { fallback: ['first', 'second'], maxRetries: 0 }, hooks: { onError: (event) => errors.push(event.error) } });
    const error = await llm.chat({ messages }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AllProvidersFailedError);
    expect((error as AllProvidersFailedError).attempts.map((attempt) => attempt.errorClass)).toEqual(['ServerError', 'NetworkError']);
    expect(errors).toEqual([error]);
  });

  it('stops at once when the caller aborts', async () => {
    const slow = createMockProvider({ id: 'slow', latencyMs: 60_000 });
    const other = createMockProvider({ id: 'other' });
    const llm = createLLMManager({ providers: [slow, other], routing: { fallback: ['slow', 'other'] } });
    const controller = new AbortController();
    const pending = llm.chat({ messages, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(other.calls).toHaveLength(0);
  });

  it('ignores hooks that throw', async () => {
    const llm = createLLMManager({
      providers: [createMockProvider()],
      hooks: { onRequest: () => { throw new Error('bad hook'); }, onResponse: () => { throw new Error('bad hook'); } },
    });
    await expect(llm.chat({ messages })).resolves.toMatchObject({ provider: 'mock' });
  });

  it('refuses calls after close()', async () => {
    const llm = createLLMManager({ providers: [createMockProvider()] });
    await llm.close();
    await expect(llm.chat({ messages })).rejects.toThrow(/closed/);
  });
});

describe('stream', () => {
  async function read(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
    const parts: StreamPart[] = [];
    for await (const part of stream) parts.push(part);
    return parts;
  }

  it('yields parts ending in finish and resolves the result', async () => {
    const llm = createLLMManager({ providers: [createMockProvider({ replies: [{ text: 'one two three', chunks: 3 }] })] });
    const stream = llm.stream({ messages });
    const parts = await read(stream);
    expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(3);
    expect(parts.at(-1)?.type).toBe('finish');
    const result = await stream.result;
    expect(result.text).toBe('one two three');
    expect(result.attempts).toHaveLength(1);
  });

  it('falls back freely before the first content part', async () => {
    const first = createMockProvider({ id: 'first', replies: [{ error: 'rate-limit' }], whenExhausted: 'repeat-last' });
    const second = createMockProvider({ id: 'second', replies: [{ text: 'second answer' }] });
    const llm = createLLMManager({ providers: [first, second], routing: { fallback: ['first', 'second'], maxRetries: 0 } });
    const result = await llm.stream({ messages }).collect();
    expect(result.provider).toBe('second');
    expect(result.attempts.map((attempt) => attempt.status)).toEqual(['error', 'success']);
  });

  it('ends with an error part, never a finish, when the provider fails after content', async () => {
    const first = createMockProvider({ id: 'first', replies: [{ text: 'partial answer here', chunks: 3, failAfterParts: 2 }] });
    const second = createMockProvider({ id: 'second' });
    const llm = createLLMManager({ providers: [first, second], routing: { fallback: ['first', 'second'] } });
    const stream = llm.stream({ messages });
    const parts = await read(stream);
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
    const last = parts.at(-1);
    expect(last?.type).toBe('error');
    await expect(stream.result).rejects.toBe((last as Extract<StreamPart, { type: 'error' }>).error);
    expect(second.calls).toHaveLength(0);
  });

  it('aborts the upstream call when the consumer stops reading', async () => {
    let upstreamSignal: AbortSignal | undefined;
    const mock = createMockProvider({ replies: [{ text: 'a b c d e f', chunks: 6 }] });
    const spy = { ...mock, stream: (call: Parameters<typeof mock.stream>[0], context: Parameters<typeof mock.stream>[1]) => {
      upstreamSignal = context.signal;
      return mock.stream(call, context);
    } };
    const llm = createLLMManager({ providers: [spy] });
    const stream = llm.stream({ messages });
    for await (const part of stream) if (part.type === 'text-delta') break;
    expect(upstreamSignal?.aborted).toBe(true);
    await expect(stream.result).rejects.toBeInstanceOf(AbortedError);
  });

  it('can be read as a web ReadableStream, once', async () => {
    const llm = createLLMManager({ providers: [createMockProvider({ replies: [{ text: 'web stream' }] })] });
    const stream = llm.stream({ messages });
    const reader = stream.toReadableStream().getReader();
    const types: string[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) types.push(next.value.type);
    expect(types.at(-1)).toBe('finish');
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});

describe('embed and models', () => {
  it('embeds through the default embedding model', async () => {
    const llm = createLLMManager({ providers: [createMockProvider({ embeddingDimensions: 4 })] });
    const result = await llm.embed({ input: ['a', 'b'] });
    expect(result.embeddings).toHaveLength(2);
    expect(result.dimensions).toBe(4);
    expect(result.provider).toBe('mock');
  });

  it('lists models across providers', async () => {
    const llm = createLLMManager({ providers: [createMockProvider({ id: 'one' }), createMockProvider({ id: 'two' })] });
    const models = await llm.models();
    expect(new Set(models.map((model) => model.provider))).toEqual(new Set(['one', 'two']));
  });
});

describe('stream continuation after a mid-answer failure', () => {
  it("with streamFallback 'continue' resumes on the next candidate and marks the splice", async () => {
    const first = createMockProvider({ id: 'first', replies: [{ text: 'one two three four', chunks: 4, failAfterParts: 3 }] });
    const second = createMockProvider({ id: 'second', replies: [{ text: ' continued' }] });
    const llm = createLLMManager({ providers: [first, second], routing: { fallback: ['first', 'second'], streamFallback: 'continue', maxRetries: 0 } });
    const stream = llm.stream({ messages });
    const types: string[] = [];
    for await (const part of stream) types.push(part.type);
    expect(types).toContain('splice');
    expect(types.at(-1)).toBe('finish');
    const result = await stream.result;
    expect(result.splices).toEqual([expect.objectContaining({ from: 'first:mock-model', to: 'second:mock-model', errorClass: 'NetworkError' })]);
    expect(result.provider).toBe('second');
    const continuation = second.calls[0]!;
    const sent = continuation.kind === 'stream' ? continuation.call.messages : [];
    expect(sent.at(-1)?.role).toBe('assistant');
    expect(result.text.endsWith(' continued')).toBe(true);
  });
});
