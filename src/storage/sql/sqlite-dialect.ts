import type { SqlDialect } from './sql-dialect';
import { errorCode, errorMessage, valuesList } from './sql-dialect';

/** SQLite (better-sqlite3, node:sqlite, libSQL, Cloudflare D1). */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  prepare: (sql) => sql,
  columnTypes: async () => ({ identifier: 'TEXT', text: 'TEXT', bigInteger: 'INTEGER', integer: 'INTEGER' }),
  tableOptions: async () => '',
  createIndex: (name, table, columns, unique = false) =>
    `CREATE ${unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${name} ON ${table} (${columns.join(', ')})`,
  insertIgnore: (table, columns, rowCount) =>
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${valuesList(columns.length, rowCount)} ON CONFLICT DO NOTHING`,
  upsert: (table, columns, keyColumns, updateColumns) =>
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${valuesList(columns.length, 1)} ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${updateColumns.map((column) => `${column} = excluded.${column}`).join(', ')}`,
  // Integer division of an INTEGER column truncates, which is floor for non-negative times.
  dayNumber: (column) => `(${column} / 86400000)`,
  // The migration transaction starts with BEGIN IMMEDIATE, which takes the database write lock; other
  // processes wait for it through the driver's busy timeout.
  lockMigrations: async () => {},
  unlockMigrations: async () => {},
  isTransientConflict: (error) => errorCode(error).startsWith('SQLITE_BUSY'),
  isUniqueViolation: (error) =>
    errorCode(error).startsWith('SQLITE_CONSTRAINT_PRIMARYKEY') ||
    errorCode(error).startsWith('SQLITE_CONSTRAINT_UNIQUE') ||
    /UNIQUE constraint failed/i.test(errorMessage(error)),
  defaultMaxParameters: 999,
};
