import { AbortedError } from '../errors/aborted-error';
import { ConfigurationError } from '../errors/configuration-error';
import { InvalidRequestError } from '../errors/invalid-request-error';
import { RateLimitExceededError } from '../errors/rate-limit-exceeded-error';
import type { AbortSignalLike } from '../http/abort-source';
import type { SlotAcquireRequest, StateStore } from '../spec/state-store';

/** Options of the concurrency limiter. */
export interface ConcurrencyLimiterOptions {
  /** Where the slots live: memory for one process, Redis or SQL when processes share the limits. */
  state: StateStore;
  /** Calls in flight across all users (and all processes sharing `state`); default 50. */
  global?: number;
  /** Calls in flight per user; default 3. */
  perUser?: number;
  /** How long a slot is held without renewal; a holder that dies loses it after this. Default 60 s. */
  leaseMs?: number;
  /** How long a call may wait for a slot before `RateLimitExceededError`; default 30 s. 0 = do not wait. */
  queueTimeoutMs?: number;
  /** How often waiters retry while slots are held elsewhere (other processes, expiring leases); default 250 ms. */
  pollIntervalMs?: number;
  /** Renew held leases every `leaseMs / 3` while the holder lives; default true. */
  renewLeases?: boolean;
  /** Prefix of the state keys; default `concurrency`. */
  keyPrefix?: string;
  /** Clock passed to the store; leave unset in production so the store's own clock is used. */
  now?: () => number;
}

/** What to wait for. */
export interface ConcurrencyRequest {
  /** Whose per-user limit applies; with `globalOnly`, just the name of the caller's queue. */
  userId: string;
  /** Only the global limit binds this call (an anonymous call: a per-user slot of its own would never bind). */
  globalOnly?: boolean;
  /** Cancels the wait (and nothing else): the call rejects with `AbortedError`. An `AbortSignal`, or anything with its `aborted`, `reason` and abort listeners. */
  signal?: AbortSignalLike;
  /** Override of the queue timeout for this call. */
  timeoutMs?: number;
}

/** A held slot. Release it when the call ends, whatever the outcome. */
export interface ConcurrencySlot {
  /** Unique id of this holder in the store. */
  readonly holderId: string;
  /** The user. */
  readonly userId: string;
  /** True once a renewal found the lease gone (the process stalled past `leaseMs`). */
  readonly lost: boolean;
  /** Give the slot back. Idempotent. */
  release(): Promise<void>;
}

/** Global and per-user limits on calls in flight, as leases in a state store. */
export interface ConcurrencyLimiter {
  /** Wait for a slot: FIFO per user, round-robin across users, bounded by the queue timeout and the signal. */
  acquire(request: ConcurrencyRequest): Promise<ConcurrencySlot>;
  /** Calls waiting in this process. */
  readonly waiting: number;
  /** Reject every waiter, stop renewals and timers (slots already granted stay until released or expired). */
  close(): Promise<void>;
}

interface Waiter {
  userId: string;
  globalOnly: boolean;
  holderId: string;
  resolve(slot: ConcurrencySlot): void;
  reject(error: unknown): void;
  done: boolean;
  /** No queue timeout: fail on the first refusal instead of waiting. */
  failFast: boolean;
  blockedScope: string;
  blockedLimit: number;
  retryAt?: number;
  cleanup(): void;
}

type Timer = ReturnType<typeof setTimeout>;

function unref(timer: Timer): void {
  (timer as { unref?: () => void }).unref?.();
}

function positiveInteger(value: number | undefined, fallback: number, field: string, minimum: number): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < minimum) throw new ConfigurationError(`limits.concurrency.${field} must be an integer >= ${minimum} (got ${String(value)})`);
  return resolved;
}

/** A slot this process holds: what the caller releases and what the renewals see. A class, not closures: one is made per call. */
class HeldSlot implements ConcurrencySlot {
  lost = false;
  #released = false;

  constructor(
    readonly holderId: string,
    readonly userId: string,
    readonly keys: readonly string[],
    private readonly giveBack: (slot: HeldSlot) => Promise<void>,
  ) {}

  release(): Promise<void> {
    if (this.#released) return Promise.resolve();
    this.#released = true;
    return this.giveBack(this);
  }
}

let holderSequence = 0;

/** One pool a slot is taken from, and its limit. */
type SlotLimit = SlotAcquireRequest['slots'][number];

/** A user's pools: the slot list to acquire and the keys to renew and release. */
interface UserPools {
  slots: readonly SlotLimit[];
  keys: readonly string[];
}

/** Users whose pool keys a limiter remembers before it starts afresh. */
const rememberedUsers = 1024;

/**
 * Create the concurrency limiter. Each slot is a lease taken atomically from the user's pool and the
 * global pool together. Waiting happens in this process: a FIFO queue per user, served round-robin
 * across users so one busy user cannot starve the rest; waiters retry on every local release and on
 * a poll interval to notice slots freed by other processes or by expired leases.
 */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  if (!options?.state) throw new ConfigurationError('createConcurrencyLimiter: `state` is required');
  const { state } = options;
  const globalLimit = positiveInteger(options.global, 50, 'global', 1);
  const perUserLimit = positiveInteger(options.perUser, 3, 'perUser', 1);
  const leaseMs = positiveInteger(options.leaseMs, 60_000, 'leaseMs', 1);
  const queueTimeoutMs = positiveInteger(options.queueTimeoutMs, 30_000, 'queueTimeoutMs', 0);
  const pollIntervalMs = positiveInteger(options.pollIntervalMs, 250, 'pollIntervalMs', 1);
  const renewLeases = options.renewLeases ?? true;
  const keyPrefix = options.keyPrefix ?? 'concurrency';
  const globalKey = `${keyPrefix}:global`;
  const userKey = (userId: string): string => `${keyPrefix}:user:${userId}`;
  const globalSlots: readonly SlotLimit[] = Object.freeze([Object.freeze({ key: globalKey, limit: globalLimit })]);
  const globalKeys: readonly string[] = Object.freeze([globalKey]);
  // A user's pool key and slot list, remembered for the users seen lately: made per call, the key is a new
  // string that every store lookup flattens and hashes again, and the list three new objects. Shared
  // lists are frozen; the store only reads them.
  const userPools = new Map<string, UserPools>();
  const poolsOf = (userId: string): UserPools => {
    let pools = userPools.get(userId);
    if (pools === undefined) {
      if (userPools.size >= rememberedUsers) userPools.clear();
      const key = userKey(userId);
      pools = {
        slots: Object.freeze([Object.freeze({ key, limit: perUserLimit }), globalSlots[0]!]),
        keys: Object.freeze([key, globalKey]),
      };
      userPools.set(userId, pools);
    }
    return pools;
  };
  const slotsFor = (userId: string, globalOnly: boolean): SlotLimit[] => (globalOnly ? globalSlots : poolsOf(userId).slots) as SlotLimit[];
  const time = (): { now?: number } => (options.now ? { now: options.now() } : {});
  const processTag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

  const queues = new Map<string, Waiter[]>();
  let rotation: string[] = [];
  let pumping = false;
  let pumpAgain = false;
  let pollTimer: Timer | undefined;
  let closed = false;

  const removeWaiter = (waiter: Waiter): void => {
    const queue = queues.get(waiter.userId);
    if (!queue) return;
    const index = queue.indexOf(waiter);
    if (index >= 0) queue.splice(index, 1);
    if (queue.length === 0) {
      queues.delete(waiter.userId);
      rotation = rotation.filter((userId) => userId !== waiter.userId);
    }
  };

  const settleWaiter = (waiter: Waiter, outcome: { slot: ConcurrencySlot } | { error: unknown }): void => {
    if (waiter.done) return;
    waiter.done = true;
    waiter.cleanup();
    removeWaiter(waiter);
    if ('slot' in outcome) waiter.resolve(outcome.slot);
    else waiter.reject(outcome.error);
  };

  const timeoutError = (waiter: Waiter): RateLimitExceededError => {
    const now = options.now ? options.now() : Date.now();
    const retryAfterMs = waiter.retryAt === undefined ? undefined : Math.max(0, waiter.retryAt - now);
    return new RateLimitExceededError(`Concurrency limit ${waiter.blockedScope} (${waiter.blockedLimit}) stayed full for the whole queue timeout`, {
      scope: waiter.blockedScope,
      limit: waiter.blockedLimit,
      remaining: 0,
      ...(waiter.retryAt === undefined ? {} : { resetAt: waiter.retryAt }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  };

  // One renewal timer for every slot this limiter holds, instead of an interval per call: a lease is
  // renewed within leaseMs / 3 of being taken either way.
  const heldSlots = new Set<HeldSlot>();
  let renewTimer: Timer | undefined;
  const renewHeldSlots = (): void => {
    if (heldSlots.size === 0) {
      clearInterval(renewTimer);
      renewTimer = undefined;
      return;
    }
    for (const held of heldSlots) {
      state
        .renewSlots({ keys: held.keys as string[], holderId: held.holderId, leaseMs, ...time() })
        .then((renewed) => {
          if (!renewed && heldSlots.delete(held)) held.lost = true;
        })
        .catch(() => {
          // A failed renewal is retried on the next tick; the lease is long enough to absorb a few.
        });
    }
  };

  // Waiters are served once the store has the slot back, whether or not the release succeeded. A
  // continuation rather than an async function: every call passes here.
  const pumpIfWaiting = (): void => {
    if (queues.size > 0) void pump();
  };
  const pumpAndRethrow = (error: unknown): never => {
    pumpIfWaiting();
    throw error;
  };
  const giveBack = (slot: HeldSlot): Promise<void> => {
    heldSlots.delete(slot);
    let released: Promise<unknown>;
    try {
      released = state.releaseSlots({ keys: slot.keys as string[], holderId: slot.holderId });
    } catch (error) {
      pumpIfWaiting();
      return Promise.reject(error);
    }
    return released.then(pumpIfWaiting, pumpAndRethrow);
  };
  const makeSlot = (userId: string, holderId: string, globalOnly: boolean): ConcurrencySlot => {
    const slot = new HeldSlot(holderId, userId, globalOnly ? globalKeys : poolsOf(userId).keys, giveBack);
    if (renewLeases) {
      heldSlots.add(slot);
      if (renewTimer === undefined) {
        renewTimer = setInterval(renewHeldSlots, Math.max(1, Math.floor(leaseMs / 3)));
        unref(renewTimer);
      }
    }
    return slot;
  };

  const schedulePoll = (): void => {
    if (pollTimer || closed || queues.size === 0) return;
    pollTimer = setTimeout(() => {
      pollTimer = undefined;
      void pump();
    }, pollIntervalMs);
    unref(pollTimer);
  };

  // One pump at a time; a request to pump while pumping runs another round afterwards.
  const pump = async (): Promise<void> => {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      let globalRefusal: { limit: number; retryAt?: number } | undefined;
      do {
        pumpAgain = false;
        globalRefusal = undefined;
        const order = [...rotation];
        for (const userId of order) {
          const waiter = queues.get(userId)?.[0];
          if (!waiter) continue;
          let result;
          try {
            result = await state.acquireSlots({
              slots: slotsFor(userId, waiter.globalOnly),
              holderId: waiter.holderId,
              leaseMs,
              ...time(),
            });
          } catch (error) {
            settleWaiter(waiter, { error });
            continue;
          }
          if (result.acquired) {
            const slot = makeSlot(userId, waiter.holderId, waiter.globalOnly);
            if (waiter.done) {
              // Timed out or aborted while the store was granting: give the slot straight back.
              await slot.release().catch(() => undefined);
            } else {
              settleWaiter(waiter, { slot });
              // The served user goes to the back of the rotation: fairness across users.
              rotation = [...rotation.filter((id) => id !== userId), ...(queues.has(userId) ? [userId] : [])];
              pumpAgain = true;
            }
            continue;
          }
          const globalBlocked = result.blockedKey === globalKey;
          waiter.blockedScope = globalBlocked ? 'global:concurrency' : `user:${userId}:concurrency`;
          waiter.blockedLimit = result.blockedLimit ?? (globalBlocked ? globalLimit : perUserLimit);
          if (result.retryAt === undefined) delete waiter.retryAt;
          else waiter.retryAt = result.retryAt;
          if (waiter.failFast) settleWaiter(waiter, { error: timeoutError(waiter) });
          if (globalBlocked) {
            globalRefusal = { limit: waiter.blockedLimit, ...(waiter.retryAt === undefined ? {} : { retryAt: waiter.retryAt }) };
            break;
          }
        }
      } while (pumpAgain && !closed);
      // Waiters that may not wait and were not reached because the global pool was full fail now.
      for (const queue of [...queues.values()]) {
        for (const waiter of [...queue]) {
          if (!waiter.failFast || !globalRefusal) continue;
          waiter.blockedScope = 'global:concurrency';
          waiter.blockedLimit = globalRefusal.limit;
          if (globalRefusal.retryAt !== undefined) waiter.retryAt = globalRefusal.retryAt;
          settleWaiter(waiter, { error: timeoutError(waiter) });
        }
      }
    } finally {
      pumping = false;
    }
    schedulePoll();
  };

  // Queues a waiter: FIFO per user, served by the pump, bounded by the queue timeout and the signal.
  const enqueue = (request: ConcurrencyRequest, timeoutMs: number, holderId: string): Promise<ConcurrencySlot> =>
    new Promise<ConcurrencySlot>((resolve, reject) => {
      // The signal may have fired while the store was answering: an abort listener added now would never run.
      if (request.signal?.aborted) {
        reject(new AbortedError('The call was aborted while waiting for a concurrency slot', { cause: request.signal.reason }));
        return;
      }
      if (closed) {
        reject(new AbortedError('Concurrency limiter closed while the call was waiting'));
        return;
      }
      const globalOnly = request.globalOnly === true;
      const waiter: Waiter = {
        userId: request.userId,
        globalOnly,
        holderId,
        resolve,
        reject,
        done: false,
        failFast: timeoutMs === 0,
        blockedScope: globalOnly ? 'global:concurrency' : `user:${request.userId}:concurrency`,
        blockedLimit: globalOnly ? globalLimit : perUserLimit,
        cleanup: () => {},
      };
      const onAbort = (): void => settleWaiter(waiter, { error: new AbortedError('The call was aborted while waiting for a concurrency slot', { cause: request.signal?.reason }) });
      let timer: Timer | undefined;
      if (timeoutMs > 0) {
        timer = setTimeout(() => settleWaiter(waiter, { error: timeoutError(waiter) }), timeoutMs);
        unref(timer);
      }
      request.signal?.addEventListener('abort', onAbort, { once: true });
      waiter.cleanup = () => {
        if (timer) clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
      };
      const queue = queues.get(request.userId);
      if (queue) queue.push(waiter);
      else {
        queues.set(request.userId, [waiter]);
        rotation.push(request.userId);
      }
      void pump();
    });

  return {
    get waiting() {
      let count = 0;
      for (const queue of queues.values()) count += queue.length;
      return count;
    },

    acquire(request: ConcurrencyRequest): Promise<ConcurrencySlot> {
      if (typeof request?.userId !== 'string' || request.userId.length === 0) {
        return Promise.reject(new InvalidRequestError('Concurrency limiter: userId must be a non-empty string'));
      }
      if (closed) return Promise.reject(new AbortedError('Concurrency limiter is closed'));
      if (request.signal?.aborted) return Promise.reject(new AbortedError('The call was aborted while waiting for a concurrency slot', { cause: request.signal.reason }));
      const timeoutMs = request.timeoutMs ?? queueTimeoutMs;
      if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
        return Promise.reject(new InvalidRequestError(`Concurrency limiter: timeoutMs must be a non-negative integer (got ${String(request.timeoutMs)})`));
      }
      holderSequence += 1;
      const holderId = `${processTag}:${holderSequence}`;
      if (queues.size > 0) return enqueue(request, timeoutMs, holderId);
      const globalOnly = request.globalOnly === true;
      // Nobody waits in this process: ask the store once, directly. Only a refusal queues the call (and
      // the pump asks again), so an uncontended call holds no queue timer, listener or waiter.
      const acquireRequest: SlotAcquireRequest = { slots: slotsFor(request.userId, globalOnly), holderId, leaseMs };
      if (options.now) acquireRequest.now = options.now();
      return state.acquireSlots(acquireRequest).then((result) => {
        if (!result.acquired) return enqueue(request, timeoutMs, holderId);
        const slot = makeSlot(request.userId, holderId, globalOnly);
        if (!closed && !request.signal?.aborted) return slot;
        // Closed or aborted while the store was granting: give the slot straight back, as the pump does.
        return slot.release().catch(() => undefined).then(() => {
          throw closed
            ? new AbortedError('Concurrency limiter closed while the call was waiting')
            : new AbortedError('The call was aborted while waiting for a concurrency slot', { cause: request.signal?.reason });
        });
      });
    },

    async close(): Promise<void> {
      closed = true;
      if (pollTimer) clearTimeout(pollTimer);
      pollTimer = undefined;
      clearInterval(renewTimer);
      renewTimer = undefined;
      heldSlots.clear();
      for (const queue of [...queues.values()]) {
        for (const waiter of [...queue]) settleWaiter(waiter, { error: new AbortedError('Concurrency limiter closed while the call was waiting') });
      }
    },
  };
}
