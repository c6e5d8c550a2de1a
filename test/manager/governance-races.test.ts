// Issue 6, "Done when", proven through createLLMManager: rate limits and concurrency hold exactly under
// concurrency. Credits, the ledger, the cache and the multi-process races are in the other
// governance-*.test.ts files of this folder (split to keep each file well under 30 s).
import { describe, expect, it } from 'vitest';
import { AbortedError, createLLMManager, RateLimitExceededError, type StateStore } from 'llm-switchyard';
import { createMockProvider } from 'llm-switchyard/testing';
import { createGatedProvider } from '../support/gated-provider';
import { itOnEachStateStore } from '../support/each-state-store';

const runId = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

async function settleAll<T>(calls: Array<Promise<T>>) {
  const outcomes = await Promise.allSettled(calls);
  return {
    values: outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : [])),
    errors: outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : [])),
  };
}

/** 1,000 concurrent calls from one user whose tier allows 100 requests an hour. */
async function thousandCallsAgainstLimitOf100(state: StateStore): Promise<void> {
  const mock = createMockProvider();
  const llm = createLLMManager({ providers: [mock], state, limits: { tiers: { t: { requestsPerHour: 100 } }, defaultTier: 't', concurrency: false } });
  const userId = `racer-${runId()}`;
  try {
    const { values, errors } = await settleAll(Array.from({ length: 1_000 }, (_, index) => llm.chat({ messages: [{ role: 'user', content: `call ${index}` }], userId })));
    expect(values).toHaveLength(100);
    expect(errors).toHaveLength(900);
    expect(mock.calls).toHaveLength(100);
    for (const error of errors) {
      expect(error).toBeInstanceOf(RateLimitExceededError);
      const limited = error as RateLimitExceededError;
      expect(limited.scope).toBe(`user:${userId}:requests-per-hour`);
      expect(limited.limit).toBe(100);
      expect(limited.remaining).toBe(0);
      expect(limited.resetAt).toEqual(expect.any(Number));
      expect(limited.retryAfterMs).toBeGreaterThan(0);
      expect(limited.retryable).toBe(false);
    }
    // Only admitted calls reached a provider, so only they are in the ledger.
    const summary = await llm.usage.summary({ userId, from: 0, to: Date.now() + 1, groupBy: [] });
    expect(summary.totals.requests).toBe(100);
  } finally {
    await llm.close();
  }
}

describe('1,000 concurrent calls against a limit of 100 admit exactly 100', () => {
  itOnEachStateStore(thousandCallsAgainstLimitOf100, { postgres: true });
});

describe('concurrency through the manager: perUser 3', () => {
  const ask = (text: string) => [{ role: 'user' as const, content: text }];

  it('never lets more than 3 calls of one user into the provider, serves them first-in first-out, and does not block other users', async () => {
    const gated = createGatedProvider(createMockProvider());
    const llm = createLLMManager({ providers: [gated.provider], limits: { concurrency: { perUser: 3 } } });
    try {
      const names = Array.from({ length: 10 }, (_, index) => `u:q${index}`);
      const pending = names.map((name) => llm.chat({ messages: ask(name), userId: 'u' }));
      await gated.waitForEntered(3);
      expect(gated.inFlight).toBe(3);
      // Another user gets in while u's queue is full.
      const other = llm.chat({ messages: ask('v:first'), userId: 'v' });
      await gated.waitForEntered(4);
      expect(gated.entered.at(-1)).toBe('v:first');
      // Held in the provider, oldest first: q0 q1 q2 v:first. Each u call that leaves lets the next u call in.
      for (let released = 1; released <= 3; released++) {
        gated.releaseOne();
        await gated.waitForEntered(4 + released);
        expect(gated.inFlight).toBe(4);
      }
      gated.releaseOne(); // v:first
      expect((await other).text).toBe('Echo: v:first');
      for (let released = 1; released <= 7; released++) {
        gated.releaseOne();
        if (released <= 4) await gated.waitForEntered(7 + released);
      }
      const results = await Promise.all(pending);
      expect(results.map((result) => result.text)).toEqual(names.map((name) => `Echo: ${name}`));
      expect(gated.maxInFlightOf('u')).toBe(3);
      expect(gated.entered.filter((text) => text.startsWith('u:'))).toEqual(names);
    } finally {
      await llm.close();
    }
  });

  it('a call still queued at the queue timeout fails with RateLimitExceededError naming user:<id>:concurrency', async () => {
    const gated = createGatedProvider(createMockProvider());
    const llm = createLLMManager({ providers: [gated.provider], limits: { concurrency: { perUser: 3, queueTimeoutMs: 50 } } });
    try {
      const running = [1, 2, 3].map((index) => llm.chat({ messages: ask(`u:run${index}`), userId: 'u' }));
      await gated.waitForEntered(3);
      const error = await llm.chat({ messages: ask('u:late'), userId: 'u' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RateLimitExceededError);
      expect(error).toMatchObject({ scope: 'user:u:concurrency', limit: 3, remaining: 0 });
      expect(gated.entered).not.toContain('u:late');
      for (let index = 0; index < 3; index++) gated.releaseOne();
      await Promise.all(running);
    } finally {
      await llm.close();
    }
  });

  it('aborting a queued call gives AbortedError, never reaches the provider, and frees its place in the queue', async () => {
    const gated = createGatedProvider(createMockProvider());
    const llm = createLLMManager({ providers: [gated.provider], limits: { concurrency: { perUser: 3 } } });
    try {
      const running = [1, 2, 3].map((index) => llm.chat({ messages: ask(`u:run${index}`), userId: 'u' }));
      await gated.waitForEntered(3);
      const controller = new AbortController();
      const queued = llm.chat({ messages: ask('u:aborted'), userId: 'u', signal: controller.signal }).catch((caught: unknown) => caught);
      const after = llm.chat({ messages: ask('u:after'), userId: 'u' });
      controller.abort();
      expect(await queued).toBeInstanceOf(AbortedError);
      gated.releaseOne();
      await gated.waitForEntered(4);
      expect(gated.entered.at(-1)).toBe('u:after');
      for (let index = 0; index < 3; index++) gated.releaseOne();
      await Promise.all([...running, after]);
      expect(gated.entered).not.toContain('u:aborted');
      expect(gated.maxInFlightOf('u')).toBe(3);
      // Nothing reached a provider for the aborted call, so the ledger has the other four only.
      expect((await llm.usage.summary({ userId: 'u', from: 0, to: Date.now() + 1, groupBy: [] })).totals.requests).toBe(4);
    } finally {
      await llm.close();
    }
  });
});
