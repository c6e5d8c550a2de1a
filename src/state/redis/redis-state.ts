import { ConfigurationError } from '../../errors/configuration-error';
import { LLMError } from '../../errors/llm-error';
import { StorageError } from '../../errors/storage-error';
import type {
  AccountBalance,
  AccountEntry,
  CacheValue,
  CreditRequest,
  CreditResult,
  ReservationStatus,
  ReserveRequest,
  ReserveResult,
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
import { decodeCacheValue, encodeCacheValue } from '../binary-text';
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
import { adaptRedisClient, type RedisClientSlice, type RedisScriptClient } from './redis-client-adapter';
import {
  acquireSlotsScript,
  adjustWindowsScript,
  balanceScript,
  consumeWindowsScript,
  creditScript,
  finishReservationScript,
  releaseSlotsScript,
  renewSlotsScript,
  reserveScript,
} from './redis-state-scripts';

/** Options of the Redis state store. */
export interface RedisStateOptions {
  /** A connected ioredis or node-redis (v4/v5) client; the store never closes it. */
  client: RedisClientSlice;
  /** Prefix of every key the store writes; default `switchyard:`. Use one per application. */
  prefix?: string;
  /** How long a finished or expired reservation is remembered after its TTL, for idempotent settles; default 7 days. */
  reservationRetentionMs?: number;
}

const sevenDays = 7 * 24 * 60 * 60 * 1000;

interface LoadedScript {
  source: string;
  sha?: Promise<string>;
}

async function sha1Hex(source: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(source));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function timeArgument(now: number | undefined): string {
  return now === undefined ? '' : String(now);
}

function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/**
 * A state store on Redis. Every multi-step operation is one Lua script (EVALSHA, falling back to
 * EVAL on NOSCRIPT), so it is atomic across all processes sharing the server. Without an explicit
 * `now`, scripts read the server's `TIME`, so clock skew between application hosts does not matter.
 *
 * Needs a single Redis primary (replicas and Sentinel are fine): reservation scripts touch keys they
 * derive at run time, which Redis Cluster does not allow.
 */
export function createRedisState(options: RedisStateOptions): StateStore {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('createRedisState: options are required');
  const redis: RedisScriptClient = adaptRedisClient(options.client);
  const prefix = options.prefix ?? 'switchyard:';
  if (typeof prefix !== 'string') throw new ConfigurationError('createRedisState: `prefix` must be a string');
  const retentionMs = options.reservationRetentionMs ?? sevenDays;
  if (!Number.isSafeInteger(retentionMs) || retentionMs < 0) {
    throw new ConfigurationError('createRedisState: `reservationRetentionMs` must be a non-negative integer');
  }

  const scripts = new Map<string, LoadedScript>();

  const fail = (operation: string, error: unknown): never => {
    if (LLMError.isInstance(error)) throw error;
    throw new StorageError(`Redis state store: ${operation} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  };

  const run = async (operation: string, source: string, keys: string[], scriptArguments: string[]): Promise<unknown> => {
    let script = scripts.get(source);
    if (!script) {
      script = { source };
      scripts.set(source, script);
    }
    script.sha ??= sha1Hex(source);
    try {
      const sha = await script.sha;
      try {
        return await redis.evalSha(sha, keys, scriptArguments);
      } catch (error) {
        // After a restart or SCRIPT FLUSH the server forgets scripts; EVAL runs and re-caches it.
        if (!String((error as Error)?.message ?? error).includes('NOSCRIPT')) throw error;
        return await redis.evalScript(source, keys, scriptArguments);
      }
    } catch (error) {
      return fail(operation, error);
    }
  };

  const command = async (operation: string, commandArguments: string[]): Promise<unknown> => {
    try {
      return await redis.command(commandArguments);
    } catch (error) {
      return fail(operation, error);
    }
  };

  const windowKeys = (key: string): string[] => {
    const base = `${prefix}w:${key}`;
    return [`${base}:log`, `${base}:cost`, `${base}:total`];
  };
  const poolKey = (key: string): string => `${prefix}s:${key}`;
  const accountKey = (account: string): string => `${prefix}a:${account}`;

  const accountBalance = (account: string, balance: unknown, reserved: unknown): AccountBalance => {
    const balanceNumber = toNumber(balance);
    const reservedNumber = toNumber(reserved);
    return { account, balance: balanceNumber, reserved: reservedNumber, available: balanceNumber - reservedNumber };
  };

  const finishReservation = async (reservationId: string, actual: string, now: number | undefined): Promise<SettleResult> => {
    const reply = (await run('settle', finishReservationScript, [`${prefix}r:${reservationId}`], [prefix, reservationId, actual, timeArgument(now)])) as unknown[];
    if (toNumber(reply[0]) === 0) return { found: false, duplicate: false, debited: 0 };
    return {
      found: true,
      duplicate: toNumber(reply[1]) === 1,
      debited: toNumber(reply[2]),
      status: String(reply[3]) as ReservationStatus,
      account: accountBalance(String(reply[6]), reply[4], reply[5]),
    };
  };

  return {
    kind: 'redis',

    async consumeWindows(request: WindowConsumeRequest): Promise<WindowConsumeResult> {
      validateConsume(request);
      const keys = request.windows.flatMap((window) => windowKeys(window.key));
      const scriptArguments = [request.entryId, timeArgument(request.now)];
      for (const window of request.windows) scriptArguments.push(String(window.limit), String(window.windowMs), String(window.cost));
      const reply = (await run('consumeWindows', consumeWindowsScript, keys, scriptArguments)) as unknown[];
      const duplicate = toNumber(reply[0]) === 1;
      const allowed = toNumber(reply[1]) === 1;
      const now = toNumber(reply[2]);
      const windows: WindowState[] = request.windows.map((window, index) => {
        const fits = toNumber(reply[3 + index * 3]) === 1;
        const used = toNumber(reply[4 + index * 3]);
        const resetAt = toNumber(reply[5 + index * 3]);
        const state: WindowState = { key: window.key, limit: window.limit, allowed: fits, used, remaining: Math.max(0, window.limit - used) };
        if (resetAt >= 0) {
          state.resetAt = resetAt;
          state.retryAfterMs = fits ? 0 : Math.max(0, resetAt - now);
        }
        return state;
      });
      return { allowed, duplicate, windows };
    },

    async adjustWindows(request: WindowAdjustRequest): Promise<void> {
      validateAdjust(request);
      await run('adjustWindows', adjustWindowsScript, request.keys.flatMap(windowKeys), [request.entryId, String(request.cost)]);
    },

    async acquireSlots(request: SlotAcquireRequest): Promise<SlotAcquireResult> {
      validateAcquire(request);
      const reply = (await run(
        'acquireSlots',
        acquireSlotsScript,
        request.slots.map((slot) => poolKey(slot.key)),
        [request.holderId, String(request.leaseMs), timeArgument(request.now), ...request.slots.map((slot) => String(slot.limit))],
      )) as unknown[];
      if (toNumber(reply[0]) === 1) return { acquired: true, expiresAt: toNumber(reply[2]) };
      const blocked = request.slots[toNumber(reply[1]) - 1];
      const retryAt = toNumber(reply[2]);
      return { acquired: false, blockedKey: blocked.key, blockedLimit: blocked.limit, ...(retryAt >= 0 ? { retryAt } : {}) };
    },

    async renewSlots(request: SlotHolderRequest): Promise<boolean> {
      validateHolder(request, true);
      const reply = await run('renewSlots', renewSlotsScript, request.keys.map(poolKey), [request.holderId, String(request.leaseMs), timeArgument(request.now)]);
      return toNumber(reply) === 1;
    },

    async releaseSlots(request: SlotHolderRequest): Promise<boolean> {
      validateHolder(request, false);
      const reply = await run('releaseSlots', releaseSlotsScript, request.keys.map(poolKey), [request.holderId]);
      return toNumber(reply) > 0;
    },

    async reserve(request: ReserveRequest): Promise<ReserveResult> {
      validateReserve(request);
      const base = accountKey(request.account);
      const reply = (await run('reserve', reserveScript, [base, `${base}:held`], [
        prefix,
        request.reservationId,
        String(request.amount),
        String(request.ttlMs),
        timeArgument(request.now),
        request.account,
        String(retentionMs),
      ])) as unknown[];
      return { reserved: toNumber(reply[0]) === 1, duplicate: toNumber(reply[1]) === 1, account: accountBalance(request.account, reply[2], reply[3]) };
    },

    async settle(request): Promise<SettleResult> {
      validateSettle(request);
      return finishReservation(request.reservationId, String(request.actualAmount), request.now);
    },

    async release(reservationId: string, now?: number): Promise<SettleResult> {
      validateRelease(reservationId, now);
      return finishReservation(reservationId, '', now);
    },

    async balance(account: string, now?: number): Promise<AccountBalance> {
      validateAccount(account, now);
      const base = accountKey(account);
      const reply = (await run('balance', balanceScript, [base, `${base}:held`], [prefix, timeArgument(now)])) as unknown[];
      return accountBalance(account, reply[0], reply[1]);
    },

    async credit(request: CreditRequest): Promise<CreditResult> {
      validateCredit(request);
      const base = accountKey(request.account);
      const reply = (await run('credit', creditScript, [base, `${base}:held`, `${base}:journal`, `${base}:ids`], [
        prefix,
        request.entryId,
        String(request.amount),
        request.kind ?? 'credit',
        timeArgument(request.now),
      ])) as unknown[];
      return { duplicate: toNumber(reply[0]) === 1, account: accountBalance(request.account, reply[1], reply[2]) };
    },

    async entries(account: string): Promise<AccountEntry[]> {
      validateAccount(account);
      const lines = (await command('entries', ['LRANGE', `${accountKey(account)}:journal`, '0', '-1'])) as unknown[];
      return lines.map((line) => {
        // `at|amount|kind|entryId`; the entry id comes last because it may itself contain '|'.
        const [at, amount, kind, ...rest] = String(line).split('|');
        return { entryId: rest.join('|'), account, kind, amount: Number(amount), at: Number(at) };
      });
    },

    async cacheGet(key: string, now?: number): Promise<CacheValue | undefined> {
      validateCacheKey(key, now);
      const stored = await command('cacheGet', ['GET', `${prefix}c:${key}`]);
      if (stored === null || stored === undefined) return undefined;
      const text = String(stored);
      const separator = text.indexOf(':');
      // The logical expiry only matters when callers inject time; Redis' own PX expiry does the rest.
      const expiresAt = text.slice(0, separator);
      if (now !== undefined && expiresAt !== '' && Number(expiresAt) <= now) return undefined;
      return decodeCacheValue(text.slice(separator + 1));
    },

    async cacheSet(key: string, value: CacheValue, ttlMs: number, now?: number): Promise<void> {
      validateCacheSet(key, value, ttlMs, now);
      const expiresAt = now === undefined ? '' : String(now + ttlMs);
      await command('cacheSet', ['SET', `${prefix}c:${key}`, `${expiresAt}:${encodeCacheValue(value)}`, 'PX', String(ttlMs)]);
    },

    async cacheDelete(key: string): Promise<void> {
      validateCacheKey(key);
      await command('cacheDelete', ['DEL', `${prefix}c:${key}`]);
    },

    async close(): Promise<void> {
      // The client belongs to the host application, which closes it.
    },
  };
}
