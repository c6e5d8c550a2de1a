import { errorCode, renderColumns, type StateSqlDialect } from './sql-state-dialect';

const types = { id: 'VARCHAR(191)', bigint: 'BIGINT', text: 'TEXT', sequence: 'BIGSERIAL PRIMARY KEY' };

/** PostgreSQL (server or PGlite): row locks with `FOR UPDATE`, the server clock, an advisory migration lock. */
export const postgresStateDialect: StateSqlDialect = {
  name: 'postgres',
  prepare(sql) {
    let index = 0;
    return sql.replace(/\?/g, () => `$${(index += 1)}`);
  },
  createTable(prefix, table) {
    const statements = [`CREATE TABLE IF NOT EXISTS ${prefix}${table.name} (${renderColumns(table, types)})`];
    for (const index of table.indexes ?? []) {
      statements.push(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${prefix}${index.name} ON ${prefix}${table.name} (${index.columns.join(', ')})`);
    }
    return statements;
  },
  insertIgnore(table, columns) {
    return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`;
  },
  upsert(table, columns, keyColumns, updateColumns) {
    const updates = updateColumns.map((column) => `${column} = EXCLUDED.${column}`).join(', ');
    return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${updates}`;
  },
  forUpdate: ' FOR UPDATE',
  nowQuery: 'SELECT CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT) AS now_ms',
  async lockMigrations(executor, name) {
    await executor.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
  },
  async unlockMigrations() {
    // Transaction-scoped advisory locks end with the transaction.
  },
  isRetryable(error) {
    return ['40001', '40P01'].includes(errorCode(error));
  },
};
