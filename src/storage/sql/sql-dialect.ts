import type { SqlExecutor } from './sql-client';

/** Column types a dialect maps the schema onto. */
export interface SqlColumnTypes {
  /** Indexed identifier text: ids, user ids, provider and model names (at most 191 characters). */
  identifier: string;
  /** Unbounded text: JSON documents, ciphertexts. */
  text: string;
  /** 64-bit integer: times, token counts, micro-dollars. */
  bigInteger: string;
  /** 32-bit integer: flags, sequence numbers. */
  integer: string;
}

/** A column of a bulk insert and its SQL element type. */
export interface SqlBulkColumn {
  /** Column name. */
  name: string;
  /** Element type of the array parameter. */
  type: 'text' | 'bigint' | 'integer';
}

/**
 * Everything that differs between SQL engines, kept apart from execution: type names, placeholder style,
 * insert-or-ignore and upsert forms, day bucketing, the migration lock, and how a duplicate key shows.
 */
export interface SqlDialect {
  /** Engine name. */
  readonly name: 'sqlite' | 'postgres' | 'mysql';
  /** Rewrites `?` placeholders into the engine's style. */
  prepare(sql: string): string;
  /** Column types, resolved for the connected server (MySQL picks a NO PAD binary collation). */
  columnTypes(executor: SqlExecutor): Promise<SqlColumnTypes>;
  /** Suffix of `CREATE TABLE` statements (engine and character set). */
  tableOptions(executor: SqlExecutor): Promise<string>;
  /** `CREATE INDEX` statement that tolerates an existing index where the engine can. */
  createIndex(name: string, table: string, columns: string[], unique?: boolean): string;
  /** Multi-row insert that silently skips rows whose key already exists. */
  insertIgnore(table: string, columns: string[], rowCount: number): string;
  /** Single-row insert that replaces `updateColumns` when the key exists. */
  upsert(table: string, columns: string[], keyColumns: string[], updateColumns: string[]): string;
  /** Expression for the UTC day number (days since the epoch) of an epoch-millisecond column. */
  dayNumber(column: string): string;
  /** Takes the cross-process migration lock inside the migration transaction. */
  lockMigrations(executor: SqlExecutor, lockName: string): Promise<void>;
  /** Releases what `lockMigrations` took, if the engine does not release it at commit. */
  unlockMigrations(executor: SqlExecutor, lockName: string): Promise<void>;
  /**
   * Optional faster bulk form of `insertIgnore` binding one array parameter per column (PostgreSQL
   * `unnest`), so a batch of thousands of rows is one short statement.
   */
  bulkInsertIgnore?(table: string, columns: readonly SqlBulkColumn[]): string;
  /** Whether a driver error is a deadlock or serialisation failure worth retrying the transaction for. */
  isTransientConflict(error: unknown): boolean;
  /** Whether a driver error is a unique-key violation. */
  isUniqueViolation(error: unknown): boolean;
  /** Most parameters one statement may bind when the client does not say. */
  readonly defaultMaxParameters: number;
}

export function placeholders(count: number): string {
  return `(${new Array<string>(count).fill('?').join(', ')})`;
}

export function valuesList(columnCount: number, rowCount: number): string {
  const row = placeholders(columnCount);
  return new Array<string>(rowCount).fill(row).join(', ');
}

export function errorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const record = error as Record<string, unknown>;
  return String(record.code ?? record.errno ?? '');
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
