import type { SqlClient } from '../sql-client';
import { fromSyncSqlite, type SyncSqliteDatabase } from './sync-sqlite';

/**
 * Shim for better-sqlite3. Pass the database you opened: `fromBetterSqlite3(new Database('app.db'))`.
 * Consider `db.pragma('journal_mode = WAL')` for files shared by several processes.
 */
export function fromBetterSqlite3(database: SyncSqliteDatabase): SqlClient {
  return fromSyncSqlite(database);
}
