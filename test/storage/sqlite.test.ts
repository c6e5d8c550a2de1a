import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqlStorage, fromBetterSqlite3 } from '../../src/storage/sql';
import type { SqlClient, SqlExecutor } from '../../src/storage/sql/sql-client';
import { usageRecord } from './storage-conformance';
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

describe('sqlite usage inserts', () => {
  // Records every usage insert statement; `failOnInsert` makes that many-th one (1-based) throw. Without
  // `inProcess` the storage takes the multi-row path of networked SQLite drivers, here with libSQL's
  // 999-parameter limit (47 usage rows per statement).
  function spyClient(inner: SqlClient, failOnInsert = 0, inProcess = false) {
    const inserts: string[] = [];
    const watch = (executor: SqlExecutor): SqlExecutor => ({
      query: (sql, params) => executor.query(sql, params),
      async execute(sql, params) {
        if (sql.startsWith('INSERT INTO switchyard_usage ')) {
          inserts.push(sql);
          if (inserts.length === failOnInsert) throw new Error('injected failure');
        }
        return executor.execute(sql, params);
      },
    });
    const client: SqlClient = {
      ...watch(inner),
      maxParameters: inProcess ? inner.maxParameters : 999,
      inProcess,
      transaction: (work) => inner.transaction((executor) => work(watch(executor))),
    };
    return { client, inserts };
  }

  const batch = (prefix: string, size: number) => Array.from({ length: size }, (_, index) => usageRecord({ id: `${prefix}-${index}`, userId: 'u', time: index }));

  it('networked: writes a batch of several multi-row statements atomically', async () => {
    const database = new Database(':memory:');
    const failing = spyClient(fromBetterSqlite3(database), 3);
    const storage = createSqlStorage({ dialect: 'sqlite', client: failing.client });
    const records = batch('atomic', 1_000);
    await expect(storage.appendUsage(records)).rejects.toThrow(/injected failure/);
    expect(failing.inserts.length).toBe(3);
    expect(failing.inserts[0]).toContain('), (');
    expect((database.prepare('SELECT COUNT(*) AS count FROM switchyard_usage').get() as { count: number }).count).toBe(0);
    const working = createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database) });
    expect(await working.appendUsage(records)).toBe(1_000);
    expect(await working.appendUsage(records)).toBe(0);
    database.close();
  });

  it('in process: one single-row statement per row, in one transaction, duplicates ignored', async () => {
    const database = new Database(':memory:');
    const spy = spyClient(fromBetterSqlite3(database), 0, true);
    const storage = createSqlStorage({ dialect: 'sqlite', client: spy.client });
    const records = batch('rows', 1_000);
    expect(await storage.appendUsage([...records.slice(0, 600), ...records.slice(0, 600).filter((_, index) => index % 3 === 0)])).toBe(600);
    expect(await storage.appendUsage(records)).toBe(400);
    expect(await storage.appendUsage(records)).toBe(0);
    expect(new Set(spy.inserts).size).toBe(1);
    expect(spy.inserts[0]).toMatch(/VALUES \([^)]*\) ON CONFLICT DO NOTHING$/);
    expect((database.prepare('SELECT COUNT(*) AS count, SUM(cost_micro_usd) AS cost FROM switchyard_usage').get() as { count: number; cost: number })).toEqual({
      count: 1_000,
      cost: 1_000 * 1_234,
    });

    const failing = spyClient(fromBetterSqlite3(database), 500, true);
    const failingStorage = createSqlStorage({ dialect: 'sqlite', client: failing.client });
    await expect(failingStorage.appendUsage(batch('atomic', 1_000))).rejects.toThrow(/injected failure/);
    expect((database.prepare("SELECT COUNT(*) AS count FROM switchyard_usage WHERE id LIKE 'atomic-%'").get() as { count: number }).count).toBe(0);
    database.close();
  });
});
