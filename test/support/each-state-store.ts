import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { it } from 'vitest';
import type { StateStore } from '../../src/spec/state-store';
import { createMemoryState } from '../../src/state/memory';
import { createRedisState } from '../../src/state/redis';
import { createSqlState, stateMigrations } from '../../src/state/sql';

const redisUrl = process.env.SWITCHYARD_REDIS_URL;
const postgresUrl = process.env.SWITCHYARD_POSTGRES_URL;
const runId = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/**
 * Registers one test per state store running `scenario` on a fresh store: memory and SQLite always, Redis
 * and PostgreSQL when their URLs are set (each with a unique key or table prefix, cleaned up after).
 */
export function itOnEachStateStore(scenario: (state: StateStore) => Promise<void>, options: { postgres?: boolean } = {}): void {
  it('memory state store', () => scenario(createMemoryState()));

  it('SQL state store on SQLite', async () => {
    const database = new Database(':memory:');
    try {
      await scenario(createSqlState({ dialect: 'sqlite', client: database }));
    } finally {
      database.close();
    }
  });

  it.skipIf(!redisUrl)('Redis state store', async () => {
    const client = new Redis(redisUrl!);
    const prefix = `switchyard-test:${runId()}:`;
    try {
      await scenario(createRedisState({ client, prefix }));
    } finally {
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.del(...keys);
      await client.quit();
    }
  });

  if (options.postgres) {
    it.skipIf(!postgresUrl)('SQL state store on PostgreSQL', async () => {
      const pool = new pg.Pool({ connectionString: postgresUrl, max: 8 });
      const tablePrefix = `sy${runId()}_`;
      try {
        await scenario(createSqlState({ dialect: 'postgres', client: pool, tablePrefix }));
      } finally {
        for (const table of ['migrations', ...stateMigrations.flatMap((entry) => entry.tables.map((definition) => definition.name))]) {
          await pool.query(`DROP TABLE IF EXISTS ${tablePrefix}${table}`);
        }
        await pool.end();
      }
    });
  }
}
