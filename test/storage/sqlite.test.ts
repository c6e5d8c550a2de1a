import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqlStorage, fromBetterSqlite3 } from '../../src/storage/sql';
import { runConcurrentMigrations } from './concurrent-migrations';
import { describeStorageConformance } from './storage-conformance';

describeStorageConformance('sqlite :memory: (better-sqlite3)', async () => {
  const database = new Database(':memory:');
  return { storage: createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database) }), cleanup: async () => {
      database.close();
    } };
});

describeStorageConformance('sqlite file (better-sqlite3, WAL)', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'switchyard-sqlite-'));
  const database = new Database(join(directory, 'storage.db'));
  database.pragma('journal_mode = WAL');
  return {
    storage: createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database), tablePrefix: 'sy_' }),
    cleanup: async () => {
      database.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});

describe('sqlite file shared by four processes', () => {
  it('migrates exactly once when four processes start at the same time', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchyard-sqlite-race-'));
    const file = join(directory, 'shared.db');
    try {
      const outcome = await runConcurrentMigrations({ dialect: 'sqlite', target: file, tablePrefix: 'race_' });
      const database = new Database(file, { readonly: true });
      const versions = database.prepare('SELECT version FROM race_migrations ORDER BY version').all() as { version: number }[];
      const usageRows = database.prepare('SELECT COUNT(*) AS count FROM race_usage').get() as { count: number };
      database.close();
      expect(outcome.workers).toBe(4);
      expect(versions.map((row) => row.version)).toEqual(outcome.expectedVersions);
      expect(usageRows.count).toBe(4);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 60_000);
});
