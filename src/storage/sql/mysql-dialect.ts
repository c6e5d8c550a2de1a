import { StorageError } from '../../errors/storage-error';
import type { SqlDialect, SqlColumnTypes } from './sql-dialect';
import type { SqlExecutor } from './sql-client';
import { errorCode, valuesList } from './sql-dialect';

// utf8mb4_bin pads with spaces ('a' = 'a '), which would let two user ids collide; NO PAD binary
// collations compare exactly. MariaDB and MySQL 8 name theirs differently.
async function exactCollation(executor: SqlExecutor): Promise<string> {
  const rows = await executor.query('SELECT VERSION() AS version');
  const version = String(rows[0]?.version ?? '');
  if (/mariadb/i.test(version)) return 'utf8mb4_nopad_bin';
  const major = Number.parseInt(version, 10);
  if (major >= 8) return 'utf8mb4_0900_bin';
  throw new StorageError(`Storage: MySQL ${version} is not supported (needs MySQL 8 or MariaDB 10.2+ for exact utf8mb4 comparison)`, {
    retryable: false,
  });
}

/** MySQL 8 and MariaDB 10.2+ (mysql2). */
export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  prepare: (sql) => sql,
  columnTypes: async (): Promise<SqlColumnTypes> => ({
    identifier: 'VARCHAR(191)',
    text: 'LONGTEXT',
    bigInteger: 'BIGINT',
    integer: 'INT',
  }),
  tableOptions: async (executor) => `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${await exactCollation(executor)}`,
  // MySQL 8 has no CREATE INDEX IF NOT EXISTS; the versioned migrations under a lock create each index once.
  createIndex: (name, table, columns, unique = false) => `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${name} ON ${table} (${columns.join(', ')})`,
  // INSERT IGNORE reports 0 affected rows for a duplicate key whatever the client's FOUND_ROWS flag; our
  // own validation keeps the other errors it would downgrade (bad types, overlong values) from arising.
  insertIgnore: (table, columns, rowCount) =>
    `INSERT IGNORE INTO ${table} (${columns.join(', ')}) VALUES ${valuesList(columns.length, rowCount)}`,
  upsert: (table, columns, _keyColumns, updateColumns) =>
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${valuesList(columns.length, 1)} ON DUPLICATE KEY UPDATE ${updateColumns.map((column) => `${column} = VALUES(${column})`).join(', ')}`,
  dayNumber: (column) => `(${column} DIV 86400000)`,
  // GET_LOCK is held by the connection; the migration transaction pins one connection for its duration.
  async lockMigrations(executor, lockName) {
    const rows = await executor.query('SELECT GET_LOCK(?, 120) AS locked', [lockName.slice(0, 64)]);
    if (Number(rows[0]?.locked) !== 1) {
      throw new StorageError('Storage: timed out waiting for the MySQL migration lock held by another process');
    }
  },
  async unlockMigrations(executor, lockName) {
    await executor.query('SELECT RELEASE_LOCK(?) AS released', [lockName.slice(0, 64)]);
  },
  isTransientConflict: (error) => errorCode(error) === 'ER_LOCK_DEADLOCK' || errorCode(error) === '1213',
  isUniqueViolation: (error) => errorCode(error) === 'ER_DUP_ENTRY' || errorCode(error) === '1062',
  defaultMaxParameters: 30_000,
};
