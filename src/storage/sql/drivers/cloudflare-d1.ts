import type { SqlClient, SqlExecutor, SqlRow, SqlValue } from '../sql-client';
import { createSerialQueue } from './serial-queue';

/** The slice of a D1 prepared statement the shim calls. */
export interface D1PreparedStatement {
  bind(...values: SqlValue[]): D1PreparedStatement;
  all<T = Record<string, unknown>>(): Promise<{ results: T[]; meta: { changes?: number } }>;
  run(): Promise<{ meta: { changes?: number } }>;
}

/** A Cloudflare D1 binding (`env.DB`). */
export interface D1Database {
  prepare(sql: string): D1PreparedStatement;
}

/**
 * Shim for Cloudflare D1, written against its documented API (`prepare().bind().all()/run()`); not
 * exercised by this repository's tests. D1 has no interactive transactions: `transaction` here only
 * serialises the work within this isolate and cannot roll back, so a multi-statement operation (appending
 * messages, credit entries) that fails halfway can leave part of its writes. D1 binds at most 100
 * parameters per statement; batches are sized to that.
 */
export function fromCloudflareD1(database: D1Database): SqlClient {
  const queue = createSerialQueue();
  const executor: SqlExecutor = {
    async query(sql, params = []) {
      return (await database.prepare(sql).bind(...params).all<SqlRow>()).results;
    },
    async execute(sql, params = []) {
      return { rowsAffected: (await database.prepare(sql).bind(...params).run()).meta.changes ?? 0 };
    },
  };
  return {
    maxParameters: 100,
    query: (sql, params) => queue.run(() => executor.query(sql, params)),
    execute: (sql, params) => queue.run(() => executor.execute(sql, params)),
    transaction: (work) => queue.run(() => work(executor)),
  };
}
