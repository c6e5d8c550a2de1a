import type { SqlClient, SqlExecutor, SqlRow, SqlValue } from '../sql-client';
import { createSerialQueue } from './serial-queue';

/** The slice of a `mysql2/promise` connection the shim calls. */
export interface Mysql2Queryable {
  query(sql: string, values?: SqlValue[]): Promise<[unknown, unknown]>;
}

/** A `mysql2/promise` connection (also what a pool checks out). */
export interface Mysql2Connection extends Mysql2Queryable {
  beginTransaction(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** A `mysql2/promise` pool: transactions check out a dedicated connection. */
export interface Mysql2Pool extends Mysql2Queryable {
  getConnection(): Promise<Mysql2Connection & { release(): void }>;
}

function executorOf(connection: Mysql2Queryable): SqlExecutor {
  return {
    async query(sql, params = []) {
      const [rows] = await connection.query(sql, [...params]);
      return rows as SqlRow[];
    },
    async execute(sql, params = []) {
      const [result] = await connection.query(sql, [...params]);
      return { rowsAffected: Number((result as { affectedRows?: number }).affectedRows ?? 0) };
    },
  };
}

async function inTransaction<T>(connection: Mysql2Connection, work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
  await connection.beginTransaction();
  try {
    const result = await work(executorOf(connection));
    await connection.commit();
    return result;
  } catch (error) {
    await connection.rollback().catch(() => undefined);
    throw error;
  }
}

/**
 * Shim for mysql2 (MySQL 8, MariaDB 10.2+). Pass a `mysql2/promise` pool (recommended) or connection,
 * created with `charset: 'utf8mb4'` (the default). Values are bound through the driver's placeholders.
 */
export function fromMysql2(connection: Mysql2Pool | Mysql2Connection): SqlClient {
  const direct = executorOf(connection);
  if (typeof (connection as Mysql2Pool).getConnection === 'function') {
    const pool = connection as Mysql2Pool;
    return {
      maxParameters: 30_000,
      ...direct,
      async transaction(work) {
        const checkedOut = await pool.getConnection();
        try {
          return await inTransaction(checkedOut, work);
        } finally {
          checkedOut.release();
        }
      },
    };
  }
  const single = connection as Mysql2Connection;
  const queue = createSerialQueue();
  return {
    maxParameters: 30_000,
    query: (sql, params) => queue.run(() => direct.query(sql, params)),
    execute: (sql, params) => queue.run(() => direct.execute(sql, params)),
    transaction: (work) => queue.run(() => inTransaction(single, work)),
  };
}
