// A call's deadline reaches the provider request as is, with no AbortSignal made, only when both the
// transport and the adapter are marked as taking an abort-signal-like object; everything else keeps a real
// AbortSignal. Either way a deadline or a caller's abort ends the request at the socket.
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/errors/aborted-error';
import { ServerError } from '../../src/errors/server-error';
import { TimeoutError } from '../../src/errors/timeout-error';
import { asAbortSignal } from '../../src/http/abort-source';
import { createCallDeadline } from '../../src/http/call-deadline';
import { markTakesAbortSignalLike } from '../../src/http/takes-abort-signal-like';
import { createLLMManager } from '../../src/manager/create-llm-manager';
import { createLLMManager as createNodeLLMManager } from '../../src/node/create-node-llm-manager';
import { createAnthropic } from '../../src/providers/anthropic';
import { createOpenAI } from '../../src/providers/openai';
import { executeWithFallback } from '../../src/routing/fallback-executor';
import { streamWithFallback } from '../../src/routing/stream-fallback';
import { bindInstanceProvider } from '../../src/tenancy/instance-provider';
import type { LanguageModelProvider } from '../../src/spec/provider';
import { createSecretString } from '../../src/vault/secret-string';
import { startHoldingServer, waitFor } from '../support/holding-server';
import { framedFixture, readFixture } from '../support/provider-fixtures';
import { testCandidate } from '../routing/support/test-adapter';

const apiKey = 'sk-test-0123456789abcdefghij';
const request = { model: 'openai:gpt-4.1-nano', messages: [{ role: 'user' as const, content: 'Hello' }] };

/** A fetch that answers the recorded chat completion and keeps the signal each request was given. */
function recordingFetch() {
  const signals: unknown[] = [];
  const fetch = (async (_input: unknown, init?: RequestInit) => {
    signals.push(init?.signal);
    return new Response(readFixture('openai/openai-text.json'), { headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  return { fetch, signals };
}

const isRealSignal = (value: unknown) => value instanceof AbortSignal;

describe('the signal a provider request gets', () => {
  it('is the call deadline itself when transport and adapter are marked, and aborts like one', async () => {
    const recording = recordingFetch();
    const llm = createLLMManager({ providers: [createOpenAI({ apiKey })], fetch: markTakesAbortSignalLike(recording.fetch) });
    const result = await llm.chat(request);
    expect(result.text.length).toBeGreaterThan(0);
    const signal = recording.signals[0] as { aborted: boolean; addEventListener: unknown };
    expect(isRealSignal(signal)).toBe(false);
    expect(signal.aborted).toBe(false);
    expect(typeof signal.addEventListener).toBe('function');
    await llm.close();
  });

  it('is a real AbortSignal for an unmarked transport, an unmarked adapter, or a spread copy of a marked one', async () => {
    const plain = recordingFetch();
    const viaPlainFetch = createLLMManager({ providers: [createOpenAI({ apiKey })], fetch: plain.fetch });
    await viaPlainFetch.chat(request);
    expect(isRealSignal(plain.signals[0])).toBe(true);

    const marked = recordingFetch();
    const seen: unknown[] = [];
    const adapter = createOpenAI({ apiKey });
    const custom: LanguageModelProvider = {
      ...adapter,
      id: 'custom',
      chat: (call, context) => {
        seen.push(context.signal);
        return adapter.chat(call, context);
      },
    };
    const viaMarkedFetch = createLLMManager({ providers: [custom, { ...createOpenAI({ apiKey, id: 'copy' }) }], fetch: markTakesAbortSignalLike(marked.fetch) });
    await viaMarkedFetch.chat({ ...request, model: 'custom:gpt-4.1-nano' });
    expect(isRealSignal(seen[0])).toBe(true);
    expect(isRealSignal(marked.signals[0])).toBe(true);
    await viaMarkedFetch.chat({ ...request, model: 'copy:gpt-4.1-nano' });
    expect(isRealSignal(marked.signals[1])).toBe(true);
    await Promise.all([viaPlainFetch.close(), viaMarkedFetch.close()]);
  });

  it('keeps the mark through a bound provider instance, which only changes the key', async () => {
    const recording = recordingFetch();
    const bound = bindInstanceProvider(createOpenAI({ id: 'team' }), { apiKey: createSecretString(apiKey) });
    const llm = createLLMManager({ providers: [bound], fetch: markTakesAbortSignalLike(recording.fetch) });
    await llm.chat({ ...request, model: 'team:gpt-4.1-nano' });
    expect(isRealSignal(recording.signals[0])).toBe(false);
    await llm.close();
  });
});

describe('through the Node manager and its pooled transport', () => {
  it('ends a request whose deadline passed at the socket, with TimeoutError', async () => {
    const holding = await startHoldingServer();
    const llm = createNodeLLMManager({ providers: [createOpenAI({ apiKey, baseUrl: `${holding.url}/deadline` })], timeoutMs: 300 });
    try {
      await expect(llm.chat(request)).rejects.toBeInstanceOf(TimeoutError);
      await waitFor(() => holding.closed.length === 1);
      expect(holding.received.length).toBe(1);
      expect(holding.closed).toEqual(['/deadline/chat/completions']);
    } finally {
      await llm.close();
      await holding.close();
    }
  });

  it('ends a request its caller aborted at the socket, with AbortedError', async () => {
    const holding = await startHoldingServer();
    const llm = createNodeLLMManager({ providers: [createOpenAI({ apiKey, baseUrl: `${holding.url}/caller` })] });
    const controller = new AbortController();
    try {
      const pending = llm.chat({ ...request, signal: controller.signal });
      await waitFor(() => holding.received.length === 1);
      controller.abort();
      await expect(pending).rejects.toBeInstanceOf(AbortedError);
      await waitFor(() => holding.closed.length === 1);
      expect(holding.closed).toEqual(['/caller/chat/completions']);
    } finally {
      await llm.close();
      await holding.close();
    }
  });
});

describe('executeWithFallback given a call deadline as its signal', () => {
  const candidate = testCandidate('p', 'm');

  it('passes it on as is, and its abort ends the attempt with its reason', async () => {
    const deadline = createCallDeadline(60_000, undefined, () => new TimeoutError('unused'));
    const reason = new TimeoutError('call deadline passed');
    let handed: unknown;
    const running = executeWithFallback({
      candidates: [candidate],
      signal: asAbortSignal(deadline),
      attempt: (_candidate, context) => new Promise((_resolve, reject) => {
        handed = context.signal;
        context.signal.addEventListener('abort', () => reject(context.signal.reason));
      }),
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(handed).toBe(deadline);
    deadline.abort(reason);
    await expect(running).rejects.toBe(reason);
    deadline.dispose();
  });

  it('makes a real AbortSignal where one is needed: attempt timeouts and retries under p-retry', async () => {
    const deadline = createCallDeadline(60_000, undefined, () => new TimeoutError('unused'));
    const signals: unknown[] = [];
    let calls = 0;
    const outcome = await executeWithFallback({
      candidates: [candidate],
      signal: asAbortSignal(deadline),
      attemptTimeoutMs: 50,
      retry: { maxRetries: 3, minDelayMs: 1, maxDelayMs: 1, jitter: 'none' },
      attempt: (_candidate, context) => {
        signals.push(context.signal);
        calls++;
        // The first attempt hangs until its own timeout, the second fails retryably, the third answers.
        if (calls === 1) return new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason)));
        if (calls === 2) return Promise.reject(new ServerError('p: 500', { provider: 'p', status: 500 }));
        return Promise.resolve('answer');
      },
    });
    expect(outcome.value).toBe('answer');
    expect(calls).toBe(3);
    expect(signals.every(isRealSignal)).toBe(true);
    expect(outcome.attempts.at(-1)!.retries).toBe(2);
    deadline.dispose();
  });
});

describe('streams', () => {
  /** A fetch that answers a recorded stream and keeps the signal each request was given. */
  function streamingFetch(pieces: string[]) {
    const signals: unknown[] = [];
    const fetch = (async (_input: unknown, init?: RequestInit) => {
      signals.push(init?.signal);
      return new Response(pieces.join(''), { headers: { 'content-type': 'text/event-stream' } });
    }) as typeof globalThis.fetch;
    return { fetch, signals };
  }

  async function textOf(stream: AsyncIterable<{ type: string; text?: string; error?: unknown }>): Promise<string> {
    let text = '';
    for await (const part of stream) {
      if (part.type === 'error') throw part.error;
      if (part.type === 'text-delta') text += part.text;
    }
    return text;
  }

  it('hand a marked adapter on a marked transport the attempt’s abort source, and others a real AbortSignal', async () => {
    const marked = streamingFetch(framedFixture('openai/openai-text.chunks.txt', 'A'));
    const viaMarked = createLLMManager({ providers: [createOpenAI({ apiKey })], fetch: markTakesAbortSignalLike(marked.fetch) });
    expect((await textOf(viaMarked.stream(request))).length).toBeGreaterThan(0);
    expect(isRealSignal(marked.signals[0])).toBe(false);
    const plain = streamingFetch(framedFixture('openai/openai-text.chunks.txt', 'A'));
    const viaPlain = createLLMManager({ providers: [createOpenAI({ apiKey })], fetch: plain.fetch });
    expect(await textOf(viaPlain.stream(request))).toBe(await textOf(viaMarked.stream(request)));
    expect(isRealSignal(plain.signals[0])).toBe(true);
    await Promise.all([viaMarked.close(), viaPlain.close()]);
  });

  it('work with an adapter that combines the signal with its own (Anthropic) on a marked transport', async () => {
    const marked = streamingFetch(framedFixture('anthropic/anthropic-text.chunks.txt', 'C'));
    const llm = createLLMManager({ providers: [createAnthropic({ apiKey: 'sk-ant-test-0123456789abcdef' })], fetch: markTakesAbortSignalLike(marked.fetch) });
    const text = await textOf(llm.stream({ ...request, model: 'anthropic:claude-3-5-haiku-latest' }));
    expect(text.length).toBeGreaterThan(0);
    // The adapter made a real signal of its own that follows the attempt.
    expect(isRealSignal(marked.signals[0])).toBe(true);
    await llm.close();
  });

  it('give a streamWithFallback caller’s open a real AbortSignal', async () => {
    const seen: unknown[] = [];
    const routed = streamWithFallback({
      candidates: [testCandidate('p', 'm')],
      messages: [{ role: 'user', content: 'hi' }],
      open: (_candidate, context) => {
        seen.push(context.signal);
        return (async function* () {
          yield { type: 'text-delta' as const, text: 'hello' };
          yield { type: 'finish' as const, finishReason: 'stop' as const, usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } };
        })();
      },
    });
    expect(await textOf(routed)).toBe('hello');
    expect(isRealSignal(seen[0])).toBe(true);
  });

  it('through the Node manager: a consumer that leaves and a deadline that passes both close the socket', async () => {
    // Writes the first three events of the recorded stream, then holds the response open.
    const pieces = framedFixture('openai/openai-text.chunks.txt', 'A');
    const closed: number[] = [];
    let received = 0;
    const server = await startHoldingServer((response, incoming) => {
      const number = ++received;
      incoming.socket.once('close', () => closed.push(number));
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of pieces.slice(0, 3)) response.write(piece);
    });
    const llm = createNodeLLMManager({ providers: [createOpenAI({ apiKey, baseUrl: server.url })], timeoutMs: 400 });
    try {
      for await (const part of llm.stream(request)) if (part.type === 'text-delta') break;
      await waitFor(() => closed.includes(1));
      expect(closed).toEqual([1]);
      const parts: string[] = [];
      let failure: unknown;
      for await (const part of llm.stream(request)) {
        parts.push(part.type);
        if (part.type === 'error') failure = part.error;
      }
      expect(parts).toContain('text-delta');
      expect(failure).toBeInstanceOf(TimeoutError);
      await waitFor(() => closed.includes(2));
      expect(closed).toEqual([1, 2]);
    } finally {
      await llm.close();
      await server.close();
    }
  });
});
