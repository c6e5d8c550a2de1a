import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error';
import { RateLimitExceededError } from '../../src/errors/rate-limit-exceeded-error';
import { createRateLimiter, defaultTiers } from '../../src/governance/rate-limiter';
import { createMemoryState } from '../../src/state/memory';

const hour = 3_600_000;

function setup(start = 1_700_000_000_000) {
  let now = start;
  const state = createMemoryState({ now: () => now });
  const limiter = createRateLimiter({ state, now: () => now });
  return { state, limiter, advance: (ms: number) => (now += ms), now: () => now };
}

async function refusal(promise: Promise<unknown>): Promise<RateLimitExceededError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RateLimitExceededError);
  return error as RateLimitExceededError;
}

describe('rate limiter', () => {
  it('ships the Free tier from the issue', () => {
    expect(defaultTiers.free).toEqual({ requestsPerHour: 50, requestsPerDay: 200, tokensPerHour: 25_000, tokensPerDay: 100_000 });
  });

  it('admits 50 requests per sliding hour on Free, then names the scope and when it reopens', async () => {
    const { limiter, advance, now } = setup();
    const started = now();
    for (let index = 0; index < 50; index += 1) {
      await limiter.admit({ userId: 'u1', requestId: `r${index}` });
      advance(1_000);
    }
    const error = await refusal(limiter.admit({ userId: 'u1', requestId: 'r50' }));
    expect(error.scope).toBe('user:u1:requests-per-hour');
    expect(error.limit).toBe(50);
    expect(error.remaining).toBe(0);
    expect(error.resetAt).toBe(started + hour);
    expect(error.retryAfterMs).toBe(started + hour - now());
    // Another user is unaffected.
    await expect(limiter.admit({ userId: 'u2', requestId: 'other' })).resolves.toMatchObject({ tier: 'free' });
    // One hour after the first request, exactly one slot has slid free.
    advance(started + hour - now());
    await limiter.admit({ userId: 'u1', requestId: 'r51' });
    await refusal(limiter.admit({ userId: 'u1', requestId: 'r52' }));
  });

  it('enforces the daily request limit across hours', async () => {
    const { limiter, advance } = setup();
    for (let block = 0; block < 4; block += 1) {
      for (let index = 0; index < 50; index += 1) await limiter.admit({ userId: 'u1', requestId: `b${block}-${index}` });
      advance(hour);
    }
    const error = await refusal(limiter.admit({ userId: 'u1', requestId: 'one-too-many' }));
    expect(error.scope).toBe('user:u1:requests-per-day');
    expect(error.limit).toBe(200);
  });

  it('reserves a token estimate and settles to the actual count', async () => {
    const { limiter } = setup();
    const first = await limiter.admit({ userId: 'u1', requestId: 'a', estimatedTokens: 20_000 });
    const refused = await refusal(limiter.admit({ userId: 'u1', requestId: 'b', estimatedTokens: 10_000 }));
    expect(refused.scope).toBe('user:u1:tokens-per-hour');
    expect(refused.remaining).toBe(5_000);
    await first.settle(1_200);
    await first.settle(1_200);
    const second = await limiter.admit({ userId: 'u1', requestId: 'b', estimatedTokens: 10_000 });
    expect(second.windows.find((window) => window.key.endsWith('tokens-per-hour'))?.used).toBe(11_200);
  });

  it('a refused request consumes nothing from any window', async () => {
    const { limiter } = setup();
    await limiter.admit({ userId: 'u1', requestId: 'big', estimatedTokens: 25_000 });
    for (let index = 0; index < 10; index += 1) await refusal(limiter.admit({ userId: 'u1', requestId: `x${index}`, estimatedTokens: 1 }));
    const zero = await limiter.admit({ userId: 'u1', requestId: 'zero', estimatedTokens: 0 });
    expect(zero.windows.find((window) => window.key.endsWith('requests-per-hour'))?.used).toBe(2);
  });

  it('says when an estimate can never fit', async () => {
    const { limiter } = setup();
    const error = await refusal(limiter.admit({ userId: 'u1', requestId: 'huge', estimatedTokens: 30_000 }));
    expect(error.scope).toBe('user:u1:tokens-per-hour');
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toMatch(/never/);
  });

  it('race: 1,000 concurrent requests from a user whose limit is 100 admit exactly 100', async () => {
    const state = createMemoryState();
    const limiter = createRateLimiter({ state, tiers: { free: { requestsPerHour: 100 } } });
    const outcomes = await Promise.allSettled(Array.from({ length: 1_000 }, (_, index) => limiter.admit({ userId: 'u1', requestId: `r${index}` })));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(100);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected').every((outcome) => (outcome as PromiseRejectedResult).reason instanceof RateLimitExceededError)).toBe(true);
  });

  it('uses configured Pro and Enterprise tiers, and an unlimited tier admits everything', async () => {
    const { state } = setup();
    const limiter = createRateLimiter({ state, tiers: { pro: { requestsPerMinute: 2 }, enterprise: {} } });
    await limiter.admit({ userId: 'p', tier: 'pro', requestId: '1' });
    await limiter.admit({ userId: 'p', tier: 'pro', requestId: '2' });
    expect((await refusal(limiter.admit({ userId: 'p', tier: 'pro', requestId: '3' }))).scope).toBe('user:p:requests-per-minute');
    for (let index = 0; index < 300; index += 1) await limiter.admit({ userId: 'e', tier: 'enterprise', requestId: `e${index}` });
    await expect(limiter.admit({ userId: 'x', tier: 'gold', requestId: 'g' })).rejects.toThrow(ConfigurationError);
    expect(() => createRateLimiter({ state, tiers: { free: { requestsPerHour: -1 } } })).toThrow(/requestsPerHour/);
  });
});
