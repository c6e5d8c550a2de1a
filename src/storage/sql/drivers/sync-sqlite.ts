import type { SqlClient, SqlExecutor, SqlRow } from '../sql-client';
import { createSerialQueue } from './serial-queue';

/** The statement methods better-sqlite3 and node:sqlite share. */
export interface SyncSqliteStatement {
  // Loosely typed so the drivers' own parameter types (better-sqlite3's BindParameters) are accepted.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  all(...params: any[]): unknown[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  run(...params: any[]): { changes: number | bigint };
  /** better-sqlite3 only: whether the statement returns rows. */
  readonly reader?: boolean;
}

/** The database methods better-sqlite3 (`new Database(file)`) and node:sqlite (`new DatabaseSync(file)`) share. */
export interface SyncSqliteDatabase {
  prepare(sql: string): SyncSqliteStatement;
  exec(sql: string): unknown;
}

/**
 * Wraps a synchronous SQLite connection. Transactions use BEGIN IMMEDIATE, which takes the write lock at
 * once (so two processes never deadlock upgrading read locks); set a busy timeout on the connection
 * (better-sqlite3 `timeout` option, default 5 s) so other processes wait for it instead of failing.
 */
export function fromSyncSqlite(database: SyncSqliteDatabase, options: { maxParameters?: number } = {}): SqlClient {
  const queue = createSerialQueue();
  const statements = new Map<string, SyncSqliteStatement>();
  const statement = (sql: string): SyncSqliteStatement => {
    let prepared = statements.get(sql);
    if (!prepared) {
      prepared = database.prepare(sql);
      if (statements.size > 200) statements.clear();
      statements.set(sql, prepared);
    }
    return prepared;
  };
  const executor: SqlExecutor = {
    async query(sql, params = []) {
      return statement(sql).all(...params) as SqlRow[];
    },
    async execute(sql, params = []) {
      return { rowsAffected: Number(statement(sql).run(...params).changes) };
    },
  };
  return {
    maxParameters: options.maxParameters ?? 32_766,
    inProcess: true,
    query: (sql, params) => queue.run(() => executor.query(sql, params)),
    execute: (sql, params) => queue.run(() => executor.execute(sql, params)),
    transaction: (work) =>
      queue.run(async () => {
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
