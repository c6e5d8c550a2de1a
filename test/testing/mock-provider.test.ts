import { describe, expect, it } from 'vitest';
import { LLMError } from '../../src/errors/llm-error';
import { ProviderRateLimitError } from '../../src/errors/provider-rate-limit-error';
import type { ProviderChatCall } from '../../src/spec/chat';
import type { ProviderStreamPart } from '../../src/spec/stream';
import { createManualClock, createMockProvider } from '../../src/testing';
import { collectStream } from '../providers/provider-conformance';

const context = { fetch: globalThis.fetch };
const call: ProviderChatCall = { model: 'mock-model', messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Hello there' }] };

async function caught(run: Promise<unknown>): Promise<LLMError> {
  const error = await run.then(() => undefined, (failure: unknown) => failure);
  expect(LLMError.isInstance(error), `expected an LLMError, got ${String(error)}`).toBe(true);
  return error as LLMError;
}

async function drain(stream: AsyncIterable<ProviderStreamPart>, seen: ProviderStreamPart[]): Promise<void> {
  for await (const part of stream) seen.push(part);
}

describe('mock provider: default echo', () => {
  it('echoes the last user message with usage estimated at four characters a token', async () => {
    const mock = createMockProvider();
    const result = await mock.chat(call, context);
    expect(result.text).toBe('Echo: Hello there');
    expect(result.finishReason).toBe('stop');
    // 'Be kind.' + 'Hello there' = 19 characters -> 5 tokens; 'Echo: Hello there' = 17 -> 5.
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 5, totalTokens: 10 });
    expect(result.responseId).toBe('mock-response-0');
    expect(mock.calls).toHaveLength(1);
    expect(mock.calls[0]).toMatchObject({ kind: 'chat', index: 0, model: 'mock-model', call });
  });

  it('streams the same answer word by word, ending with exactly one finish', async () => {
    const mock = createMockProvider();
    const streamed = await collectStream(mock.stream(call, context));
    const answered = await mock.chat(call, context);
    expect(streamed.text).toBe(answered.text);
    expect(streamed.usage).toEqual(answered.usage);
    expect(streamed.parts.filter((part) => part.type === 'text-delta').map((part) => (part as { text: string }).text)).toEqual(['Echo:', ' Hello', ' there']);
    expect(streamed.parts[0]).toEqual({ type: 'response-metadata', responseId: 'mock-response-0', model: 'mock-model' });
    expect(mock.calls.map((entry) => entry.kind)).toEqual(['stream', 'chat']);
  });

  it('uses its default model when the call names none, and is local and free by default', async () => {
    const mock = createMockProvider({ id: 'fake', defaultModel: 'fake-1' });
    const result = await mock.chat({ ...call, model: '' }, context);
    expect(result.model).toBe('fake-1');
    expect(mock).toMatchObject({ id: 'fake', wireFormat: 'mock', local: true, hasApiKey: true, baseUrl: 'mock://fake' });
  });
});

describe('mock provider: scripted replies', () => {
  it('plays a queue in order across chat and stream, then falls back to the echo', async () => {
    const mock = createMockProvider({
      replies: [
        { text: 'first', usage: { inputTokens: 100, outputTokens: 7 } },
        { reasoning: 'Thinking hard', text: 'second answer', chunks: 3 },
      ],
    });
    const first = await mock.chat(call, context);
    expect(first.text).toBe('first');
    expect(first.usage).toEqual({ inputTokens: 100, outputTokens: 7, totalTokens: 107 });
    const second = await collectStream(mock.stream(call, context));
    expect(second.text).toBe('second answer');
    expect(second.reasoning).toBe('Thinking hard');
    expect(second.parts.filter((part) => part.type === 'text-delta')).toHaveLength(3);
    expect(second.parts.filter((part) => part.type === 'reasoning-delta')).toHaveLength(3);
    expect((await mock.chat(call, context)).text).toBe('Echo: Hello there');
  });

  it('scripts tool calls with deterministic ids and a tool-calls finish', async () => {
    const mock = createMockProvider({ replies: [{ toolCalls: [{ name: 'weather', arguments: { city: 'Paris' } }, { id: 'mine', name: 'clock' }] }] });
    const result = await collectStream(mock.stream(call, context));
    expect(result.toolCalls).toEqual([
      { id: 'mock-call-0-0', name: 'weather', arguments: { city: 'Paris' }, rawArguments: '{"city":"Paris"}' },
      { id: 'mine', name: 'clock', arguments: {}, rawArguments: '{}' },
    ]);
    expect(result.finishReason).toBe('tool-calls');
  });

  it('answers from a function that sees every call (undefined means echo)', async () => {
    const mock = createMockProvider({
      replies: (entry) => (entry.index === 0 ? { text: `you asked ${entry.model} via ${entry.kind}`, finishReason: 'length' } : undefined),
    });
    const first = await mock.chat(call, context);
    expect(first).toMatchObject({ text: 'you asked mock-model via chat', finishReason: 'length' });
    expect((await mock.chat(call, context)).text).toBe('Echo: Hello there');
    expect(() => mock.enqueue({ text: 'x' })).toThrow(/enqueue needs a reply queue/);
  });

  it('repeats the last reply or refuses, when told to', async () => {
    const repeating = createMockProvider({ replies: [{ text: 'again' }], whenExhausted: 'repeat-last' });
    await repeating.chat(call, context);
    expect((await repeating.chat(call, context)).text).toBe('again');

    const strict = createMockProvider({ whenExhausted: 'error' });
    strict.enqueue({ text: 'only one' });
    await strict.chat(call, context);
    const error = await caught(strict.chat(call, context));
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain('no scripted reply left for call #1');
  });

  it('reset forgets calls and queued replies', async () => {
    const mock = createMockProvider({ replies: [{ text: 'a' }, { text: 'b' }] });
    await mock.chat(call, context);
    mock.reset();
    expect(mock.calls).toHaveLength(0);
    expect((await mock.chat(call, context)).text).toBe('Echo: Hello there');
  });
});

describe('mock provider: failures', () => {
  const expectations = [
    ['rate-limit', 'ProviderRateLimitError', 429, true],
    ['overloaded', 'OverloadedError', 529, true],
    ['server', 'ServerError', 500, true],
    ['authentication', 'AuthenticationError', 401, false],
    ['timeout', 'TimeoutError', undefined, true],
    ['network', 'NetworkError', undefined, true],
    ['context-length', 'ContextLengthExceededError', 400, false],
    ['invalid-request', 'InvalidRequestError', 400, false],
    ['content-filter', 'ContentFilterError', 400, false],
    ['invalid-response', 'InvalidResponseError', undefined, true],
    ['aborted', 'AbortedError', undefined, false],
  ] as const;
  for (const [kind, errorClass, status, retryable] of expectations) {
    it(`{ error: '${kind}' } throws ${errorClass} from chat and from stream`, async () => {
      const mock = createMockProvider({ id: 'flaky', replies: [{ error: kind }, { error: kind }] });
      for (const run of [mock.chat(call, context), collectStream(mock.stream(call, context))]) {
        const error = await caught(run);
        expect(error.name).toBe(errorClass);
        expect(error.status).toBe(status);
        expect(error.retryable).toBe(retryable);
        expect(error.provider).toBe('flaky');
        expect(error.model).toBe('mock-model');
      }
    });
  }

  it('carries retryAfterMs, and throws given error instances as they are', async () => {
    const instance = new ProviderRateLimitError('custom limit', { provider: 'mock', retryAfterMs: 1 });
    const mock = createMockProvider({ replies: [{ error: 'rate-limit', retryAfterMs: 2500, message: 'slow down' }, instance] });
    const first = await caught(mock.chat(call, context));
    expect(first.retryAfterMs).toBe(2500);
    expect(first.message).toBe('mock: slow down');
    expect(await caught(mock.chat(call, context))).toBe(instance);
  });

  it('rejects an unknown error kind with a ConfigurationError naming it', async () => {
    const mock = createMockProvider({ replies: [{ error: 'meltdown' as never }] });
    const error = await caught(mock.chat(call, context));
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain('meltdown');
  });

  it('a stream scripted to fail after K parts yields K parts, throws, and never finishes', async () => {
    const mock = createMockProvider({ replies: [{ text: 'one two three four', failAfterParts: 3 }, { text: 'short', failAfterParts: 99, failWith: { error: 'overloaded' } }] });
    const seen: ProviderStreamPart[] = [];
    const error = await caught(drain(mock.stream(call, context), seen));
    expect(error.name).toBe('NetworkError');
    expect(seen.map((part) => part.type)).toEqual(['response-metadata', 'text-delta', 'text-delta']);

    const late: ProviderStreamPart[] = [];
    const lateError = await caught(drain(mock.stream(call, context), late));
    expect(lateError.name).toBe('OverloadedError');
    expect(late.map((part) => part.type)).toEqual(['response-metadata', 'text-delta', 'usage']);
  });

  it('a reply scripted to break mid-stream fails a non-streaming call', async () => {
    const mock = createMockProvider({ replies: [{ text: 'hello', failAfterParts: 1, failWith: 'server' }] });
    expect((await caught(mock.chat(call, context))).name).toBe('ServerError');
  });

  it('rejects malformed replies and options with ConfigurationError naming the field', async () => {
    expect(() => createMockProvider({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => createMockProvider({ replies: 'hello' as never })).toThrow(/replies/);
    expect(() => createMockProvider({ embeddingDimensions: 0 })).toThrow(/embeddingDimensions/);
    const mock = createMockProvider({ replies: [{ text: 'x', chunks: 0 }, { toolCalls: [{ name: '' }] }] });
    expect((await caught(mock.chat(call, context))).message).toContain('chunks');
    expect((await caught(mock.chat(call, context))).message).toContain('toolCalls[0]');
  });
});

describe('mock provider: latency and abort (manual clock, no real waiting)', () => {
  it('answers only once the latency has elapsed on the injected clock', async () => {
    const clock = createManualClock();
    const mock = createMockProvider({ latencyMs: 500, sleep: clock.sleep });
    let settled = false;
    const pending = mock.chat(call, context).then((result) => {
      settled = true;
      return result;
    });
    await clock.advance(499);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect((await pending).text).toBe('Echo: Hello there');
    expect(clock.pendingSleeps()).toBe(0);
  });

  it('an abort during the latency rejects with AbortedError', async () => {
    const clock = createManualClock();
    const mock = createMockProvider({ replies: [{ text: 'late', latencyMs: 10_000 }], sleep: clock.sleep });
    const controller = new AbortController();
    const pending = mock.chat(call, { ...context, signal: controller.signal });
    await clock.advance(100);
    controller.abort();
    const error = await caught(pending);
    expect(error.name).toBe('AbortedError');
    expect(clock.pendingSleeps()).toBe(0);
  });

  it('an abort whose reason is an LLMError or a timeout keeps that meaning', async () => {
    const clock = createManualClock();
    const mock = createMockProvider({ latencyMs: 1000, sleep: clock.sleep });
    const byManager = new AbortController();
    const reason = new ProviderRateLimitError('budget window closed');
    const first = mock.chat(call, { ...context, signal: byManager.signal });
    byManager.abort(reason);
    expect(await caught(first)).toBe(reason);

    const timedOut = new AbortController();
    const second = mock.chat(call, { ...context, signal: timedOut.signal });
    timedOut.abort(new DOMException('signal timed out', 'TimeoutError'));
    expect((await caught(second)).name).toBe('TimeoutError');
  });

  it('an abort between stream parts ends the stream with AbortedError and no finish', async () => {
    const clock = createManualClock();
    const mock = createMockProvider({ replies: [{ text: 'a b c d', partDelayMs: 50 }], sleep: clock.sleep });
    const controller = new AbortController();
    const seen: ProviderStreamPart[] = [];
    const pending = drain(mock.stream(call, { ...context, signal: controller.signal }), seen);
    await clock.advance(50);
    await clock.advance(50);
    controller.abort();
    const error = await caught(pending);
    expect(error.name).toBe('AbortedError');
    expect(seen.map((part) => part.type)).toEqual(['response-metadata', 'text-delta', 'text-delta']);
  });

  it('one advance wakes a chain of part delays that fall due inside it', async () => {
    const clock = createManualClock();
    const mock = createMockProvider({ replies: [{ text: 'a b c', partDelayMs: 50 }], sleep: clock.sleep });
    const seen: ProviderStreamPart[] = [];
    const pending = drain(mock.stream(call, context), seen);
    await clock.advance(100);
    expect(seen.map((part) => part.type)).toEqual(['response-metadata', 'text-delta', 'text-delta']);
    await clock.advance(1000);
    await pending;
    expect(seen.at(-1)!.type).toBe('finish');
    expect(clock.now()).toBe(1100);
  });

  it('an already aborted signal fails before any latency', async () => {
    const mock = createMockProvider();
    const error = await caught(mock.chat(call, { ...context, signal: AbortSignal.abort() }));
    expect(error.name).toBe('AbortedError');
  });
});

describe('mock provider: embeddings, models and keys', () => {
  it('embeds deterministically: same text same unit vector, different texts differ', async () => {
    const first = createMockProvider();
    const second = createMockProvider();
    const a = await first.embed({ model: 'mock-embedding', input: ['sunny day', 'rainy day'] }, context);
    const b = await second.embed({ model: 'mock-embedding', input: ['sunny day'], dimensions: 8 }, context);
    expect(a.embeddings[0]).toEqual(b.embeddings[0]);
    expect(a.embeddings[0]).not.toEqual(a.embeddings[1]);
    expect(a.embeddings[0]).toHaveLength(8);
    expect(Math.hypot(...a.embeddings[0]!)).toBeCloseTo(1, 10);
    expect(a.usage).toEqual({ inputTokens: 6 });
    const wide = await first.embed({ model: 'mock-embedding', input: ['x'], dimensions: 32 }, context);
    expect(wide.embeddings[0]).toHaveLength(32);
  });

  it('plays scripted embedding answers and failures', async () => {
    const mock = createMockProvider({ embedReplies: [{ error: 'rate-limit', retryAfterMs: 10 }, { embeddings: [[1, 0]], usage: { inputTokens: 3 } }] });
    const error = await caught(mock.embed({ model: 'mock-embedding', input: ['a'] }, context));
    expect(error.name).toBe('ProviderRateLimitError');
    expect(await mock.embed({ model: 'mock-embedding', input: ['a'] }, context)).toEqual({ embeddings: [[1, 0]], usage: { inputTokens: 3 }, model: 'mock-embedding' });
  });

  it('lists its chat and embedding models', async () => {
    const mock = createMockProvider({ models: ['mock-large'], local: false, pricing: { inputPerMillion: 1, outputPerMillion: 2 } });
    const models = await mock.listModels(context);
    expect(models.map((model) => model.id)).toEqual(['mock:mock-model', 'mock:mock-large', 'mock:mock-embedding']);
    expect(models[0]).toMatchObject({ local: false, pricing: { inputPerMillion: 1, outputPerMillion: 2 }, capabilities: { tools: true, embedding: false } });
    expect(models[2]!.capabilities.embedding).toBe(true);
    expect(mock.calls.at(-1)!.kind).toBe('list-models');
  });

  it('records the key used without ever serialising it, and can require one', async () => {
    const mock = createMockProvider({ requireApiKey: true });
    expect(mock.hasApiKey).toBe(false);
    expect((await caught(mock.chat(call, context))).name).toBe('AuthenticationError');
    await mock.chat(call, { ...context, apiKey: 'sk-user-own-key-123456789' });
    expect(mock.calls.at(-1)!.apiKey).toBe('sk-user-own-key-123456789');
    expect(JSON.stringify(mock.calls)).not.toContain('sk-user-own-key');
  });
});
