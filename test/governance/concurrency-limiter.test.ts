import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortedError } from '../../src/errors/aborted-error';
import { RateLimitExceededError } from '../../src/errors/rate-limit-exceeded-error';
import { createConcurrencyLimiter, type ConcurrencySlot } from '../../src/governance/concurrency-limiter';
import { createMemoryState } from '../../src/state/memory';

describe('concurrency limiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const clock = () => Date.now();

  it('holds at most perUser slots per user and serves each user first-in first-out', async () => {
    const limiter = createConcurrencyLimiter({ state: createMemoryState({ now: clock }), perUser: 2, global: 10, now: clock });
    const first = await limiter.acquire({ userId: 'u1' });
    const second = await limiter.acquire({ userId: 'u1' });
    const order: string[] = [];
    const third = limiter.acquire({ userId: 'u1' }).then((slot) => (order.push('third'), slot));
    const fourth = limiter.acquire({ userId: 'u1' }).then((slot) => (order.push('fourth'), slot));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(limiter.waiting).toBe(2);
    await first.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['third']);
    await second.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['third', 'fourth']);
    await (await third).release();
    await (await fourth).release();
    await limiter.close();
  });

  it('a release the store fails rejects with that failure and still serves the waiter, once the lease frees the slot', async () => {
    const memory = createMemoryState({ now: clock });
    const failure = new Error('store unreachable');
    let failNext = false;
    const state = {
      ...memory,
      releaseSlots: (request: Parameters<typeof memory.releaseSlots>[0]) => {
        if (!failNext) return memory.releaseSlots(request);
        failNext = false;
        return Promise.reject(failure);
      },
    };
    const limiter = createConcurrencyLimiter({ state, perUser: 1, global: 10, leaseMs: 3_000, pollIntervalMs: 100, renewLeases: false, now: clock });
    const holder = await limiter.acquire({ userId: 'u1' });
    let served: ConcurrencySlot | undefined;
    const waiting = limiter.acquire({ userId: 'u1' }).then((slot) => (served = slot));
    await vi.advanceTimersByTimeAsync(0);
    failNext = true;
    await expect(holder.release()).rejects.toBe(failure);
    // The failed release left the lease held: the waiter gets the slot when it expires, not before.
    await vi.advanceTimersByTimeAsync(2_900);
    expect(served).toBeUndefined();
    await vi.advanceTimersByTimeAsync(300);
    await waiting;
    expect(served?.userId).toBe('u1');
    await served!.release();
    await limiter.close();
  });

  it('a release that throws synchronously rejects instead of throwing', async () => {
    const memory = createMemoryState({ now: clock });
    const failure = new Error('store is closed');
    const state = { ...memory, releaseSlots: (): Promise<boolean> => { throw failure; } };
    const limiter = createConcurrencyLimiter({ state, renewLeases: false, now: clock });
    const holder = await limiter.acquire({ userId: 'u1' });
    const released = holder.release();
    expect(released).toBeInstanceOf(Promise);
    await expect(released).rejects.toBe(failure);
    await limiter.close();
  });

  it('holds each user to their limit across more users than it remembers pool keys for', async () => {
    const state = createMemoryState({ now: clock });
    const acquired: Array<Parameters<typeof state.acquireSlots>[0]> = [];
    const recording = { ...state, acquireSlots: (request: Parameters<typeof state.acquireSlots>[0]) => (acquired.push(request), state.acquireSlots(request)) };
    const limiter = createConcurrencyLimiter({ state: recording, perUser: 1, global: 5_000, queueTimeoutMs: 0, renewLeases: false, now: clock });
    const users = Array.from({ length: 1_500 }, (_, index) => `user-${index}`);
    const slots = await Promise.all(users.map((userId) => limiter.acquire({ userId })));
    // The first users' keys were forgotten when the 1,025th arrived: their second call is still refused.
    for (const userId of ['user-0', 'user-1023', 'user-1024', 'user-1499']) {
      await expect(limiter.acquire({ userId })).rejects.toBeInstanceOf(RateLimitExceededError);
    }
    expect(acquired[0]!.slots).toEqual([{ key: 'concurrency:user:user-0', limit: 1 }, { key: 'concurrency:global', limit: 5_000 }]);
    expect(Object.isFrozen(acquired[0]!.slots)).toBe(true);
    for (const slot of slots) await slot.release();
    const again = await limiter.acquire({ userId: 'user-0' });
    expect(again.userId).toBe('user-0');
    await again.release();
    await limiter.close();
  });

  it('is fair across users when the global pool is the bottleneck', async () => {
    const limiter = createConcurrencyLimiter({ state: createMemoryState({ now: clock }), perUser: 5, global: 1, now: clock });
    const holder = await limiter.acquire({ userId: 'busy' });
    const served: string[] = [];
    const waits = [
      ...['busy', 'busy', 'busy'].map((userId) => limiter.acquire({ userId })),
      limiter.acquire({ userId: 'quiet' }),
    ].map((promise) => promise.then(async (slot) => {
      served.push(slot.userId);
      await slot.release();
    }));
    await vi.advanceTimersByTimeAsync(0);
    await holder.release();
    await vi.advanceTimersByTimeAsync(0);
    await Promise.all(waits);
    // The quiet user is served second, not after the busy user's whole backlog.
    expect(served).toEqual(['busy', 'quiet', 'busy', 'busy']);
    await limiter.close();
  });

  it('a call aborted while the store refuses it fails at once and does not block the queue behind it', async () => {
    const state = createMemoryState({ now: clock });
    const controller = new AbortController();
    // The store's refusal arrives after the caller has already aborted.
    const racing = { ...state, acquireSlots: async (request: Parameters<typeof state.acquireSlots>[0]) => {
      const result = await state.acquireSlots(request);
      if (!result.acquired) controller.abort();
      return result;
    } };
    const limiter = createConcurrencyLimiter({ state: racing, perUser: 1, global: 10, now: clock });
    const holder = await limiter.acquire({ userId: 'u1' });
    const aborted = limiter.acquire({ userId: 'u1', signal: controller.signal }).catch((error: unknown) => error);
    expect(await aborted).toBeInstanceOf(AbortedError);
    expect(limiter.waiting).toBe(0);
    const next = limiter.acquire({ userId: 'u1' });
    await holder.release();
    await vi.advanceTimersByTimeAsync(0);
    await (await next).release();
    await limiter.close();
  });

  it('binds a globalOnly call by the global limit alone', async () => {
    const limiter = createConcurrencyLimiter({ state: createMemoryState({ now: clock }), perUser: 1, global: 2, queueTimeoutMs: 0, now: clock });
    const first = await limiter.acquire({ userId: 'anonymous', globalOnly: true });
    const second = await limiter.acquire({ userId: 'anonymous', globalOnly: true });
    const refused = await limiter.acquire({ userId: 'anonymous', globalOnly: true }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitExceededError);
    expect((refused as RateLimitExceededError).scope).toBe('global:concurrency');
    await first.release();
    await second.release();
    await limiter.close();
  });

  it('keeps one renewal timer for all its slots and stops it when none is held', async () => {
    const state = createMemoryState({ now: clock });
    const renewals: string[] = [];
    const counting = { ...state, renewSlots: async (request: Parameters<typeof state.renewSlots>[0]) => {
      renewals.push(request.holderId);
      return state.renewSlots(request);
    } };
    const limiter = createConcurrencyLimiter({ state: counting, perUser: 5, global: 10, leaseMs: 3_000, now: clock });
    const slots = await Promise.all([1, 2, 3].map(() => limiter.acquire({ userId: 'u1' })));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(new Set(renewals).size).toBe(3);
    for (const slot of slots) await slot.release();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(vi.getTimerCount()).toBe(0);
    expect(slots.every((slot) => !slot.lost)).toBe(true);
    await limiter.close();
  });

  it('times out a waiter with a RateLimitExceededError naming the full scope', async () => {
    const limiter = createConcurrencyLimiter({ state: createMemoryState({ now: clock }), perUser: 1, global: 10, queueTimeoutMs: 5_000, leaseMs: 60_000, now: clock });
    await limiter.acquire({ userId: 'u1' });
    const waiting = limiter.acquire({ userId: 'u1' }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(5_000);
    const error = (await waiting) as RateLimitExceededError;
    expect(error).toBeInstanceOf(RateLimitExceededError);
    expect(error.scope).toBe('user:u1:concurrency');
    expect(error.limit).toBe(1);
    expect(error.remaining).toBe(0);
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(limiter.waiting).toBe(0);
    await limiter.close();
  });

  it('fails at once with queueTimeoutMs 0, naming the global scope when that is full', async () => {
    const limiter = createConcurrencyLimiter({ state: createMemoryState({ now: clock }), perUser: 3, global: 1, queueTimeoutMs: 0, now: clock });
    await limiter.acquire({ userId: 'a' });
    const error = await limiter.acquire({ userId: 'b' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitExceededError);
    expect((error as RateLimitExceededError).scope).toBe('global:concurrency');
    await limiter.close();
  });

  it('stops waiting when the signal aborts, and an aborted waiter holds nothing', async () => {
    const limiter = createConcurrencyLimiter({ state: createMemoryState({ now: clock }), perUser: 1, global: 10, now: clock });
    const held = await limiter.acquire({ userId: 'u1' });
    const controller = new AbortController();
    const waiting = limiter.acquire({ userId: 'u1', signal: controller.signal }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error('user went away'));
    expect(await waiting).toBeInstanceOf(AbortedError);
    await held.release();
    // The slot is free again for the next caller: the aborted waiter did not take it.
    const next = await limiter.acquire({ userId: 'u1', timeoutMs: 0 });
    await next.release();
    await expect(limiter.acquire({ userId: 'u1', signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    await limiter.close();
  });

  it('returns a dead holder\'s slot once its lease expires (another process sharing the store)', async () => {
    const state = createMemoryState({ now: clock });
    // The first process takes the slot and dies: it never renews nor releases.
    const dead = createConcurrencyLimiter({ state, perUser: 1, global: 10, leaseMs: 10_000, renewLeases: false, now: clock });
    await dead.acquire({ userId: 'u1' });
    const survivor = createConcurrencyLimiter({ state, perUser: 1, global: 10, leaseMs: 10_000, queueTimeoutMs: 30_000, pollIntervalMs: 500, now: clock });
    let slot: ConcurrencySlot | undefined;
    const waiting = survivor.acquire({ userId: 'u1' }).then((acquired) => (slot = acquired));
    await vi.advanceTimersByTimeAsync(9_000);
    expect(slot).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1_500);
    await waiting;
    expect(slot?.userId).toBe('u1');
    await slot?.release();
    await survivor.close();
    await dead.close();
  });

  it('renews a live holder\'s lease so a long call keeps its slot', async () => {
    const state = createMemoryState({ now: clock });
    const limiter = createConcurrencyLimiter({ state, perUser: 1, global: 10, leaseMs: 3_000, now: clock });
    const slot = await limiter.acquire({ userId: 'u1' });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(slot.lost).toBe(false);
    const other = createConcurrencyLimiter({ state, perUser: 1, global: 10, queueTimeoutMs: 0, now: clock });
    await expect(other.acquire({ userId: 'u1' })).rejects.toBeInstanceOf(RateLimitExceededError);
    await slot.release();
    await limiter.close();
    await other.close();
  });

  it('never has more than the global limit in flight under a burst', async () => {
    vi.useRealTimers();
    const limiter = createConcurrencyLimiter({ state: createMemoryState(), perUser: 3, global: 5, pollIntervalMs: 5 });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 60 }, async (_, index) => {
        const slot = await limiter.acquire({ userId: `u${index % 7}` });
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await Promise.resolve();
        inFlight -= 1;
        await slot.release();
      }),
    );
    expect(peak).toBeLessThanOrEqual(5);
    expect(peak).toBeGreaterThan(0);
    await limiter.close();
  });
});
