import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { createSqlStorage, fromMysql2 } from '../../src/storage/sql';
import { runConcurrentMigrations } from './concurrent-migrations';
import { describeStorageConformance } from './storage-conformance';

const url = process.env.SWITCHYARD_MYSQL_URL;

// Every run uses its own table prefix, so parallel runs against one server never collide.
const runPrefix = (label: string) => `sy${randomUUID().replace(/-/g, '').slice(0, 10)}_${label}_`;

async function dropTables(pool: mysql.Pool, prefix: string): Promise<void> {
  const [rows] = await pool.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?', [`${prefix}%`]);
  for (const row of rows as { name: string }[]) await pool.query(`DROP TABLE IF EXISTS \`${row.name}\``);
}

describe.skipIf(!url)('mysql / mariadb server', () => {
  describeStorageConformance('mysql (mysql2 pool)', async () => {
    const pool = mysql.createPool({ uri: url, connectionLimit: 4 });
    const prefix = runPrefix('my');
    return {
      storage: createSqlStorage({ dialect: 'mysql', client: fromMysql2(pool), tablePrefix: prefix }),
      cleanup: async () => {
        await dropTables(pool, prefix);
        await pool.end();
      },
    };
  });

  it('migrates exactly once when four processes start at the same time', async () => {
    const prefix = runPrefix('race');
    const pool = mysql.createPool({ uri: url, connectionLimit: 1 });
    try {
      const outcome = await runConcurrentMigrations({ dialect: 'mysql', target: url!, tablePrefix: prefix });
      const [versions] = await pool.query(`SELECT version FROM ${prefix}migrations ORDER BY version`);
      const [usage] = await pool.query(`SELECT COUNT(*) AS count FROM ${prefix}usage`);
      expect((versions as { version: number }[]).map((row) => row.version)).toEqual(outcome.expectedVersions);
      expect(Number((usage as { count: number }[])[0].count)).toBe(4);
    } finally {
      await dropTables(pool, prefix);
      await pool.end();
    }
  }, 60_000);
});
