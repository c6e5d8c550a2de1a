import type {
  AccountBalance,
  AccountEntry,
  CacheValue,
  CreditRequest,
  CreditResult,
  ReservationStatus,
  ReserveRequest,
  ReserveResult,
  SettleRequest,
  SettleResult,
  SlotAcquireRequest,
  SlotAcquireResult,
  SlotHolderRequest,
  StateStore,
  WindowAdjustRequest,
  WindowConsumeRequest,
  WindowConsumeResult,
  WindowState,
} from '../../spec/state-store';
import { describeWindow, type WindowLogEntry } from '../sliding-window';
import {
  validateAccount,
  validateAcquire,
  validateAdjust,
  validateCacheKey,
  validateCacheSet,
  validateConsume,
  validateCredit,
  validateHolder,
  validateRelease,
  validateReserve,
  validateSettle,
} from '../state-store-validation';

/** Options of the in-process state store. */
export interface MemoryStateOptions {
  /** Clock used when an operation gets no `now`; defaults to `Date.now`. */
  now?: () => number;
}

interface MemoryWindowEntry extends WindowLogEntry {
  id: string;
}

interface MemoryReservation {
  account: string;
  amount: number;
  status: ReservationStatus;
  expiresAt: number;
  debited: number;
}

interface MemoryAccount {
  balance: number;
  held: Set<string>;
  entries: AccountEntry[];
  entryIds: Set<string>;
}

/**
 * A state store for one process. Every operation runs synchronously inside the returned promise, so
 * the JavaScript event loop makes each one atomic. Not shared across processes: use Redis or SQL then.
 */
export function createMemoryState(options: MemoryStateOptions = {}): StateStore {
  const clock = options.now ?? Date.now;
  const windows = new Map<string, MemoryWindowEntry[]>();
  const pools = new Map<string, Map<string, number>>();
  const accounts = new Map<string, MemoryAccount>();
  const reservations = new Map<string, MemoryReservation>();
  const cache = new Map<string, { value: CacheValue; expiresAt: number }>();

  const log = (key: string): MemoryWindowEntry[] => {
    let entries = windows.get(key);
    if (!entries) {
      entries = [];
      windows.set(key, entries);
    }
    return entries;
  };

  let sweepPoolsAbove = 1024;
  const sweepEmptyPools = (): void => {
    for (const [key, holders] of pools) if (holders.size === 0) pools.delete(key);
    sweepPoolsAbove = Math.max(1024, pools.size * 2);
  };

  const pool = (key: string): Map<string, number> => {
    let holders = pools.get(key);
    if (!holders) {
      holders = new Map();
      pools.set(key, holders);
    }
    return holders;
  };

  const reclaimExpiredLeases = (holders: Map<string, number>, now: number): void => {
    for (const [holderId, expiresAt] of holders) if (expiresAt <= now) holders.delete(holderId);
  };

  const account = (id: string): MemoryAccount => {
    let found = accounts.get(id);
    if (!found) {
      found = { balance: 0, held: new Set(), entries: [], entryIds: new Set() };
      accounts.set(id, found);
    }
    return found;
  };

  // A reservation whose holder never came back stops counting against the balance once its TTL passes.
  const expireReservations = (state: MemoryAccount, now: number): void => {
    for (const reservationId of state.held) {
      const reservation = reservations.get(reservationId)!;
      if (reservation.expiresAt <= now) {
        reservation.status = 'expired';
        state.held.delete(reservationId);
      }
    }
  };

  const position = (id: string, state: MemoryAccount): AccountBalance => {
    let reserved = 0;
    for (const reservationId of state.held) reserved += reservations.get(reservationId)!.amount;
    return { account: id, balance: state.balance, reserved, available: state.balance - reserved };
  };

  const finish = (reservationId: string, actualAmount: number | undefined, now: number): SettleResult => {
    const reservation = reservations.get(reservationId);
    if (!reservation) return { found: false, duplicate: false, debited: 0 };
    const state = account(reservation.account);
    expireReservations(state, now);
    if (reservation.status === 'settled' || reservation.status === 'released') {
      return { found: true, duplicate: true, debited: reservation.debited, status: reservation.status, account: position(reservation.account, state) };
    }
    state.held.delete(reservationId);
    if (actualAmount === undefined) {
      reservation.status = 'released';
    } else {
      reservation.status = 'settled';
      reservation.debited = actualAmount;
      state.balance -= actualAmount;
      state.entries.push({ entryId: reservationId, account: reservation.account, kind: 'settle', amount: -actualAmount, at: now });
      state.entryIds.add(reservationId);
    }
    return { found: true, duplicate: false, debited: reservation.debited, status: reservation.status, account: position(reservation.account, state) };
  };

  return {
    kind: 'memory',

    async consumeWindows(request: WindowConsumeRequest): Promise<WindowConsumeResult> {
      validateConsume(request);
      const now = request.now ?? clock();
      const live = request.windows.map((spec) => {
        const entries = log(spec.key);
        const cutoff = now - spec.windowMs;
        const kept = entries.filter((entry) => entry.at > cutoff);
        windows.set(spec.key, kept);
        kept.sort((left, right) => left.at - right.at);
        return kept;
      });
      const duplicate = live.every((entries) => entries.some((entry) => entry.id === request.entryId));
      if (duplicate) {
        const states: WindowState[] = request.windows.map((spec, index) => {
          const used = live[index].reduce((sum, entry) => sum + entry.cost, 0);
          const oldestAt = live[index].length > 0 ? live[index][0].at : now;
          return { key: spec.key, limit: spec.limit, allowed: true, used, remaining: Math.max(0, spec.limit - used), resetAt: oldestAt + spec.windowMs, retryAfterMs: 0 };
        });
        return { allowed: true, duplicate: true, windows: states };
      }
      const used = live.map((entries) => entries.reduce((sum, entry) => sum + entry.cost, 0));
      const allowed = request.windows.every((spec, index) => used[index] + spec.cost <= spec.limit);
      const states = request.windows.map((spec, index) => describeWindow(spec, live[index], used[index], now, allowed));
      if (allowed) {
        request.windows.forEach((spec, index) => {
          live[index].push({ id: request.entryId, at: now, cost: spec.cost });
        });
      }
      return { allowed, duplicate: false, windows: states };
    },

    async adjustWindows(request: WindowAdjustRequest): Promise<void> {
      validateAdjust(request);
      for (const key of request.keys) {
        const entry = windows.get(key)?.find((candidate) => candidate.id === request.entryId);
        if (entry) entry.cost = request.cost;
      }
    },

    async acquireSlots(request: SlotAcquireRequest): Promise<SlotAcquireResult> {
      validateAcquire(request);
      const now = request.now ?? clock();
      const expiresAt = now + request.leaseMs;
      const holders = request.slots.map((slot) => pool(slot.key));
      for (let index = 0; index < request.slots.length; index += 1) {
        const slot = request.slots[index];
        const found = holders[index];
        if (found.has(request.holderId) || found.size < slot.limit) continue;
        // Expired leases only matter when they would block, so the scan runs only on a full pool.
        reclaimExpiredLeases(found, now);
        if (found.size >= slot.limit) {
          const retryAt = found.size > 0 ? Math.min(...found.values()) : undefined;
          return { acquired: false, blockedKey: slot.key, blockedLimit: slot.limit, ...(retryAt === undefined ? {} : { retryAt }) };
        }
      }
      for (const found of holders) found.set(request.holderId, expiresAt);
      return { acquired: true, expiresAt };
    },

    async renewSlots(request: SlotHolderRequest): Promise<boolean> {
      validateHolder(request, true);
      const now = request.now ?? clock();
      const holders = request.keys.map((key) => pool(key));
      const heldEverywhere = holders.every((found) => (found.get(request.holderId) ?? 0) > now);
      if (!heldEverywhere) return false;
      for (const found of holders) found.set(request.holderId, now + request.leaseMs!);
      return true;
    },

    async releaseSlots(request: SlotHolderRequest): Promise<boolean> {
      validateHolder(request, false);
      let released = false;
      for (const key of request.keys) {
        const holders = pools.get(key);
        if (!holders?.delete(request.holderId)) continue;
        released = true;
        // Pools are per user (and per anonymous call): empty ones are swept when they could pile up, not
        // dropped one by one, so a busy pool (the global one) is not made anew by every call.
        if (holders.size === 0 && pools.size > sweepPoolsAbove) sweepEmptyPools();
      }
      return released;
    },

    async reserve(request: ReserveRequest): Promise<ReserveResult> {
      validateReserve(request);
      const now = request.now ?? clock();
      const state = account(request.account);
      expireReservations(state, now);
      if (reservations.has(request.reservationId)) {
        return { reserved: true, duplicate: true, account: position(request.account, state) };
      }
      const before = position(request.account, state);
      if (before.available < request.amount) return { reserved: false, duplicate: false, account: before };
      reservations.set(request.reservationId, { account: request.account, amount: request.amount, status: 'held', expiresAt: now + request.ttlMs, debited: 0 });
      state.held.add(request.reservationId);
      return { reserved: true, duplicate: false, account: position(request.account, state) };
    },

    async settle(request: SettleRequest): Promise<SettleResult> {
      validateSettle(request);
      return finish(request.reservationId, request.actualAmount, request.now ?? clock());
    },

    async release(reservationId: string, now?: number): Promise<SettleResult> {
      validateRelease(reservationId, now);
      return finish(reservationId, undefined, now ?? clock());
    },

    async balance(id: string, now?: number): Promise<AccountBalance> {
      validateAccount(id, now);
      const state = account(id);
      expireReservations(state, now ?? clock());
      return position(id, state);
    },

    async credit(request: CreditRequest): Promise<CreditResult> {
      validateCredit(request);
      const now = request.now ?? clock();
      const state = account(request.account);
      expireReservations(state, now);
      if (state.entryIds.has(request.entryId)) return { duplicate: true, account: position(request.account, state) };
      state.balance += request.amount;
      state.entryIds.add(request.entryId);
      state.entries.push({ entryId: request.entryId, account: request.account, kind: request.kind ?? 'credit', amount: request.amount, at: now });
      return { duplicate: false, account: position(request.account, state) };
    },

    async entries(id: string): Promise<AccountEntry[]> {
      validateAccount(id);
      return (accounts.get(id)?.entries ?? []).map((entry) => ({ ...entry }));
    },

    async cacheGet(key: string, now?: number): Promise<CacheValue | undefined> {
      validateCacheKey(key, now);
      const found = cache.get(key);
      if (!found) return undefined;
      if (found.expiresAt <= (now ?? clock())) {
        cache.delete(key);
        return undefined;
      }
      return typeof found.value === 'string' ? found.value : found.value.slice();
    },

    async cacheSet(key: string, value: CacheValue, ttlMs: number, now?: number): Promise<void> {
      validateCacheSet(key, value, ttlMs, now);
      cache.set(key, { value: typeof value === 'string' ? value : value.slice(), expiresAt: (now ?? clock()) + ttlMs });
    },

    async cacheDelete(key: string): Promise<void> {
      validateCacheKey(key);
      cache.delete(key);
    },

    async close(): Promise<void> {
      // Nothing to release: the maps go with the store.
    },
  };
}
