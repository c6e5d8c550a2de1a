/**
 * A value bound to a statement parameter. Booleans are stored as 0/1, JSON as text. Arrays are bound only
 * by the PostgreSQL dialect (bulk inserts through `unnest`); pg, postgres.js and PGlite pass them as arrays.
 */
export type SqlValue = string | number | null | readonly (string | number | null)[];

/** A row as the driver returns it: column name → value. */
export type SqlRow = Record<string, unknown>;

/** Runs statements. Every SQL text uses `?` placeholders; the dialect rewrites them where the driver wants `$1`. */
export interface SqlExecutor {
  /** Runs a statement that returns rows. */
  query(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs a statement that changes rows; returns how many rows it inserted, updated or deleted. */
  execute(sql: string, params?: readonly SqlValue[]): Promise<{ rowsAffected: number }>;
}

/**
 * The slice of a database driver the SQL storage calls. Build one with a shim from
 * `llm-switchyard/storage/sql` (`fromBetterSqlite3(db)`, `fromPg(pool)`, `fromMysql2(pool)`, …) or write your own.
 */
export interface SqlClient extends SqlExecutor {
  /**
   * Runs `work` inside one transaction on one connection: commits when it resolves, rolls back when it
   * throws. Statements made through other calls while it runs must not join the transaction.
   */
  transaction<T>(work: (transaction: SqlExecutor) => Promise<T>): Promise<T>;
  /** Most parameters one statement may bind (Cloudflare D1: 100); batches are sized to fit. Default 999. */
  readonly maxParameters?: number;
  /**
   * The database runs in this process and a statement costs no round trip (better-sqlite3, node:sqlite).
   * Bulk usage inserts then run one prepared single-row statement per row inside a transaction, which
   * SQLite executes faster than one multi-row statement. Leave unset for networked engines.
   */
  readonly inProcess?: boolean;
}
