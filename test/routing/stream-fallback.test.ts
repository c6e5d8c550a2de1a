import { afterEach, describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../../src/routing/circuit-breaker';
import { streamWithFallback, type RoutedStreamPart, type StreamWithFallbackOptions } from '../../src/routing/stream-fallback';
import type { RoutingCandidate } from '../../src/routing/candidate';
import type { Message } from '../../src/spec/message';
import { startReplayServer, type ReplayResponse, type ReplayServer } from '../support/provider-fixtures';
import { createTestAdapter, streamEvents, testCandidate } from './support/test-adapter';
import { createTestClock, type TestClock } from './support/test-clock';

const servers: ReplayServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const messages: Message[] = [{ role: 'user', content: 'Tell me a story' }];

async function setup(plan: Record<string, ReplayResponse[]>, clock: TestClock = createTestClock()) {
  const adapters = new Map<string, ReturnType<typeof createTestAdapter>>();
  const byProvider = new Map<string, ReplayServer>();
  const candidates: RoutingCandidate[] = [];
  for (const [provider, responses] of Object.entries(plan)) {
    const server = await startReplayServer();
    servers.push(server);
    server.enqueue(...responses);
    byProvider.set(provider, server);
    adapters.set(provider, createTestAdapter(provider, server.url));
    candidates.push(testCandidate(provider, `${provider}-model`));
  }
  const stream = (options: Partial<StreamWithFallbackOptions> = {}) =>
    streamWithFallback({
      candidates,
      messages,
      clock,
      retry: { maxRetries: 1, minDelayMs: 100, jitter: 'none' },
      open: (candidate, context) => adapters.get(candidate.provider)!.stream({ model: candidate.model, messages: context.messagesOverride ?? messages }, context.signal),
      ...options,
    });
  return { candidates, clock, stream, server: (provider: string) => byProvider.get(provider)! };
}

async function collect(iterable: AsyncIterable<RoutedStreamPart>): Promise<RoutedStreamPart[]> {
  const parts: RoutedStreamPart[] = [];
  for await (const part of iterable) parts.push(part);
  return parts;
}

const text = (parts: RoutedStreamPart[]) => parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
const types = (parts: RoutedStreamPart[]) => [...new Set(parts.map((part) => part.type))];
const errorBody = (message: string, type = 'server_error') => JSON.stringify({ error: { message, type } });

describe('streamWithFallback over a loopback provider', () => {
  it('streams from the first candidate when nothing fails', async () => {
    const { stream, server } = await setup({ a: [{ body: streamEvents(['Once ', 'upon ', 'a time']) }], b: [{ body: streamEvents(['b']) }] });
    const routed = stream();
    const parts = await collect(routed);
    expect(text(parts)).toBe('Once upon a time');
    expect(parts.at(-1)?.type).toBe('finish');
    expect(server('b').requests).toHaveLength(0);
    const outcome = await routed.outcome;
    expect(outcome.status).toBe('finished');
    expect(outcome.attempts).toMatchObject([{ provider: 'a', status: 'success', retries: 0, attemptNumber: 1 }]);
  });

  it.each([
    ['500', { status: 500, body: errorBody('boom') }, 'ServerError', [100]],
    ['503', { status: 503, body: errorBody('unavailable') }, 'OverloadedError', [100]],
    ['529', { status: 529, body: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }) }, 'OverloadedError', [100]],
    ['429 retry-after seconds', { status: 429, headers: { 'retry-after': '3' }, body: errorBody('slow', 'rate_limit_error') }, 'ProviderRateLimitError', [3_000]],
    ['429 retry-after-ms', { status: 429, headers: { 'retry-after-ms': '250' }, body: errorBody('slow', 'rate_limit_error') }, 'ProviderRateLimitError', [250]],
    ['429 Gemini retryDelay', { status: 429, body: JSON.stringify({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'quota', details: [{ retryDelay: '1.5s' }] } }) }, 'ProviderRateLimitError', [1_500]],
    ['connection reset', { body: ['x'], destroyAfterPieces: 0 }, 'NetworkError', [100]],
    ['malformed JSON chunk', { body: ['data: {not json\n\n', 'data: [DONE]\n\n'] }, 'InvalidResponseError', [100]],
  ] as Array<[string, ReplayResponse, string, number[]]>)('before content a %s is retried on the same candidate for free', async (_name, fault, _errorClass, waits) => {
    const { stream, server, clock } = await setup({ a: [fault, { body: streamEvents(['hello']) }], b: [{ body: streamEvents(['b']) }] });
    const routed = stream();
    const parts = await collect(routed);
    expect(text(parts)).toBe('hello');
    expect(types(parts)).not.toContain('error');
    expect(server('a').requests).toHaveLength(2);
    expect(server('b').requests).toHaveLength(0);
    expect(clock.sleeps).toEqual(waits);
    expect(routed.attempts).toMatchObject([{ provider: 'a', status: 'success', retries: 1 }]);
  });

  it('before content a 401 falls back to the next candidate at once', async () => {
    const { stream, server, clock } = await setup({ a: [{ status: 401, body: errorBody('Incorrect API key provided', 'invalid_request_error') }], b: [{ body: streamEvents(['from b']) }] });
    const routed = stream();
    const parts = await collect(routed);
    expect(text(parts)).toBe('from b');
    expect(server('a').requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(routed.attempts.map((attempt) => [attempt.provider, attempt.status, attempt.errorClass])).toEqual([
      ['a', 'error', 'AuthenticationError'],
      ['b', 'success', undefined],
    ]);
  });

  it("a stream cut after content ends with an error part under policy 'error', never a clean finish", async () => {
    const { stream, server } = await setup({ a: [{ body: streamEvents(['Once ', 'upon ', 'a time']), destroyAfterPieces: 2 }], b: [{ body: streamEvents(['b']) }] });
    const routed = stream();
    const parts = await collect(routed);
    expect(text(parts)).toBe('Once upon ');
    expect(parts.at(-1)).toMatchObject({ type: 'error' });
    expect(types(parts)).not.toContain('finish');
    expect(server('a').requests).toHaveLength(1);
    expect(server('b').requests).toHaveLength(0);
    const outcome = await routed.outcome;
    expect(outcome.status).toBe('error');
    expect(outcome.error?.name).toBe('NetworkError');
    expect(outcome.attempts).toMatchObject([{ provider: 'a', status: 'error', errorClass: 'NetworkError' }]);
  });

  it('a stream that ends without its terminator is a failure, not a finish', async () => {
    const events = streamEvents(['partial answer']);
    const { stream } = await setup({ a: [{ body: events.slice(0, 1) }] });
    const parts = await collect(stream());
    expect(text(parts)).toBe('partial answer');
    expect(parts.at(-1)).toMatchObject({ type: 'error' });
    expect((parts.at(-1) as { error: Error }).error.name).toBe('InvalidResponseError');
  });

  it("under policy 'continue' a cut stream resumes on the next candidate with the partial answer, and marks the splice", async () => {
    const { stream, server } = await setup({ a: [{ body: streamEvents(['Once ', 'upon ', 'a time']), destroyAfterPieces: 2 }], b: [{ body: streamEvents(['a time, the end.']) }] });
    const fallbacks: string[] = [];
    const routed = stream({ streamFallback: 'continue', onFallback: (event) => fallbacks.push(`${event.from.provider}->${event.to?.provider}`) });
    const parts = await collect(routed);
    expect(text(parts)).toBe('Once upon a time, the end.');
    expect(parts.at(-1)?.type).toBe('finish');
    const splice = parts.find((part) => part.type === 'splice');
    expect(splice).toEqual({ type: 'splice', textOffset: 10, contentParts: 2, from: 'a:a-model', to: 'b:b-model', errorClass: 'NetworkError', errorMessage: expect.any(String) });
    expect(parts.indexOf(splice!)).toBe(2);
    expect(server('b').requests[0]!.body.messages).toEqual([...messages, { role: 'assistant', content: 'Once upon ' }]);
    expect(fallbacks).toEqual(['a->b']);
    const outcome = await routed.outcome;
    expect(outcome.status).toBe('finished');
    expect(outcome.servedBy.map((candidate) => candidate.provider)).toEqual(['a', 'b']);
    expect(outcome.attempts.map((attempt) => [attempt.provider, attempt.status, attempt.attemptNumber])).toEqual([
      ['a', 'error', 1],
      ['b', 'success', 2],
    ]);
  });

  it('a stalled stream after content fails by idle timeout and its upstream is aborted', async () => {
    const clock = createTestClock({ realTimers: true });
    const { stream, server } = await setup({ a: [{ body: streamEvents(['one ', 'two ', 'three']), stallAfterPieces: 1 }], b: [{ body: streamEvents(['b']) }] }, clock);
    const routed = stream({ idleTimeoutMs: 150 });
    const parts = await collect(routed);
    expect(text(parts)).toBe('one ');
    expect((parts.at(-1) as { error: Error }).error.name).toBe('TimeoutError');
    expect(server('b').requests).toHaveLength(0);
  });

  it("a stalled stream after content continues elsewhere under 'continue'", async () => {
    const clock = createTestClock({ realTimers: true });
    const { stream, server } = await setup({ a: [{ body: streamEvents(['one ', 'two ', 'three']), stallAfterPieces: 1 }], b: [{ body: streamEvents(['two three']) }] }, clock);
    const routed = stream({ idleTimeoutMs: 150, streamFallback: 'continue' });
    const parts = await collect(routed);
    expect(text(parts)).toBe('one two three');
    expect(parts.find((part) => part.type === 'splice')).toMatchObject({ errorClass: 'TimeoutError', from: 'a:a-model', to: 'b:b-model' });
    expect(server('a').requests).toHaveLength(1);
  });

  it('a stream stalled before any content is retried for free after the idle timeout', async () => {
    const clock = createTestClock({ realTimers: true });
    const { stream, server } = await setup({ a: [{ body: [': waiting\n\n', 'never'], stallAfterPieces: 1 }, { body: streamEvents(['fresh']) }] }, clock);
    const routed = stream({ idleTimeoutMs: 150 });
    const parts = await collect(routed);
    expect(text(parts)).toBe('fresh');
    expect(server('a').requests).toHaveLength(2);
    expect(routed.attempts).toMatchObject([{ provider: 'a', status: 'success', retries: 1 }]);
  });

  it('all candidates failing before content yields one error part listing every attempt', async () => {
    const { stream, server } = await setup({ a: [{ status: 500, body: errorBody('down') }], b: [{ status: 503, body: errorBody('down') }] });
    const breaker = createCircuitBreaker();
    const parts = await collect(stream({ breaker }));
    expect(parts).toHaveLength(1);
    const error = (parts[0] as unknown as { error: { name: string; attempts: unknown[] } }).error;
    expect(error.name).toBe('AllProvidersFailedError');
    expect(error.attempts).toHaveLength(2);
    expect(server('a').requests).toHaveLength(2);
    expect(server('b').requests).toHaveLength(2);
  });

  it("hands the executor's breaker, health recorder and key-rejection hook to the opening attempts", async () => {
    const { stream, server, candidates } = await setup({
      a: [{ status: 401, body: errorBody('Incorrect API key provided', 'invalid_request_error') }],
      b: [{ body: streamEvents(['from b']) }],
    });
    const breaker = createCircuitBreaker();
    const health: string[] = [];
    const rejected: string[] = [];
    const parts = await collect(stream({
      breaker,
      health: {
        recordSuccess: (candidate) => health.push(`success ${candidate.provider}`),
        recordFailure: (candidate, error) => health.push(`failure ${candidate.provider} ${error.name}`),
      },
      onKeyRejected: (candidate, error) => rejected.push(`${candidate.provider} ${error.name}`),
    }));
    expect(text(parts)).toBe('from b');
    expect(server('a').requests).toHaveLength(1);
    expect(rejected).toEqual(['a AuthenticationError']);
    expect(health).toEqual(['failure a AuthenticationError', 'success b']);
    expect(breaker.snapshot(candidates[0]!).keyRejectedUntil).toBeGreaterThan(0);
  });

  it('the caller aborting mid-stream ends it with AbortedError and sends nothing more', async () => {
    const clock = createTestClock({ realTimers: true });
    const { stream, server } = await setup({ a: [{ body: streamEvents(['one ', 'two']), stallAfterPieces: 1 }], b: [{ body: streamEvents(['b']) }] }, clock);
    const controller = new AbortController();
    const parts: RoutedStreamPart[] = [];
    for await (const part of stream({ signal: controller.signal, streamFallback: 'continue' })) {
      parts.push(part);
      if (part.type === 'text-delta') controller.abort();
    }
    expect((parts.at(-1) as { error: Error }).error.name).toBe('AbortedError');
    expect(server('b').requests).toHaveLength(0);
  });

  it('a consumer that stops early cancels the upstream request', async () => {
    const clock = createTestClock({ realTimers: true });
    const { stream, candidates } = await setup({ a: [{ body: streamEvents(['one ', 'two']), stallAfterPieces: 1 }] }, clock);
    const adapter = createTestAdapter('a', servers[0]!.url);
    const signals: AbortSignal[] = [];
    const routed = stream({
      candidates,
      open: (candidate, context) => {
        signals.push(context.signal);
        return adapter.stream({ model: candidate.model, messages }, context.signal);
      },
    });
    for await (const part of routed) {
      if (part.type === 'text-delta') break;
    }
    const outcome = await routed.outcome;
    expect(outcome.status).toBe('cancelled');
    expect(outcome.attempts).toHaveLength(1);
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
  });
});
