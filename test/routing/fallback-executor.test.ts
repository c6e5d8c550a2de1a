import { afterEach, describe, expect, it } from 'vitest';
import { AllProvidersFailedError } from '../../src/errors/all-providers-failed-error';
import { AbortedError } from '../../src/errors/aborted-error';
import { InvalidRequestError } from '../../src/errors/invalid-request-error';
import { TimeoutError } from '../../src/errors/timeout-error';
import { createCircuitBreaker } from '../../src/routing/circuit-breaker';
import { attemptsOf, executeWithFallback, type ExecuteWithFallbackOptions } from '../../src/routing/fallback-executor';
import type { RoutingCandidate } from '../../src/routing/candidate';
import { startReplayServer, type ReplayResponse, type ReplayServer } from '../support/provider-fixtures';
import { completionBody, createTestAdapter, testCandidate } from './support/test-adapter';
import { createTestClock } from './support/test-clock';

const servers: ReplayServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** One loopback server per provider, each with its queued responses. */
async function setup(plan: Record<string, ReplayResponse[]>, extra: Record<string, Partial<RoutingCandidate>> = {}) {
  const adapters = new Map<string, ReturnType<typeof createTestAdapter>>();
  const byProvider = new Map<string, ReplayServer>();
  const candidates: RoutingCandidate[] = [];
  for (const [provider, responses] of Object.entries(plan)) {
    const server = await startReplayServer();
    servers.push(server);
    server.enqueue(...responses);
    byProvider.set(provider, server);
    adapters.set(provider, createTestAdapter(provider, server.url));
    candidates.push(testCandidate(provider, `${provider}-model`, extra[provider]));
  }
  const clock = createTestClock();
  const run = (options: Partial<ExecuteWithFallbackOptions<{ text: string }>> = {}) =>
    executeWithFallback({
      candidates,
      attempt: (candidate, context) => adapters.get(candidate.provider)!.chat({ model: candidate.model, messages: [{ role: 'user', content: 'hi' }] }, context.signal),
      clock,
      retry: { maxRetries: 2, minDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 10_000, jitter: 'none' },
      ...options,
    });
  return { candidates, clock, run, requests: (provider: string) => byProvider.get(provider)!.requests.length };
}

const ok = (text: string): ReplayResponse => ({ body: completionBody(text) });
const errorBody = (message: string, type = 'server_error') => JSON.stringify({ error: { message, type } });

describe('executeWithFallback over a loopback provider', () => {
  it('retries a 500 on the same candidate with exponential backoff, then succeeds', async () => {
    const { run, clock, requests } = await setup({ a: [{ status: 500, body: errorBody('boom') }, { status: 500, body: errorBody('boom') }, ok('hello')], b: [ok('from b')] });
    const result = await run();
    expect(result.value.text).toBe('hello');
    expect(result.candidate.provider).toBe('a');
    expect(requests('a')).toBe(3);
    expect(requests('b')).toBe(0);
    expect(clock.sleeps).toEqual([100, 200]);
    expect(clock.elapsed()).toBe(300);
    expect(result.attempts).toEqual([{ provider: 'a', model: 'a-model', keySource: 'managed', status: 'success', latencyMs: 300, retries: 2, attemptNumber: 1 }]);
  });

  it('moves to the next candidate after 503s exhaust the retries', async () => {
    const { run, clock, requests } = await setup({ a: [{ status: 503, body: errorBody('unavailable') }], b: [ok('from b')] });
    const events: string[] = [];
    const result = await run({ onFallback: (event) => events.push(`${event.from.provider}->${event.to?.provider} ${event.error.name}`) });
    expect(result.candidate.provider).toBe('b');
    expect(requests('a')).toBe(3);
    expect(requests('b')).toBe(1);
    expect(clock.sleeps).toEqual([100, 200]);
    expect(result.attempts.map((attempt) => [attempt.provider, attempt.status, attempt.errorClass, attempt.httpStatus, attempt.retries])).toEqual([
      ['a', 'error', 'OverloadedError', 503, 2],
      ['b', 'success', undefined, undefined, 0],
    ]);
    expect(events).toEqual(['a->b OverloadedError']);
  });

  it('treats 529 as overloaded and retries it', async () => {
    const { run, requests } = await setup({ a: [{ status: 529, body: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }) }, ok('ok')] });
    const result = await run();
    expect(result.value.text).toBe('ok');
    expect(requests('a')).toBe(2);
    expect(result.attempts[0]!.retries).toBe(1);
  });

  it.each([
    ['retry-after seconds', { 'retry-after': '2' }, undefined, 2_000],
    ['retry-after-ms', { 'retry-after-ms': '1500' }, undefined, 1_500],
    ['Gemini retryDelay', {}, JSON.stringify({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'quota', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3s' }] } }), 3_000],
  ])('waits exactly the %s on a 429, without backoff on top', async (_name, headers, body, wait) => {
    const { run, clock, requests } = await setup({ a: [{ status: 429, headers, body: body ?? errorBody('slow down', 'rate_limit_error') }, ok('after wait')] });
    const result = await run();
    expect(result.value.text).toBe('after wait');
    expect(clock.sleeps).toEqual([wait]);
    expect(requests('a')).toBe(2);
    expect(result.attempts[0]).toMatchObject({ status: 'success', retries: 1, latencyMs: wait });
  });

  it('honours a retry-after HTTP date', async () => {
    const date = new Date(Date.now() + 3_000).toUTCString();
    const { run, clock } = await setup({ a: [{ status: 429, headers: { 'retry-after': date }, body: errorBody('slow down', 'rate_limit_error') }, ok('later')] });
    await run();
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThan(1_000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(3_000);
  });

  it('moves on instead of sleeping when Retry-After exceeds the bound, and cools the candidate down', async () => {
    const { run, clock, requests, candidates } = await setup({ a: [{ status: 429, headers: { 'retry-after': '120' }, body: errorBody('slow', 'rate_limit_error') }], b: [ok('b')] });
    const breakerWithClock = createCircuitBreaker({ clock });
    const result = await run({ breaker: breakerWithClock });
    expect(result.candidate.provider).toBe('b');
    expect(clock.sleeps).toEqual([]);
    expect(requests('a')).toBe(1);
    expect(breakerWithClock.snapshot(candidates[0]!).openUntil).toBe(clock.now() + 120_000);
    // The next call skips the cooling candidate without sending it anything.
    const second = await run({ breaker: breakerWithClock });
    expect(second.candidate.provider).toBe('b');
    expect(requests('a')).toBe(1);
    expect(second.attempts[0]).toMatchObject({ provider: 'a', status: 'skipped' });
  });

  it('moves on when the Retry-After wait does not fit the deadline', async () => {
    const { run, clock, requests } = await setup({ a: [{ status: 429, headers: { 'retry-after': '5' }, body: errorBody('slow', 'rate_limit_error') }], b: [ok('b')] });
    const result = await run({ timeoutMs: 3_000 });
    expect(result.candidate.provider).toBe('b');
    expect(clock.sleeps).toEqual([]);
    expect(requests('a')).toBe(1);
  });

  it('on 401 marks the key bad and skips every candidate using that key', async () => {
    const { run, requests, candidates, clock } = await setup(
      { a: [{ status: 401, body: errorBody('Incorrect API key provided', 'invalid_request_error') }], b: [ok('b')] },
      { a: { keyId: 'key-1' } },
    );
    const sameKeyOtherModel = testCandidate('a', 'a-other-model', { keyId: 'key-1' });
    const rejected: string[] = [];
    const breaker = createCircuitBreaker({ clock });
    const result = await run({ candidates: [candidates[0]!, sameKeyOtherModel, candidates[1]!], breaker, onKeyRejected: (candidate) => rejected.push(candidate.keyId!) });
    expect(result.candidate.provider).toBe('b');
    expect(requests('a')).toBe(1);
    expect(rejected).toEqual(['key-1']);
    expect(result.attempts.map((attempt) => [attempt.model, attempt.status, attempt.errorClass ?? attempt.errorMessage])).toEqual([
      ['a-model', 'error', 'AuthenticationError'],
      ['a-other-model', 'skipped', 'key rejected earlier in this call'],
      ['b-model', 'success', undefined],
    ]);
    expect(breaker.peek(sameKeyOtherModel)).toMatchObject({ allowed: false, reason: 'key rejected by the provider' });
  });

  it('retries a reset connection and a malformed JSON body', async () => {
    const { run, requests, clock } = await setup({ a: [{ body: ['partial'], destroyAfterPieces: 0 }, { body: 'not json {' }, ok('fine')] });
    const result = await run();
    expect(result.value.text).toBe('fine');
    expect(requests('a')).toBe(3);
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it('records the error classes of reset and malformed answers', async () => {
    const { run } = await setup({ a: [{ body: ['partial'], destroyAfterPieces: 0 }, { body: 'not json {' }, { body: 'not json {' }], b: [ok('b')] });
    const errors: string[] = [];
    const result = await run({ health: { recordSuccess: () => undefined, recordFailure: (_candidate, error) => errors.push(error.name) } });
    expect(errors).toEqual(['NetworkError', 'InvalidResponseError', 'InvalidResponseError']);
    expect(result.attempts[0]).toMatchObject({ errorClass: 'InvalidResponseError', retries: 2 });
  });

  it('times out a stalled request per attempt and falls back', async () => {
    const { candidates, requests } = await setup({ a: [{ body: ['{"partial":', '1}'], stallAfterPieces: 1 }], b: [ok('b')] });
    const clock = createTestClock({ realTimers: true });
    const adapters = new Map(candidates.map((candidate) => [candidate.provider, createTestAdapter(candidate.provider, servers[candidates.indexOf(candidate)]!.url)]));
    const result = await executeWithFallback({
      candidates,
      clock,
      attemptTimeoutMs: 150,
      retry: { maxRetries: 1, minDelayMs: 10, jitter: 'none' },
      attempt: (candidate, context) => adapters.get(candidate.provider)!.chat({ model: candidate.model, messages: [] }, context.signal),
    });
    expect(result.candidate.provider).toBe('b');
    expect(requests('a')).toBe(2);
    expect(result.attempts[0]).toMatchObject({ provider: 'a', status: 'error', errorClass: 'TimeoutError', retries: 1 });
  });

  it('the overall deadline ends a stalled call with TimeoutError and lists the attempt', async () => {
    const { candidates, requests } = await setup({ a: [{ body: ['{"partial":', '1}'], stallAfterPieces: 1 }], b: [ok('b')] });
    const clock = createTestClock({ realTimers: true });
    const adapter = createTestAdapter('a', servers[0]!.url);
    const error = await executeWithFallback({ candidates, clock, timeoutMs: 150, attempt: (candidate, context) => adapter.chat({ model: candidate.model, messages: [] }, context.signal) }).catch((caught) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(requests('a')).toBe(1);
    expect(requests('b')).toBe(0);
    expect(attemptsOf(error)).toMatchObject([{ provider: 'a', status: 'error', errorClass: 'TimeoutError' }]);
  });

  it('fails at once on an invalid request every provider would reject', async () => {
    const { run, requests } = await setup({ a: [{ status: 400, body: errorBody("Invalid value for 'temperature'", 'invalid_request_error') }], b: [ok('b')] });
    const error = await run().catch((caught) => caught);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(requests('a')).toBe(1);
    expect(requests('b')).toBe(0);
    expect(attemptsOf(error)).toHaveLength(1);
  });

  it('on context length exceeded tries only candidates with a larger window', async () => {
    const { run, requests } = await setup(
      { a: [{ status: 400, body: JSON.stringify({ error: { message: "This model's maximum context length is 8192 tokens", code: 'context_length_exceeded' } }) }], small: [ok('small')], large: [ok('large')] },
      { a: { contextWindow: 8_192 }, small: { contextWindow: 4_096 }, large: { contextWindow: 128_000 } },
    );
    const result = await run();
    expect(result.candidate.provider).toBe('large');
    expect(requests('small')).toBe(0);
    expect(result.attempts.map((attempt) => attempt.status)).toEqual(['error', 'skipped', 'success']);
    expect(result.attempts[1]!.errorMessage).toContain('not larger than 8192');
  });

  it('an abort during a Retry-After wait stops everything at once', async () => {
    const { run, requests, clock } = await setup({ a: [{ status: 429, headers: { 'retry-after': '2' }, body: errorBody('slow', 'rate_limit_error') }], b: [ok('b')] });
    const controller = new AbortController();
    const sleep = clock.sleep;
    clock.sleep = async (milliseconds, signal) => {
      controller.abort();
      return sleep(milliseconds, signal);
    };
    const error = await run({ signal: controller.signal }).catch((caught) => caught);
    expect(error).toBeInstanceOf(AbortedError);
    expect(requests('a')).toBe(1);
    expect(requests('b')).toBe(0);
    expect(attemptsOf(error)).toMatchObject([{ provider: 'a', status: 'error', errorClass: 'AbortedError' }]);
  });

  it('an already aborted signal sends nothing', async () => {
    const { run, requests } = await setup({ a: [ok('a')] });
    const error = await run({ signal: AbortSignal.abort() }).catch((caught) => caught);
    expect(error).toBeInstanceOf(AbortedError);
    expect(requests('a')).toBe(0);
  });

  it('throws AllProvidersFailedError listing every attempt when all fail', async () => {
    const { run, requests } = await setup({ a: [{ status: 500, body: errorBody('a down') }], b: [{ status: 401, body: errorBody('bad key', 'authentication_error') }] });
    const error = await run().catch((caught) => caught);
    expect(error).toBeInstanceOf(AllProvidersFailedError);
    expect(requests('a')).toBe(3);
    expect(requests('b')).toBe(1);
    expect((error as AllProvidersFailedError).attempts.map((attempt) => [attempt.provider, attempt.errorClass, attempt.httpStatus, attempt.retries, attempt.attemptNumber])).toEqual([
      ['a', 'ServerError', 500, 2, 1],
      ['b', 'AuthenticationError', 401, 0, 2],
    ]);
    expect(JSON.stringify(error)).not.toContain('test-key');
  });

  it('when every candidate is cooling down, waits for the earliest when it fits the deadline', async () => {
    const { run, requests, clock, candidates } = await setup({ a: [ok('a')], b: [ok('b')] });
    const breaker = createCircuitBreaker({ clock });
    breaker.coolDown(candidates[0]!, 5_000);
    breaker.coolDown(candidates[1]!, 2_000);
    const result = await run({ breaker, timeoutMs: 30_000 });
    expect(result.candidate.provider).toBe('b');
    expect(clock.sleeps).toEqual([2_000]);
    expect(requests('a')).toBe(0);
    expect(result.attempts.map((attempt) => [attempt.provider, attempt.status])).toEqual([['a', 'skipped'], ['b', 'skipped'], ['b', 'success']]);
  });

  it('when every candidate is cooling down past the deadline, fails listing the skipped candidates', async () => {
    const { run, requests, clock, candidates } = await setup({ a: [ok('a')], b: [ok('b')] });
    const breaker = createCircuitBreaker({ clock });
    breaker.coolDown(candidates[0]!, 60_000);
    breaker.coolDown(candidates[1]!, 50_000);
    const error = await run({ breaker, timeoutMs: 30_000 }).catch((caught) => caught);
    expect(error).toBeInstanceOf(AllProvidersFailedError);
    expect(clock.sleeps).toEqual([]);
    expect(requests('a') + requests('b')).toBe(0);
    expect((error as AllProvidersFailedError).attempts.map((attempt) => [attempt.provider, attempt.status])).toEqual([['a', 'skipped'], ['b', 'skipped']]);
  });

  it('opens the circuit after consecutive failures and stops retrying that candidate', async () => {
    const { run, requests, clock, candidates } = await setup({ a: [{ status: 500, body: errorBody('down') }], b: [ok('b')] });
    const breaker = createCircuitBreaker({ clock, failureThreshold: 2, cooldownMs: 10_000 });
    const result = await run({ breaker });
    expect(result.candidate.provider).toBe('b');
    // Two failures open the circuit, so the third retry is not sent.
    expect(requests('a')).toBe(2);
    expect(breaker.snapshot(candidates[0]!).state).toBe('open');
  });

  it('an empty candidate list fails with AllProvidersFailedError', async () => {
    const error = await executeWithFallback({ candidates: [], attempt: async () => 1 }).catch((caught) => caught);
    expect(error).toBeInstanceOf(AllProvidersFailedError);
    expect(error.message).toContain('no candidate');
  });
});
