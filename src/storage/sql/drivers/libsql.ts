import type { SqlClient, SqlExecutor, SqlRow, SqlValue } from '../sql-client';

interface LibsqlResult {
  rows: unknown[];
  columns: string[];
  rowsAffected: number;
}

/** The slice of a `@libsql/client` client or transaction the shim calls. */
export interface LibsqlExecutable {
  execute(statement: { sql: string; args: SqlValue[] }): Promise<LibsqlResult>;
}

/** A libSQL transaction (`client.transaction('write')`). */
export interface LibsqlTransaction extends LibsqlExecutable {
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): void;
}

/** A `@libsql/client` client (`createClient({ url })`). */
export interface LibsqlClient extends LibsqlExecutable {
  transaction(mode: 'write'): Promise<LibsqlTransaction>;
}

// libSQL rows are array-like objects that also carry column names as keys; copy them into plain objects.
function toPlainRows(result: LibsqlResult): SqlRow[] {
  return result.rows.map((row) => {
    const plain: SqlRow = {};
    result.columns.forEach((column, index) => {
      const value = (row as Record<string | number, unknown>)[column] ?? (row as unknown[])[index];
      plain[column] = typeof value === 'bigint' ? Number(value) : value;
    });
    return plain;
  });
}

function executorOf(target: LibsqlExecutable): SqlExecutor {
  return {
    async query(sql, params = []) {
      return toPlainRows(await target.execute({ sql, args: [...params] }));
    },
    async execute(sql, params = []) {
      return { rowsAffected: (await target.execute({ sql, args: [...params] })).rowsAffected };
    },
  };
}

/**
 * Shim for `@libsql/client` (Turso, sqld, local libSQL files), written against its documented API
 * (`execute({ sql, args })`, `transaction('write')`). Not exercised by this repository's tests.
 */
export function fromLibsql(client: LibsqlClient): SqlClient {
  return {
    maxParameters: 999,
    ...executorOf(client),
    async transaction(work) {
      const transaction = await client.transaction('write');
      try {
        const result = await work(executorOf(transaction));
        await transaction.commit();
        return result;
      } catch (error) {
        await transaction.rollback().catch(() => undefined);
        throw error;
      } finally {
        transaction.close();
      }
    },
  };
}
