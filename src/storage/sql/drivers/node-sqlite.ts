import type { SqlClient } from '../sql-client';
import { fromSyncSqlite, type SyncSqliteDatabase } from './sync-sqlite';

/**
 * Shim for the built-in `node:sqlite` (Node 22.5+). Pass the database you opened:
 * `fromNodeSqlite(new DatabaseSync('app.db', { timeout: 5000 }))`. Nothing is imported here, so this
 * module loads on every runtime.
 */
export function fromNodeSqlite(database: SyncSqliteDatabase): SqlClient {
  return fromSyncSqlite(database);
}
