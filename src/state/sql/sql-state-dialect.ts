import type { SqlExecutor } from '../../storage/sql/sql-client';

/** A table of the state schema, described once and rendered by each dialect. */
export interface StateTableDefinition {
  /** Table name without the prefix. */
  name: string;
  /** Column definitions (`name TYPE ...`), using the placeholders `{id}`, `{bigint}`, `{text}`, `{sequence}`. */
  columns: string[];
  /** Table constraints such as `PRIMARY KEY (a, b)`. */
  constraints?: string[];
  /** Secondary indexes. */
  indexes?: { name: string; columns: string[]; unique?: boolean }[];
}

/**
 * What differs between SQL engines for the state store, kept apart from execution: types, locking
 * clauses, insert-or-ignore and upsert forms, the database clock and the migration lock.
 */
export interface StateSqlDialect {
  /** Engine name. */
  readonly name: 'postgres' | 'sqlite' | 'mysql';
  /** Rewrites `?` placeholders into the engine's style. */
  prepare(sql: string): string;
  /** `CREATE TABLE IF NOT EXISTS` plus its indexes. */
  createTable(prefix: string, table: StateTableDefinition): string[];
  /** Insert of one row that does nothing when its key exists. */
  insertIgnore(table: string, columns: string[]): string;
  /** Insert of one row that overwrites `updateColumns` when its key exists. */
  upsert(table: string, columns: string[], keyColumns: string[], updateColumns: string[]): string;
  /** Suffix that locks the selected rows until commit (empty where the transaction already locks the database). */
  readonly forUpdate: string;
  /** Reads the database server's clock in epoch ms; undefined = use the host clock (SQLite is local). */
  readonly nowQuery?: string;
  /** Serialises migrations across processes inside the migration transaction. */
  lockMigrations(executor: SqlExecutor, name: string): Promise<void>;
  /** Releases what `lockMigrations` took when commit does not. */
  unlockMigrations(executor: SqlExecutor, name: string): Promise<void>;
  /** Whether an error is a deadlock or serialisation failure worth retrying the transaction for. */
  isRetryable(error: unknown): boolean;
}

export function renderColumns(definition: StateTableDefinition, types: { id: string; bigint: string; text: string; sequence: string }): string {
  const columns = definition.columns.map((column) =>
    column.replaceAll('{id}', types.id).replaceAll('{bigint}', types.bigint).replaceAll('{text}', types.text).replaceAll('{sequence}', types.sequence),
  );
  return [...columns, ...(definition.constraints ?? [])].join(', ');
}

export function errorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const record = error as Record<string, unknown>;
  return String(record.code ?? record.errno ?? '');
}
