import type { SqlClient, SqlExecutor, SqlRow, SqlValue } from '../sql-client';

/** The slice of an `@electric-sql/pglite` instance (or transaction) the shim calls. */
export interface PgliteQueryable {
  query<T>(query: string, params?: SqlValue[]): Promise<{ rows: T[]; affectedRows?: number }>;
}

/** A PGlite instance. */
export interface PgliteDatabase extends PgliteQueryable {
  transaction<T>(work: (transaction: PgliteQueryable) => Promise<T>): Promise<T>;
}

function executorOf(database: PgliteQueryable): SqlExecutor {
  return {
    async query(sql, params = []) {
      return (await database.query<SqlRow>(sql, [...params])).rows;
    },
    async execute(sql, params = []) {
      return { rowsAffected: (await database.query(sql, [...params])).affectedRows ?? 0 };
    },
  };
}

/** Shim for PGlite (PostgreSQL in WebAssembly): `fromPglite(new PGlite())` or `await PGlite.create(dir)`. */
export function fromPglite(database: PgliteDatabase): SqlClient {
  return {
    maxParameters: 30_000,
    ...executorOf(database),
    transaction: (work) => database.transaction((transaction) => work(executorOf(transaction))),
  };
}
