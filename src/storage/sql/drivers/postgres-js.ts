import type { SqlClient, SqlExecutor, SqlRow, SqlValue } from '../sql-client';

/** The slice of a postgres.js `sql` instance (or transaction) the shim calls. */
export interface PostgresJsSql {
  unsafe(query: string, parameters?: SqlValue[]): PromiseLike<unknown[] & { count?: number }>;
  begin<T>(work: (transaction: PostgresJsSql) => Promise<T>): Promise<T>;
}

function executorOf(sql: Pick<PostgresJsSql, 'unsafe'>): SqlExecutor {
  return {
    async query(text, params = []) {
      return [...(await sql.unsafe(text, [...params]))] as SqlRow[];
    },
    async execute(text, params = []) {
      const result = await sql.unsafe(text, [...params]);
      return { rowsAffected: result.count ?? 0 };
    },
  };
}

/** Shim for postgres.js: `fromPostgresJs(postgres(url))`. `unsafe` here only means "text with $n parameters". */
export function fromPostgresJs(sql: PostgresJsSql): SqlClient {
  return {
    maxParameters: 30_000,
    ...executorOf(sql),
    transaction: (work) => sql.begin((transaction) => work(executorOf(transaction))) as Promise<never>,
  };
}
