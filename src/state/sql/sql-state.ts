import { ConfigurationError } from '../../errors/configuration-error';
import { InvalidRequestError } from '../../errors/invalid-request-error';
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
import type { SqlClient, SqlExecutor, SqlValue } from '../../storage/sql/sql-client';
import { decodeCacheValue, encodeCacheValue } from '../binary-text';
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
import type { StateSqlDialect } from './sql-state-dialect';
import { toSqlClient, type SqlStateClient } from './sql-state-drivers';
import { migrateStateSchema } from './sql-state-migrations';
import { mysqlStateDialect } from './sql-state-mysql-dialect';
import { postgresStateDialect } from './sql-state-postgres-dialect';
import { sqliteStateDialect } from './sql-state-sqlite-dialect';

/** Options of the SQL state store. */
export interface SqlStateOptions {
  /** SQL engine behind `client`. */
  dialect: 'postgres' | 'sqlite' | 'mysql';
  /** A pg Pool or PGlite (postgres), a better-sqlite3 Database (sqlite), a mysql2 pool (mysql), or a SqlClient. */
  client: SqlStateClient;
  /** Prefix of the store's tables; default `switchyard_state_`. Letters, digits and `_` only. */
  tablePrefix?: string;
  /** Run the store's migrations on first use; default true. */
  migrate?: boolean;
  /** Host clock, used by SQLite (and when a dialect has no server clock); default `Date.now`. */
  now?: () => number;
  /** How many times a transaction that hit a deadlock or serialisation failure is retried; default 5. */
  maxRetries?: number;
}

const dialects: Record<SqlStateOptions['dialect'], StateSqlDialect> = {
  postgres: postgresStateDialect,
  sqlite: sqliteStateDialect,
  mysql: mysqlStateDialect,
};

const maximumKeyLength = 191;

function checkLength(value: string, field: string): void {
  if (value.length > maximumKeyLength) throw new InvalidRequestError(`State store: ${field} is longer than ${maximumKeyLength} characters`);
}

function sorted(keys: string[]): string[] {
  return [...keys].sort();
}

/**
 * A state store on PostgreSQL, MySQL/MariaDB or SQLite. Each operation is one transaction that first
 * locks the rows of the keys it touches (`SELECT … FOR UPDATE`, in key order so transactions cannot
 * deadlock each other; SQLite's `BEGIN IMMEDIATE` locks the file), then reads, decides and writes.
 * Without an explicit `now` the database server's clock is used, so all processes agree on time.
 */
export function createSqlState(options: SqlStateOptions): StateStore {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('createSqlState: options are required');
  const dialect = dialects[options.dialect];
  if (!dialect) throw new ConfigurationError(`createSqlState: \`dialect\` must be 'postgres', 'sqlite' or 'mysql' (got ${String(options.dialect)})`);
  const client: SqlClient = toSqlClient(options.client, options.dialect);
  const prefix = options.tablePrefix ?? 'switchyard_state_';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(prefix)) {
    throw new ConfigurationError('createSqlState: `tablePrefix` must start with a letter or _ and hold only letters, digits and _ (at most 41)');
  }
  const hostClock = options.now ?? Date.now;
  const maxRetries = options.maxRetries ?? 5;
  const table = {
    locks: `${prefix}locks`,
    entries: `${prefix}window_entries`,
    slots: `${prefix}slots`,
    accounts: `${prefix}accounts`,
    reservations: `${prefix}reservations`,
    journal: `${prefix}account_entries`,
    cache: `${prefix}cache`,
  };
  const sql = (text: string): string => dialect.prepare(text);

  let ready: Promise<void> | undefined;
  const ensureReady = (): Promise<void> => {
    if (options.migrate === false) return Promise.resolve();
    ready ??= migrateStateSchema(client, dialect, prefix).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  const wrapError = (operation: string, error: unknown): never => {
    if (LLMError.isInstance(error)) throw error;
    throw new StorageError(`SQL state store (${dialect.name}): ${operation} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  };

  const transact = async <T>(operation: string, work: (executor: SqlExecutor) => Promise<T>): Promise<T> => {
    try {
      await ensureReady();
    } catch (error) {
      return wrapError('migration', error);
    }
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await client.transaction(work);
      } catch (error) {
        if (attempt < maxRetries && dialect.isRetryable(error)) continue;
        return wrapError(operation, error);
      }
    }
  };

  const read = async <T>(operation: string, work: (executor: SqlExecutor) => Promise<T>): Promise<T> => {
    try {
      await ensureReady();
      return await work(client);
    } catch (error) {
      return wrapError(operation, error);
    }
  };

  const clock = async (executor: SqlExecutor, now: number | undefined): Promise<number> => {
    if (now !== undefined) return now;
    if (!dialect.nowQuery) return hostClock();
    const rows = await executor.query(dialect.nowQuery);
    return Number(rows[0].now_ms);
  };

  // Lock rows are selected FOR UPDATE first; only missing ones are inserted, which keeps MySQL from
  // upgrading shared locks taken by INSERT IGNORE on existing rows (a deadlock source).
  const lockKeys = async (executor: SqlExecutor, keys: string[]): Promise<void> => {
    if (!dialect.forUpdate) return;
    const ordered = sorted(keys);
    const marks = ordered.map(() => '?').join(', ');
    const select = sql(`SELECT lock_key FROM ${table.locks} WHERE lock_key IN (${marks}) ORDER BY lock_key${dialect.forUpdate}`);
    const found = new Set((await executor.query(select, ordered)).map((row) => String(row.lock_key)));
    const missing = ordered.filter((key) => !found.has(key));
    if (missing.length === 0) return;
    for (const key of missing) await executor.execute(sql(dialect.insertIgnore(table.locks, ['lock_key'])), [key]);
    await executor.query(sql(`SELECT lock_key FROM ${table.locks} WHERE lock_key IN (${missing.map(() => '?').join(', ')}) ORDER BY lock_key${dialect.forUpdate}`), missing);
  };

  const lockAccount = async (executor: SqlExecutor, account: string): Promise<number> => {
    const select = sql(`SELECT balance FROM ${table.accounts} WHERE account = ?${dialect.forUpdate}`);
    let rows = await executor.query(select, [account]);
    if (rows.length === 0) {
      await executor.execute(sql(dialect.insertIgnore(table.accounts, ['account', 'balance'])), [account, 0]);
      rows = await executor.query(select, [account]);
    }
    return Number(rows[0].balance);
  };

  const reservedOf = async (executor: SqlExecutor, account: string, now: number): Promise<number> => {
    const rows = await executor.query(
      sql(`SELECT COALESCE(SUM(amount), 0) AS reserved FROM ${table.reservations} WHERE account = ? AND status = 'held' AND expires_at > ?`),
      [account, now],
    );
    return Number(rows[0].reserved);
  };

  const position = async (executor: SqlExecutor, account: string, balance: number, now: number): Promise<AccountBalance> => {
    const reserved = await reservedOf(executor, account, now);
    return { account, balance, reserved, available: balance - reserved };
  };

  const finish = (reservationId: string, actualAmount: number | undefined, requestedNow: number | undefined): Promise<SettleResult> =>
    transact(actualAmount === undefined ? 'release' : 'settle', async (executor) => {
      const now = await clock(executor, requestedNow);
      const owner = await executor.query(sql(`SELECT account FROM ${table.reservations} WHERE reservation_id = ?`), [reservationId]);
      if (owner.length === 0) return { found: false, duplicate: false, debited: 0 };
      const account = String(owner[0].account);
      let balance = await lockAccount(executor, account);
      const [record] = await executor.query(sql(`SELECT status, debited FROM ${table.reservations} WHERE reservation_id = ?${dialect.forUpdate}`), [reservationId]);
      const stored = String(record.status) as ReservationStatus;
      if (stored === 'settled' || stored === 'released') {
        return { found: true, duplicate: true, debited: Number(record.debited), status: stored, account: await position(executor, account, balance, now) };
      }
      if (actualAmount === undefined) {
        await executor.execute(sql(`UPDATE ${table.reservations} SET status = 'released' WHERE reservation_id = ?`), [reservationId]);
        return { found: true, duplicate: false, debited: 0, status: 'released' as const, account: await position(executor, account, balance, now) };
      }
      await executor.execute(sql(`UPDATE ${table.reservations} SET status = 'settled', debited = ? WHERE reservation_id = ?`), [actualAmount, reservationId]);
      await executor.execute(sql(`UPDATE ${table.accounts} SET balance = balance - ? WHERE account = ?`), [actualAmount, account]);
      await executor.execute(sql(`INSERT INTO ${table.journal} (account, entry_id, kind, amount, at_ms) VALUES (?, ?, 'settle', ?, ?)`), [
        account,
        reservationId,
        -actualAmount,
        now,
      ]);
      balance -= actualAmount;
      return { found: true, duplicate: false, debited: actualAmount, status: 'settled' as const, account: await position(executor, account, balance, now) };
    });

  return {
    kind: `sql:${dialect.name}`,

    async consumeWindows(request: WindowConsumeRequest): Promise<WindowConsumeResult> {
      validateConsume(request);
      checkLength(request.entryId, 'entryId');
      request.windows.forEach((window) => checkLength(window.key, 'window key'));
      return transact('consumeWindows', async (executor) => {
        const now = await clock(executor, request.now);
        await lockKeys(executor, request.windows.map((window) => `w:${window.key}`));
        const summaries: { used: number; oldest: number | null; present: boolean }[] = [];
        for (const window of request.windows) {
          await executor.execute(sql(`DELETE FROM ${table.entries} WHERE window_key = ? AND at_ms <= ?`), [window.key, now - window.windowMs]);
          const [row] = await executor.query(
            sql(
              `SELECT COALESCE(SUM(cost), 0) AS used, MIN(at_ms) AS oldest, COALESCE(SUM(CASE WHEN entry_id = ? THEN 1 ELSE 0 END), 0) AS present FROM ${table.entries} WHERE window_key = ?`,
            ),
            [request.entryId, window.key],
          );
          summaries.push({ used: Number(row.used), oldest: row.oldest === null ? null : Number(row.oldest), present: Number(row.present) > 0 });
        }
        const oldestOnly = (index: number): WindowLogEntry[] => (summaries[index].oldest === null ? [] : [{ at: summaries[index].oldest!, cost: 0 }]);
        if (summaries.every((summary) => summary.present)) {
          const windows: WindowState[] = request.windows.map((window, index) => {
            const used = summaries[index].used;
            return { key: window.key, limit: window.limit, allowed: true, used, remaining: Math.max(0, window.limit - used), resetAt: (summaries[index].oldest ?? now) + window.windowMs, retryAfterMs: 0 };
          });
          return { allowed: true, duplicate: true, windows };
        }
        const allowed = request.windows.every((window, index) => summaries[index].used + window.cost <= window.limit);
        const windows: WindowState[] = [];
        for (const [index, window] of request.windows.entries()) {
          const summary = summaries[index];
          let live = oldestOnly(index);
          if (!allowed && summary.used + window.cost > window.limit && window.cost <= window.limit) {
            const rows = await executor.query(sql(`SELECT at_ms, cost FROM ${table.entries} WHERE window_key = ? ORDER BY at_ms, entry_id`), [window.key]);
            live = rows.map((row) => ({ at: Number(row.at_ms), cost: Number(row.cost) }));
          }
          if (allowed && summary.present) {
            // The id is already in this window (but not all): replace it instead of counting it twice.
            const [previous] = await executor.query(sql(`SELECT cost FROM ${table.entries} WHERE window_key = ? AND entry_id = ?`), [window.key, request.entryId]);
            summary.used -= Number(previous.cost);
            await executor.execute(sql(`DELETE FROM ${table.entries} WHERE window_key = ? AND entry_id = ?`), [window.key, request.entryId]);
          }
          windows.push(describeWindow(window, live, summary.used, now, allowed));
          if (allowed) {
            await executor.execute(sql(`INSERT INTO ${table.entries} (window_key, entry_id, at_ms, cost) VALUES (?, ?, ?, ?)`), [window.key, request.entryId, now, window.cost]);
          }
        }
        return { allowed, duplicate: false, windows };
      });
    },

    async adjustWindows(request: WindowAdjustRequest): Promise<void> {
      validateAdjust(request);
      await transact('adjustWindows', async (executor) => {
        for (const key of sorted(request.keys)) {
          await executor.execute(sql(`UPDATE ${table.entries} SET cost = ? WHERE window_key = ? AND entry_id = ?`), [request.cost, key, request.entryId]);
        }
      });
    },

    async acquireSlots(request: SlotAcquireRequest): Promise<SlotAcquireResult> {
      validateAcquire(request);
      checkLength(request.holderId, 'holderId');
      request.slots.forEach((slot) => checkLength(slot.key, 'slot key'));
      return transact('acquireSlots', async (executor) => {
        const now = await clock(executor, request.now);
        await lockKeys(executor, request.slots.map((slot) => `s:${slot.key}`));
        const mine: boolean[] = [];
        for (const slot of request.slots) {
          await executor.execute(sql(`DELETE FROM ${table.slots} WHERE pool_key = ? AND expires_at <= ?`), [slot.key, now]);
          const [row] = await executor.query(
            sql(`SELECT COUNT(*) AS held, COALESCE(SUM(CASE WHEN holder_id = ? THEN 1 ELSE 0 END), 0) AS mine, MIN(expires_at) AS first_expiry FROM ${table.slots} WHERE pool_key = ?`),
            [request.holderId, slot.key],
          );
          const holds = Number(row.mine) > 0;
          if (!holds && Number(row.held) >= slot.limit) {
            return { acquired: false, blockedKey: slot.key, blockedLimit: slot.limit, ...(row.first_expiry === null ? {} : { retryAt: Number(row.first_expiry) }) };
          }
          mine.push(holds);
        }
        const expiresAt = now + request.leaseMs;
        for (const [index, slot] of request.slots.entries()) {
          const statement = mine[index]
            ? `UPDATE ${table.slots} SET expires_at = ? WHERE pool_key = ? AND holder_id = ?`
            : `INSERT INTO ${table.slots} (expires_at, pool_key, holder_id) VALUES (?, ?, ?)`;
          await executor.execute(sql(statement), [expiresAt, slot.key, request.holderId]);
        }
        return { acquired: true, expiresAt };
      });
    },

    async renewSlots(request: SlotHolderRequest): Promise<boolean> {
      validateHolder(request, true);
      return transact('renewSlots', async (executor) => {
        const now = await clock(executor, request.now);
        await lockKeys(executor, request.keys.map((key) => `s:${key}`));
        for (const key of request.keys) {
          const rows = await executor.query(sql(`SELECT expires_at FROM ${table.slots} WHERE pool_key = ? AND holder_id = ?`), [key, request.holderId]);
          if (rows.length === 0 || Number(rows[0].expires_at) <= now) return false;
        }
        for (const key of request.keys) {
          await executor.execute(sql(`UPDATE ${table.slots} SET expires_at = ? WHERE pool_key = ? AND holder_id = ?`), [now + request.leaseMs!, key, request.holderId]);
        }
        return true;
      });
    },

    async releaseSlots(request: SlotHolderRequest): Promise<boolean> {
      validateHolder(request, false);
      return transact('releaseSlots', async (executor) => {
        let removed = 0;
        for (const key of sorted(request.keys)) {
          removed += (await executor.execute(sql(`DELETE FROM ${table.slots} WHERE pool_key = ? AND holder_id = ?`), [key, request.holderId])).rowsAffected;
        }
        return removed > 0;
      });
    },

    async reserve(request: ReserveRequest): Promise<ReserveResult> {
      validateReserve(request);
      checkLength(request.account, 'account');
      checkLength(request.reservationId, 'reservationId');
      return transact('reserve', async (executor) => {
        const now = await clock(executor, request.now);
        const balance = await lockAccount(executor, request.account);
        const existing = await executor.query(sql(`SELECT reservation_id FROM ${table.reservations} WHERE reservation_id = ?`), [request.reservationId]);
        const before = await position(executor, request.account, balance, now);
        if (existing.length > 0) return { reserved: true, duplicate: true, account: before };
        if (before.available < request.amount) return { reserved: false, duplicate: false, account: before };
        const values: SqlValue[] = [request.reservationId, request.account, request.amount, 'held', now + request.ttlMs, 0, now];
        await executor.execute(
          sql(`INSERT INTO ${table.reservations} (reservation_id, account, amount, status, expires_at, debited, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
          values,
        );
        return { reserved: true, duplicate: false, account: { ...before, reserved: before.reserved + request.amount, available: before.available - request.amount } };
      });
    },

    async settle(request): Promise<SettleResult> {
      validateSettle(request);
      return finish(request.reservationId, request.actualAmount, request.now);
    },

    async release(reservationId: string, now?: number): Promise<SettleResult> {
      validateRelease(reservationId, now);
      return finish(reservationId, undefined, now);
    },

    async balance(account: string, requestedNow?: number): Promise<AccountBalance> {
      validateAccount(account, requestedNow);
      return read('balance', async (executor) => {
        const now = await clock(executor, requestedNow);
        const rows = await executor.query(sql(`SELECT balance FROM ${table.accounts} WHERE account = ?`), [account]);
        return position(executor, account, rows.length === 0 ? 0 : Number(rows[0].balance), now);
      });
    },

    async credit(request: CreditRequest): Promise<CreditResult> {
      validateCredit(request);
      checkLength(request.account, 'account');
      checkLength(request.entryId, 'entryId');
      return transact('credit', async (executor) => {
        const now = await clock(executor, request.now);
        let balance = await lockAccount(executor, request.account);
        const existing = await executor.query(sql(`SELECT entry_id FROM ${table.journal} WHERE account = ? AND entry_id = ?`), [request.account, request.entryId]);
        if (existing.length > 0) return { duplicate: true, account: await position(executor, request.account, balance, now) };
        await executor.execute(sql(`UPDATE ${table.accounts} SET balance = balance + ? WHERE account = ?`), [request.amount, request.account]);
        await executor.execute(sql(`INSERT INTO ${table.journal} (account, entry_id, kind, amount, at_ms) VALUES (?, ?, ?, ?, ?)`), [
          request.account,
          request.entryId,
          request.kind ?? 'credit',
          request.amount,
          now,
        ]);
        balance += request.amount;
        return { duplicate: false, account: await position(executor, request.account, balance, now) };
      });
    },

    async entries(account: string): Promise<AccountEntry[]> {
      validateAccount(account);
      return read('entries', async (executor) => {
        const rows = await executor.query(sql(`SELECT entry_id, kind, amount, at_ms FROM ${table.journal} WHERE account = ? ORDER BY seq`), [account]);
        return rows.map((row) => ({ entryId: String(row.entry_id), account, kind: String(row.kind), amount: Number(row.amount), at: Number(row.at_ms) }));
      });
    },

    async cacheGet(key: string, requestedNow?: number): Promise<CacheValue | undefined> {
      validateCacheKey(key, requestedNow);
      checkLength(key, 'cache key');
      return read('cacheGet', async (executor) => {
        const now = await clock(executor, requestedNow);
        const rows = await executor.query(sql(`SELECT value_text, expires_at FROM ${table.cache} WHERE cache_key = ?`), [key]);
        if (rows.length === 0 || Number(rows[0].expires_at) <= now) return undefined;
        return decodeCacheValue(String(rows[0].value_text));
      });
    },

    async cacheSet(key: string, value: CacheValue, ttlMs: number, requestedNow?: number): Promise<void> {
      validateCacheSet(key, value, ttlMs, requestedNow);
      checkLength(key, 'cache key');
      await read('cacheSet', async (executor) => {
        const now = await clock(executor, requestedNow);
        // Expired rows are swept opportunistically so the table does not grow without bound.
        await executor.execute(sql(`DELETE FROM ${table.cache} WHERE expires_at <= ?`), [now]);
        await executor.execute(sql(dialect.upsert(table.cache, ['cache_key', 'value_text', 'expires_at'], ['cache_key'], ['value_text', 'expires_at'])), [
          key,
          encodeCacheValue(value),
          now + ttlMs,
        ]);
      });
    },

    async cacheDelete(key: string): Promise<void> {
      validateCacheKey(key);
      await read('cacheDelete', (executor) => executor.execute(sql(`DELETE FROM ${table.cache} WHERE cache_key = ?`), [key]));
    },

    async close(): Promise<void> {
      // The client belongs to the host application, which closes it.
    },
  };
}
