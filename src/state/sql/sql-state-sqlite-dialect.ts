import { errorCode, renderColumns, type StateSqlDialect } from './sql-state-dialect';

const types = { id: 'TEXT', bigint: 'INTEGER', text: 'TEXT', sequence: 'INTEGER PRIMARY KEY AUTOINCREMENT' };

/**
 * SQLite: the transaction is `BEGIN IMMEDIATE`, which takes the database's write lock up front, so no
 * row-lock clause is needed; the clock is the host's (the database file is local).
 */
export const sqliteStateDialect: StateSqlDialect = {
  name: 'sqlite',
  prepare: (sql) => sql,
  createTable(prefix, table) {
    const statements = [`CREATE TABLE IF NOT EXISTS ${prefix}${table.name} (${renderColumns(table, types)})`];
    for (const index of table.indexes ?? []) {
      statements.push(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${prefix}${index.name} ON ${prefix}${table.name} (${index.columns.join(', ')})`);
    }
    return statements;
  },
  insertIgnore(table, columns) {
    return `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
  },
  upsert(table, columns, keyColumns, updateColumns) {
    const updates = updateColumns.map((column) => `${column} = excluded.${column}`).join(', ');
    return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${updates}`;
  },
  forUpdate: '',
  async lockMigrations() {
    // BEGIN IMMEDIATE already excludes other writers.
  },
  async unlockMigrations() {},
  isRetryable(error) {
    return ['SQLITE_BUSY', 'SQLITE_LOCKED'].includes(errorCode(error));
  },
};
