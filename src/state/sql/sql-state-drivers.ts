import { ConfigurationError } from '../../errors/configuration-error';
import type { SqlClient, SqlExecutor, SqlRow, SqlValue } from '../../storage/sql/sql-client';

// Shims from already-constructed drivers to the SqlClient slice. No driver is imported: each shim
// declares only the methods it calls.

/** The slice of a better-sqlite3 `Database` the shim calls. */
export interface BetterSqlite3DatabaseSlice {
  /** Compiles a statement. */
  prepare(sql: string): { reader: boolean; all(...params: unknown[]): unknown[]; run(...params: unknown[]): { changes: number } };
  /** Runs statements without parameters. */
  exec(sql: string): unknown;
}

/** The slice of a pg `Pool` the shim calls. */
export interface PgPoolSlice {
  /** Runs one statement on any connection. */
  query(sql: string, params?: unknown[]): Promise<{ rows: SqlRow[]; rowCount: number | null }>;
  /** Checks out one connection for a transaction. */
  connect(): Promise<{ query(sql: string, params?: unknown[]): Promise<{ rows: SqlRow[]; rowCount: number | null }>; release(error?: unknown): void }>;
}

/** The slice of a PGlite instance the shim calls. */
export interface PGliteSlice {
  /** Runs one statement. */
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; affectedRows?: number }>;
  /** Runs work in a transaction (PGlite serialises them). */
  transaction<T>(work: (transaction: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; affectedRows?: number }> }) => Promise<T>): Promise<T>;
  /** Present on PGlite only; used to recognise it. */
  waitReady: Promise<void>;
}

interface Mysql2ConnectionSlice {
  query(sql: string, params?: unknown[]): Promise<[unknown, unknown]>;
  beginTransaction(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  release(): void;
}

/** The slice of a mysql2 promise pool (`mysql2/promise` `createPool`, or `pool.promise()`) the shim calls. */
export interface Mysql2PoolSlice {
  /** Runs one statement on any connection. */
  query(sql: string, params?: unknown[]): Promise<[unknown, unknown]>;
  /** Checks out one connection for a transaction. */
  getConnection(): Promise<Mysql2ConnectionSlice>;
}

function isSqlClient(client: Record<string, unknown>): boolean {
  return typeof client.query === 'function' && typeof client.execute === 'function' && typeof client.transaction === 'function' && !('waitReady' in client);
}

function fromBetterSqlite3(database: BetterSqlite3DatabaseSlice): SqlClient {
  // better-sqlite3 is synchronous on one connection: a promise chain keeps transactions from interleaving.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  };
  const executor: SqlExecutor = {
    async query(sql, params = []) {
      const statement = database.prepare(sql);
      if (!statement.reader) {
        statement.run(...params);
        return [];
      }
      return statement.all(...params) as SqlRow[];
    },
    async execute(sql, params = []) {
      return { rowsAffected: database.prepare(sql).run(...params).changes };
    },
  };
  return {
    query: (sql, params) => exclusive(() => executor.query(sql, params)),
    execute: (sql, params) => exclusive(() => executor.execute(sql, params)),
    transaction: (work) =>
      exclusive(async () => {
        database.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(executor);
          database.exec('COMMIT');
          return result;
        } catch (error) {
          database.exec('ROLLBACK');
          throw error;
        }
      }),
  };
}

function fromPgPool(pool: PgPoolSlice): SqlClient {
  const mutable = (params?: readonly SqlValue[]) => (params ? [...params] : []);
  return {
    async query(sql, params) {
      return (await pool.query(sql, mutable(params))).rows;
    },
    async execute(sql, params) {
      return { rowsAffected: (await pool.query(sql, mutable(params))).rowCount ?? 0 };
    },
    async transaction(work) {
      const connection = await pool.connect();
      let broken = false;
      try {
        await connection.query('BEGIN');
        const result = await work({
          query: async (sql, params) => (await connection.query(sql, mutable(params))).rows,
          execute: async (sql, params) => ({ rowsAffected: (await connection.query(sql, mutable(params))).rowCount ?? 0 }),
        });
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        // A connection whose rollback failed is discarded rather than reused.
        connection.release(broken ? new Error('rollback failed') : undefined);
      }
    },
  };
}

function fromPGlite(database: PGliteSlice): SqlClient {
  const wrap = (runner: { query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; affectedRows?: number }> }): SqlExecutor => ({
    query: async (sql, params) => (await runner.query(sql, params ? [...params] : [])).rows as SqlRow[],
    execute: async (sql, params) => ({ rowsAffected: (await runner.query(sql, params ? [...params] : [])).affectedRows ?? 0 }),
  });
  return { ...wrap(database), transaction: (work) => database.transaction((transaction) => work(wrap(transaction))) };
}

function fromMysql2(pool: Mysql2PoolSlice): SqlClient {
  const wrap = (runner: { query(sql: string, params?: unknown[]): Promise<[unknown, unknown]> }): SqlExecutor => ({
    async query(sql, params) {
      const [rows] = await runner.query(sql, params ? [...params] : []);
      return Array.isArray(rows) ? (rows as SqlRow[]) : [];
    },
    async execute(sql, params) {
      const [header] = await runner.query(sql, params ? [...params] : []);
      return { rowsAffected: Number((header as { affectedRows?: number }).affectedRows ?? 0) };
    },
  });
  return {
    ...wrap(pool),
    async transaction(work) {
      const connection = await pool.getConnection();
      try {
        // READ COMMITTED: once a row lock is granted, later reads in the transaction see the latest commits.
        await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
        await connection.beginTransaction();
        try {
          const result = await work(wrap(connection));
          await connection.commit();
          return result;
        } catch (error) {
          await connection.rollback().catch(() => undefined);
          throw error;
        }
      } finally {
        connection.release();
      }
    },
  };
}

/** Any client `createSqlState` accepts. */
export type SqlStateClient = SqlClient | BetterSqlite3DatabaseSlice | PgPoolSlice | PGliteSlice | Mysql2PoolSlice | { promise(): Mysql2PoolSlice };

/**
 * Turn whatever was passed into a SqlClient: a ready SqlClient, a better-sqlite3 Database, a pg Pool,
 * a PGlite instance, or a mysql2 pool (promise or callback flavour).
 */
export function toSqlClient(client: unknown, dialect: 'postgres' | 'sqlite' | 'mysql'): SqlClient {
  if (typeof client !== 'object' || client === null) throw new ConfigurationError('createSqlState: `client` is required');
  const record = client as Record<string, unknown>;
  if (isSqlClient(record)) return client as SqlClient;
  if (dialect === 'sqlite' && typeof record.prepare === 'function' && typeof record.exec === 'function') {
    return fromBetterSqlite3(client as BetterSqlite3DatabaseSlice);
  }
  if (dialect === 'postgres' && 'waitReady' in record && typeof record.transaction === 'function') return fromPGlite(client as PGliteSlice);
  if (dialect === 'postgres' && typeof record.connect === 'function' && typeof record.query === 'function' && 'totalCount' in record) {
    return fromPgPool(client as PgPoolSlice);
  }
  if (dialect === 'mysql' && typeof record.getConnection === 'function') {
    const pool = typeof record.promise === 'function' ? (client as { promise(): Mysql2PoolSlice }).promise() : (client as Mysql2PoolSlice);
    return fromMysql2(pool);
  }
  throw new ConfigurationError(
    `createSqlState: cannot use this client with dialect "${dialect}"; pass a better-sqlite3 Database (sqlite), a pg Pool or PGlite (postgres), a mysql2 pool (mysql), or a SqlClient`,
  );
}
