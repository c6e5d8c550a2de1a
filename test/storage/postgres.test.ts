import { randomUUID } from 'node:crypto';
import pg from 'pg';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors/storage-error';
import { createSqlStorage, fromPg, fromPostgresJs, type PostgresJsSql } from '../../src/storage/sql';
import { runConcurrentMigrations } from './concurrent-migrations';
import { describeStorageConformance, usageRecord } from './storage-conformance';

const url = process.env.SWITCHYARD_POSTGRES_URL;

// Every run uses its own table prefix, so parallel runs against one server never collide.
const runPrefix = (label: string) => `sy${randomUUID().replace(/-/g, '').slice(0, 10)}_${label}_`;

async function dropTables(pool: pg.Pool, prefix: string): Promise<void> {
  const { rows } = await pool.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1', [`${prefix}%`]);
  for (const row of rows) await pool.query(`DROP TABLE IF EXISTS "${row.tablename}"`);
}

describe.skipIf(!url)('postgres server', () => {
  describeStorageConformance('postgres (pg pool)', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    const prefix = runPrefix('pg');
    return {
      storage: createSqlStorage({ dialect: 'postgres', client: fromPg(pool), tablePrefix: prefix }),
      cleanup: async () => {
        await dropTables(pool, prefix);
        await pool.end();
      },
    };
  });

  describe('postgres.js driver', () => {
    it('runs the ledger and a transactional append through postgres.js', async () => {
      const sql = postgres(url!, { max: 2, onnotice: () => undefined });
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      const prefix = runPrefix('pgjs');
      try {
        const storage = createSqlStorage({ dialect: 'postgres', client: fromPostgresJs(sql as unknown as PostgresJsSql), tablePrefix: prefix });
        const records = [1, 2, 3].map((index) => usageRecord({ id: `r${index}`, userId: 'u1', costMicroUsd: index * 1_000_001 }));
        expect(await storage.appendUsage(records)).toBe(3);
        expect(await storage.appendUsage(records)).toBe(0);
        const summary = await storage.summarizeUsage({ userId: 'u1', from: 0, to: Date.UTC(2100, 0, 1), groupBy: ['provider'] });
        expect(summary.totals.costMicroUsd).toBe(6_000_006);
        await storage.createConversation({ id: 'c1', userId: 'u1', createdAt: 1, updatedAt: 1 });
        await storage.appendMessages('u1', 'c1', [
          { id: 'm1', message: { role: 'user', content: 'hi' }, createdAt: 2 },
          { id: 'm2', message: { role: 'assistant', content: 'hello' }, createdAt: 3 },
        ]);
        expect((await storage.listMessages('u1', 'c1')).map((message) => message.sequence)).toEqual([1, 2]);
        await expect(storage.appendMessages('u1', 'c1', [{ id: 'm3', message: { role: 'user', content: 'x' }, createdAt: 4 }, { id: 'm1', message: { role: 'user', content: 'dup' }, createdAt: 4 }])).rejects.toThrow(/already exists/);
        expect((await storage.listMessages('u1', 'c1')).length).toBe(2);
        expect(await storage.appendCreditEntryIfCovered({ id: 'd1', accountId: 'u1', kind: 'debit', amountMicroUsd: -1, time: 1 })).toEqual({ status: 'insufficient', balanceMicroUsd: 0 });
      } finally {
        await sql.end();
        await dropTables(pool, prefix);
        await pool.end();
      }
    });
  });

  it('migrates exactly once when four processes start at the same time', async () => {
    const prefix = runPrefix('race');
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const outcome = await runConcurrentMigrations({ dialect: 'postgres', target: url!, tablePrefix: prefix });
      const versions = await pool.query(`SELECT version FROM ${prefix}migrations ORDER BY version`);
      const usage = await pool.query(`SELECT COUNT(*)::int AS count FROM ${prefix}usage`);
      expect(versions.rows.map((row) => row.version)).toEqual(outcome.expectedVersions);
      expect(usage.rows[0].count).toBe(4);
    } finally {
      await dropTables(pool, prefix);
      await pool.end();
    }
  }, 60_000);

  it('surfaces an unreachable server as a retryable StorageError', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2_000 });
    const storage = createSqlStorage({ dialect: 'postgres', client: fromPg(pool), tablePrefix: runPrefix('down') });
    const error = await storage.listBudgets('u1').catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).retryable).toBe(true);
    await pool.end();
  });
});
