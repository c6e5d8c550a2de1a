import { errorCode, renderColumns, type StateSqlDialect } from './sql-state-dialect';

// Binary collation: keys and ids compare byte for byte, as in the other backends.
const types = { id: 'VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin', bigint: 'BIGINT', text: 'LONGTEXT', sequence: 'BIGINT AUTO_INCREMENT PRIMARY KEY' };

/** MySQL and MariaDB (InnoDB): row locks with `FOR UPDATE`, the server clock, `GET_LOCK` for migrations. */
export const mysqlStateDialect: StateSqlDialect = {
  name: 'mysql',
  prepare: (sql) => sql,
  createTable(prefix, table) {
    // MySQL has no CREATE INDEX IF NOT EXISTS; indexes are declared inside CREATE TABLE instead.
    const indexes = (table.indexes ?? []).map((index) => `${index.unique ? 'UNIQUE ' : ''}INDEX ${prefix}${index.name} (${index.columns.join(', ')})`);
    const body = [renderColumns(table, types), ...indexes].join(', ');
    return [`CREATE TABLE IF NOT EXISTS ${prefix}${table.name} (${body}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`];
  },
  insertIgnore(table, columns) {
    return `INSERT IGNORE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
  },
  upsert(table, columns, _keyColumns, updateColumns) {
    const updates = updateColumns.map((column) => `${column} = VALUES(${column})`).join(', ');
    return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON DUPLICATE KEY UPDATE ${updates}`;
  },
  forUpdate: ' FOR UPDATE',
  nowQuery: 'SELECT CAST(FLOOR(UNIX_TIMESTAMP(NOW(3)) * 1000) AS SIGNED) AS now_ms',
  async lockMigrations(executor, name) {
    await executor.query('SELECT GET_LOCK(?, 60) AS locked', [name]);
  },
  async unlockMigrations(executor, name) {
    await executor.query('SELECT RELEASE_LOCK(?) AS released', [name]);
  },
  isRetryable(error) {
    // 1213 deadlock, 1205 lock wait timeout.
    return ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', '1213', '1205'].includes(errorCode(error));
  },
};
