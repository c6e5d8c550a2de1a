import type { SqlClient, SqlExecutor, SqlRow, SqlValue } from '../sql-client';
import { createSerialQueue } from './serial-queue';

/** The slice of a `pg` client or pool-checked-out client the shim calls. */
export interface PgQueryable {
  query(text: string, values?: readonly SqlValue[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** A `pg.Pool`: transactions check out a dedicated client. */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgQueryable & { release(error?: Error | boolean): void }>;
  readonly totalCount: number;
}

function executorOf(connection: PgQueryable): SqlExecutor {
  return {
    async query(sql, params = []) {
      return (await connection.query(sql, params)).rows as SqlRow[];
    },
    async execute(sql, params = []) {
      return { rowsAffected: (await connection.query(sql, params)).rowCount ?? 0 };
    },
  };
}

/**
 * Shim for node-postgres. Pass a `new pg.Pool(...)` (recommended: transactions get their own connection)
 * or one connected `pg.Client` (statements are then serialised around transactions).
 */
export function fromPg(connection: PgPool | PgQueryable): SqlClient {
  const isPool = 'totalCount' in connection && typeof (connection as PgPool).connect === 'function';
  const direct = executorOf(connection);
  if (isPool) {
    const pool = connection as PgPool;
    return {
      maxParameters: 30_000,
      ...direct,
      async transaction(work) {
        const checkedOut = await pool.connect();
        let broken = false;
        try {
          await checkedOut.query('BEGIN');
          const result = await work(executorOf(checkedOut));
          await checkedOut.query('COMMIT');
          return result;
        } catch (error) {
          // A connection whose ROLLBACK fails is in an unknown state; the pool must discard it.
          await checkedOut.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw error;
        } finally {
          checkedOut.release(broken);
        }
      },
    };
  }
  const queue = createSerialQueue();
  return {
    maxParameters: 30_000,
    query: (sql, params) => queue.run(() => direct.query(sql, params)),
    execute: (sql, params) => queue.run(() => direct.execute(sql, params)),
    transaction: (work) =>
      queue.run(async () => {
        await connection.query('BEGIN');
        try {
          const result = await work(direct);
          await connection.query('COMMIT');
          return result;
        } catch (error) {
          await connection.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
  };
}
