import type { SqlDialect } from './sql-dialect';
import { errorCode, valuesList } from './sql-dialect';

const prepared = new Map<string, string>();

// A stable 31-bit hash of the lock name, so every process of one schema and prefix takes the same lock.
function lockKey(name: string): number {
  let hash = 0;
  for (let index = 0; index < name.length; index += 1) hash = (Math.imul(hash, 31) + name.charCodeAt(index)) | 0;
  return hash & 0x7fffffff;
}

/** PostgreSQL (pg, postgres.js, PGlite). */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  prepare(sql) {
    let result = prepared.get(sql);
    if (result === undefined) {
      let index = 0;
      // Our statements never contain a literal `?`: every value is a parameter.
      result = sql.replace(/\?/g, () => `$${(index += 1)}`);
      if (prepared.size > 500) prepared.clear();
      prepared.set(sql, result);
    }
    return result;
  },
  // "C" collation compares bytes: exact, case-sensitive, and the same order for cursors as for sorting.
  columnTypes: async () => ({ identifier: 'TEXT COLLATE "C"', text: 'TEXT', bigInteger: 'BIGINT', integer: 'INTEGER' }),
  tableOptions: async () => '',
  createIndex: (name, table, columns, unique = false) =>
    `CREATE ${unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${name} ON ${table} (${columns.join(', ')})`,
  insertIgnore: (table, columns, rowCount) =>
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${valuesList(columns.length, rowCount)} ON CONFLICT DO NOTHING`,
  upsert: (table, columns, keyColumns, updateColumns) =>
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${valuesList(columns.length, 1)} ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${updateColumns.map((column) => `${column} = excluded.${column}`).join(', ')}`,
  dayNumber: (column) => `(${column} / 86400000)`,
  // A transaction-scoped advisory lock: released by COMMIT or ROLLBACK, even if the process dies.
  async lockMigrations(executor, lockName) {
    await executor.query(`SELECT pg_advisory_xact_lock(${lockKey(lockName)}) AS locked`);
  },
  unlockMigrations: async () => {},
  bulkInsertIgnore: (table, columns) =>
    `INSERT INTO ${table} (${columns.map((column) => column.name).join(', ')}) SELECT * FROM unnest(${columns.map((column) => `?::${column.type}[]`).join(', ')}) ON CONFLICT DO NOTHING`,
  // Serialisation failure and deadlock detected.
  isTransientConflict: (error) => errorCode(error) === '40001' || errorCode(error) === '40P01',
  isUniqueViolation: (error) => errorCode(error) === '23505',
  defaultMaxParameters: 30_000,
};
