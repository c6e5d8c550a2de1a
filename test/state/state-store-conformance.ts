import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../src/errors/invalid-request-error';
import type { StateStore } from '../../src/spec/state-store';

/** What a backend hands the suite. */
export interface StateStoreHarness {
  store: StateStore;
  /** Tear down what the harness created (connections, files). */
  close(): Promise<void>;
}

export interface StateStoreConformanceOptions {
  /** Build a fresh store; the suite prefixes every key with a per-run id, so shared servers are fine. */
  create(): Promise<StateStoreHarness>;
  /** Skip the whole suite (server not configured). */
  skip?: boolean;
}

/**
 * The atomicity suite every StateStore passes. Times are injected (`now`) so nothing sleeps and no
 * assertion depends on timing; the race tests fire real concurrent operations at the backend.
 */
export function describeStateStoreConformance(title: string, options: StateStoreConformanceOptions): void {
  describe.skipIf(options.skip === true)(`state store conformance: ${title}`, () => {
    let harness: StateStoreHarness;
    let store: StateStore;
    const run = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    let counter = 0;
    const unique = (name: string): string => `${run}:${name}:${(counter += 1)}`;
    // A base time near the real clock, so server-side key expiry (Redis PEXPIRE) stays sensible.
    const base = Math.floor(Date.now() / 1000) * 1000;

    beforeAll(async () => {
      harness = await options.create();
      store = harness.store;
    });
    afterAll(async () => {
      await harness?.close();
    });

    describe('sliding windows', () => {
      it('admits up to the limit, refuses beyond it, and a refusal consumes nothing', async () => {
        const key = unique('window');
        const window = { key, limit: 3, windowMs: 10_000, cost: 1 };
        for (let index = 0; index < 3; index += 1) {
          const result = await store.consumeWindows({ windows: [window], entryId: `e${index}`, now: base + index * 100 });
          expect(result.allowed).toBe(true);
          expect(result.windows[0].used).toBe(index + 1);
          expect(result.windows[0].remaining).toBe(2 - index);
          expect(result.windows[0].resetAt).toBe(base + 10_000);
        }
        const refused = await store.consumeWindows({ windows: [window], entryId: 'e3', now: base + 500 });
        expect(refused.allowed).toBe(false);
        expect(refused.windows[0]).toMatchObject({ key, limit: 3, allowed: false, used: 3, remaining: 0, resetAt: base + 10_000, retryAfterMs: 9_500 });
        const again = await store.consumeWindows({ windows: [window], entryId: 'e4', now: base + 600 });
        expect(again.windows[0].used).toBe(3);
      });

      it('slides: an entry leaves exactly windowMs after it was admitted', async () => {
        const key = unique('slide');
        const window = { key, limit: 3, windowMs: 1_000, cost: 1 };
        for (const [index, offset] of [0, 400, 800].entries()) {
          expect((await store.consumeWindows({ windows: [window], entryId: `e${index}`, now: base + offset })).allowed).toBe(true);
        }
        const refused = await store.consumeWindows({ windows: [window], entryId: 'late', now: base + 999 });
        expect(refused.allowed).toBe(false);
        expect(refused.windows[0].resetAt).toBe(base + 1_000);
        expect(refused.windows[0].retryAfterMs).toBe(1);
        const admitted = await store.consumeWindows({ windows: [window], entryId: 'late', now: base + 1_000 });
        expect(admitted.allowed).toBe(true);
        expect(admitted.windows[0].used).toBe(3);
        expect(admitted.windows[0].resetAt).toBe(base + 1_400);
      });

      it('computes when a large cost will fit and says when it never can', async () => {
        const key = unique('tokens');
        const spec = (cost: number) => ({ key, limit: 100, windowMs: 1_000, cost });
        await store.consumeWindows({ windows: [spec(30)], entryId: 'a', now: base });
        await store.consumeWindows({ windows: [spec(30)], entryId: 'b', now: base + 100 });
        await store.consumeWindows({ windows: [spec(30)], entryId: 'c', now: base + 200 });
        const needsTwo = await store.consumeWindows({ windows: [spec(60)], entryId: 'd', now: base + 300 });
        expect(needsTwo.allowed).toBe(false);
        expect(needsTwo.windows[0].resetAt).toBe(base + 1_100);
        const never = await store.consumeWindows({ windows: [spec(101)], entryId: 'e', now: base + 300 });
        expect(never.allowed).toBe(false);
        expect(never.windows[0].resetAt).toBeUndefined();
        expect(never.windows[0].retryAfterMs).toBeUndefined();
      });

      it('consumes from several windows all or nothing', async () => {
        const hour = { key: unique('hour'), limit: 10, windowMs: 3_600_000, cost: 1 };
        const minute = { key: unique('minute'), limit: 1, windowMs: 60_000, cost: 1 };
        expect((await store.consumeWindows({ windows: [hour, minute], entryId: 'r1', now: base })).allowed).toBe(true);
        const refused = await store.consumeWindows({ windows: [hour, minute], entryId: 'r2', now: base + 1 });
        expect(refused.allowed).toBe(false);
        expect(refused.windows.map((state) => state.allowed)).toEqual([true, false]);
        // The hour window was not charged for the refused request.
        const probe = await store.consumeWindows({ windows: [{ ...hour, cost: 0 }], entryId: 'probe', now: base + 2 });
        expect(probe.windows[0].used).toBe(1);
      });

      it('is idempotent by entry id while the entry is in its window', async () => {
        const window = { key: unique('idempotent'), limit: 5, windowMs: 10_000, cost: 2 };
        const first = await store.consumeWindows({ windows: [window], entryId: 'same', now: base });
        const second = await store.consumeWindows({ windows: [window], entryId: 'same', now: base + 1 });
        expect(first).toMatchObject({ allowed: true, duplicate: false });
        expect(second).toMatchObject({ allowed: true, duplicate: true });
        expect(second.windows[0].used).toBe(2);
      });

      it('settles an estimate to the actual cost, idempotently', async () => {
        const hourKey = unique('tok-hour');
        const dayKey = unique('tok-day');
        const windows = (cost: number) => [
          { key: hourKey, limit: 150, windowMs: 3_600_000, cost },
          { key: dayKey, limit: 1_000, windowMs: 86_400_000, cost },
        ];
        expect((await store.consumeWindows({ windows: windows(100), entryId: 'call', now: base })).allowed).toBe(true);
        expect((await store.consumeWindows({ windows: windows(100), entryId: 'next', now: base + 1 })).allowed).toBe(false);
        await store.adjustWindows({ keys: [hourKey, dayKey], entryId: 'call', cost: 20 });
        await store.adjustWindows({ keys: [hourKey, dayKey], entryId: 'call', cost: 20 });
        const next = await store.consumeWindows({ windows: windows(100), entryId: 'next', now: base + 2 });
        expect(next.allowed).toBe(true);
        expect(next.windows.map((state) => state.used)).toEqual([120, 120]);
        // Settling above the estimate is recorded even past the limit: the tokens were spent.
        await store.adjustWindows({ keys: [hourKey, dayKey], entryId: 'next', cost: 200 });
        const over = await store.consumeWindows({ windows: windows(0), entryId: 'probe', now: base + 3 });
        expect(over.windows.map((state) => state.used)).toEqual([220, 220]);
        expect(over.windows[0].remaining).toBe(0);
      });

      it('uses its own clock when no time is given', async () => {
        const window = { key: unique('clock'), limit: 2, windowMs: 60_000, cost: 1 };
        const first = await store.consumeWindows({ windows: [window], entryId: 'a' });
        const second = await store.consumeWindows({ windows: [window], entryId: 'b' });
        const third = await store.consumeWindows({ windows: [window], entryId: 'c' });
        expect([first.allowed, second.allowed, third.allowed]).toEqual([true, true, false]);
        expect(third.windows[0].retryAfterMs).toBeGreaterThan(0);
        expect(third.windows[0].retryAfterMs).toBeLessThanOrEqual(60_000);
      });

      it('race: 1,000 concurrent consumes against a limit of 100 admit exactly 100', async () => {
        const window = { key: unique('race'), limit: 100, windowMs: 3_600_000, cost: 1 };
        const results = await Promise.all(
          Array.from({ length: 1_000 }, (_, index) => store.consumeWindows({ windows: [window], entryId: `req-${index}`, now: base + index })),
        );
        expect(results.filter((result) => result.allowed)).toHaveLength(100);
        const probe = await store.consumeWindows({ windows: [{ ...window, cost: 0 }], entryId: 'probe', now: base + 2_000 });
        expect(probe.windows[0].used).toBe(100);
      });
    });

    describe('slots with leases', () => {
      it('grants up to the limit, refuses beyond it, and a release frees a slot (idempotently)', async () => {
        const key = unique('pool');
        const slots = [{ key, limit: 2 }];
        expect((await store.acquireSlots({ slots, holderId: 'a', leaseMs: 10_000, now: base })).acquired).toBe(true);
        expect((await store.acquireSlots({ slots, holderId: 'b', leaseMs: 10_000, now: base + 1 })).acquired).toBe(true);
        const refused = await store.acquireSlots({ slots, holderId: 'c', leaseMs: 10_000, now: base + 2 });
        expect(refused).toMatchObject({ acquired: false, blockedKey: key, blockedLimit: 2, retryAt: base + 10_000 });
        expect(await store.releaseSlots({ keys: [key], holderId: 'a' })).toBe(true);
        expect(await store.releaseSlots({ keys: [key], holderId: 'a' })).toBe(false);
        expect((await store.acquireSlots({ slots, holderId: 'c', leaseMs: 10_000, now: base + 3 })).acquired).toBe(true);
      });

      it('re-acquiring with the same holder id renews instead of taking a second slot', async () => {
        const slots = [{ key: unique('renew-pool'), limit: 1 }];
        expect((await store.acquireSlots({ slots, holderId: 'a', leaseMs: 1_000, now: base })).acquired).toBe(true);
        const again = await store.acquireSlots({ slots, holderId: 'a', leaseMs: 1_000, now: base + 500 });
        expect(again).toMatchObject({ acquired: true, expiresAt: base + 1_500 });
      });

      it('takes slots from several pools all or nothing', async () => {
        const user = unique('user-pool');
        const global = unique('global-pool');
        const both = (userKey: string) => [{ key: userKey, limit: 1 }, { key: global, limit: 3 }];
        expect((await store.acquireSlots({ slots: both(user), holderId: 'x', leaseMs: 10_000, now: base })).acquired).toBe(true);
        const refused = await store.acquireSlots({ slots: both(user), holderId: 'y', leaseMs: 10_000, now: base });
        expect(refused).toMatchObject({ acquired: false, blockedKey: user, blockedLimit: 1 });
        // The refused holder took nothing from the global pool: two other users still fit.
        expect((await store.acquireSlots({ slots: both(unique('other')), holderId: 'o1', leaseMs: 10_000, now: base })).acquired).toBe(true);
        expect((await store.acquireSlots({ slots: both(unique('other')), holderId: 'o2', leaseMs: 10_000, now: base })).acquired).toBe(true);
        const full = await store.acquireSlots({ slots: both(unique('other')), holderId: 'o3', leaseMs: 10_000, now: base });
        expect(full).toMatchObject({ acquired: false, blockedKey: global, blockedLimit: 3 });
      });

      it('returns a dead holder\'s slot when its lease expires, and a lost lease cannot be renewed', async () => {
        const key = unique('lease');
        const slots = [{ key, limit: 1 }];
        expect((await store.acquireSlots({ slots, holderId: 'dead', leaseMs: 500, now: base })).acquired).toBe(true);
        expect((await store.acquireSlots({ slots, holderId: 'next', leaseMs: 500, now: base + 499 })).acquired).toBe(false);
        expect(await store.renewSlots({ keys: [key], holderId: 'dead', leaseMs: 500, now: base + 499 })).toBe(true);
        expect((await store.acquireSlots({ slots, holderId: 'next', leaseMs: 500, now: base + 998 })).acquired).toBe(false);
        expect((await store.acquireSlots({ slots, holderId: 'next', leaseMs: 500, now: base + 999 })).acquired).toBe(true);
        expect(await store.renewSlots({ keys: [key], holderId: 'dead', leaseMs: 500, now: base + 1_000 })).toBe(false);
      });

      it('race: 200 concurrent acquisitions of a pool of 7 grant exactly 7', async () => {
        const slots = [{ key: unique('slot-race'), limit: 7 }];
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, index) => store.acquireSlots({ slots, holderId: `h${index}`, leaseMs: 60_000, now: base })),
        );
        expect(results.filter((result) => result.acquired)).toHaveLength(7);
      });
    });

    describe('reservations, settlements and credits', () => {
      it('reserves against the available balance and settles to the actual amount', async () => {
        const account = unique('account');
        await store.credit({ account, amount: 1_000, entryId: 'grant', kind: 'grant', now: base });
        const first = await store.reserve({ account, amount: 600, reservationId: unique('r'), ttlMs: 60_000, now: base });
        expect(first).toMatchObject({ reserved: true, duplicate: false, account: { balance: 1_000, reserved: 600, available: 400 } });
        const refused = await store.reserve({ account, amount: 500, reservationId: unique('r'), ttlMs: 60_000, now: base });
        expect(refused).toMatchObject({ reserved: false, account: { balance: 1_000, reserved: 600, available: 400 } });
        const reservationId = unique('r');
        await store.reserve({ account, amount: 400, reservationId, ttlMs: 60_000, now: base });
        const settled = await store.settle({ reservationId, actualAmount: 150, now: base + 1 });
        expect(settled).toMatchObject({ found: true, duplicate: false, debited: 150, status: 'settled', account: { balance: 850, reserved: 600, available: 250 } });
        expect(await store.balance(account, base + 2)).toEqual({ account, balance: 850, reserved: 600, available: 250 });
      });

      it('is idempotent: a repeated reserve, settle or release changes nothing', async () => {
        const account = unique('idem-account');
        await store.credit({ account, amount: 100, entryId: 'grant', now: base });
        const reservationId = unique('r');
        await store.reserve({ account, amount: 40, reservationId, ttlMs: 60_000, now: base });
        const repeat = await store.reserve({ account, amount: 40, reservationId, ttlMs: 60_000, now: base });
        expect(repeat).toMatchObject({ reserved: true, duplicate: true, account: { reserved: 40 } });
        await store.settle({ reservationId, actualAmount: 30, now: base + 1 });
        const again = await store.settle({ reservationId, actualAmount: 30, now: base + 2 });
        expect(again).toMatchObject({ found: true, duplicate: true, debited: 30, status: 'settled' });
        const releaseAfterSettle = await store.release(reservationId, base + 3);
        expect(releaseAfterSettle).toMatchObject({ found: true, duplicate: true, status: 'settled' });
        expect(await store.balance(account, base + 4)).toMatchObject({ balance: 70, reserved: 0, available: 70 });

        const released = unique('r');
        await store.reserve({ account, amount: 50, reservationId: released, ttlMs: 60_000, now: base + 5 });
        expect(await store.release(released, base + 6)).toMatchObject({ found: true, duplicate: false, debited: 0, status: 'released' });
        expect(await store.release(released, base + 7)).toMatchObject({ found: true, duplicate: true, status: 'released' });
        expect(await store.settle({ reservationId: released, actualAmount: 50, now: base + 8 })).toMatchObject({ duplicate: true, debited: 0 });
        expect(await store.balance(account, base + 9)).toMatchObject({ balance: 70, reserved: 0 });
        expect(await store.settle({ reservationId: unique('never'), actualAmount: 1, now: base })).toMatchObject({ found: false });
      });

      it('frees an abandoned reservation after its TTL but still charges a late settlement', async () => {
        const account = unique('ttl-account');
        await store.credit({ account, amount: 100, entryId: 'grant', now: base });
        const reservationId = unique('r');
        await store.reserve({ account, amount: 100, reservationId, ttlMs: 1_000, now: base });
        expect((await store.reserve({ account, amount: 1, reservationId: unique('r'), ttlMs: 1_000, now: base + 999 })).reserved).toBe(false);
        expect(await store.balance(account, base + 1_000)).toMatchObject({ balance: 100, reserved: 0, available: 100 });
        const late = await store.settle({ reservationId, actualAmount: 60, now: base + 2_000 });
        expect(late).toMatchObject({ found: true, duplicate: false, debited: 60, status: 'settled', account: { balance: 40 } });
      });

      it('credits once per entry id, accepts negative corrections, and journals every movement', async () => {
        const account = unique('credit-account');
        const first = await store.credit({ account, amount: 5_000_000, entryId: 'purchase-1', kind: 'purchase', now: base });
        const repeat = await store.credit({ account, amount: 5_000_000, entryId: 'purchase-1', kind: 'purchase', now: base + 1 });
        expect(first).toMatchObject({ duplicate: false, account: { balance: 5_000_000 } });
        expect(repeat).toMatchObject({ duplicate: true, account: { balance: 5_000_000 } });
        await store.credit({ account, amount: -1_250_000, entryId: 'correction', kind: 'adjustment', now: base + 2 });
        const reservationId = unique('r');
        await store.reserve({ account, amount: 10, reservationId, ttlMs: 60_000, now: base + 3 });
        await store.settle({ reservationId, actualAmount: 7, now: base + 4 });
        const entries = await store.entries(account);
        expect(entries.map((entry) => [entry.entryId, entry.kind, entry.amount, entry.at])).toEqual([
          ['purchase-1', 'purchase', 5_000_000, base],
          ['correction', 'adjustment', -1_250_000, base + 2],
          [reservationId, 'settle', -7, base + 4],
        ]);
        const balance = await store.balance(account, base + 5);
        expect(balance.balance).toBe(entries.reduce((sum, entry) => sum + entry.amount, 0));
        expect(await store.balance(unique('nobody'), base)).toMatchObject({ balance: 0, reserved: 0, available: 0 });
      });

      it('race: credit for exactly 50 calls admits exactly 50 of 300 concurrent reservations', async () => {
        const account = unique('race-account');
        const price = 20_000;
        await store.credit({ account, amount: price * 50, entryId: 'grant', now: base });
        const ids = Array.from({ length: 300 }, (_, index) => `${account}:call-${index}`);
        const results = await Promise.all(ids.map((reservationId) => store.reserve({ account, amount: price, reservationId, ttlMs: 60_000, now: base })));
        const admitted = ids.filter((_, index) => results[index].reserved);
        expect(admitted).toHaveLength(50);
        await Promise.all(admitted.map((reservationId) => store.settle({ reservationId, actualAmount: price, now: base + 1 })));
        const after = await store.balance(account, base + 2);
        expect(after).toMatchObject({ balance: 0, reserved: 0, available: 0 });
        const debits = (await store.entries(account)).filter((entry) => entry.kind === 'settle');
        expect(debits).toHaveLength(50);
        expect(debits.reduce((sum, entry) => sum + entry.amount, 0)).toBe(-price * 50);
      });
    });

    describe('cache', () => {
      it('stores strings and bytes with a TTL, overwrites and deletes', async () => {
        const text = unique('cache-text');
        const bytes = unique('cache-bytes');
        const payload = new Uint8Array([0, 1, 2, 250, 255, 128]);
        await store.cacheSet(text, 'héllo ✓', 1_000, base);
        await store.cacheSet(bytes, payload, 1_000, base);
        expect(await store.cacheGet(text, base + 999)).toBe('héllo ✓');
        const read = await store.cacheGet(bytes, base + 999);
        expect(read).toBeInstanceOf(Uint8Array);
        expect(Array.from(read as Uint8Array)).toEqual(Array.from(payload));
        expect(await store.cacheGet(text, base + 1_000)).toBeUndefined();
        await store.cacheSet(text, 'second', 1_000, base + 1_000);
        expect(await store.cacheGet(text, base + 1_001)).toBe('second');
        await store.cacheDelete(text);
        expect(await store.cacheGet(text, base + 1_002)).toBeUndefined();
        expect(await store.cacheGet(unique('absent'))).toBeUndefined();
      });
    });

    describe('validation', () => {
      it('rejects bad input with an InvalidRequestError naming the field', async () => {
        await expect(store.consumeWindows({ windows: [], entryId: 'x' })).rejects.toThrow(InvalidRequestError);
        await expect(store.consumeWindows({ windows: [{ key: 'k', limit: 1, windowMs: 0, cost: 1 }], entryId: 'x' })).rejects.toThrow(/windowMs/);
        await expect(store.reserve({ account: 'a', amount: 1.5, reservationId: 'r', ttlMs: 1 })).rejects.toThrow(/amount/);
        await expect(store.credit({ account: 'a', amount: 0, entryId: 'e' })).rejects.toThrow(/amount/);
        await expect(store.acquireSlots({ slots: [{ key: 'k', limit: 1 }], holderId: '', leaseMs: 1 })).rejects.toThrow(/holderId/);
      });
    });
  });
}
