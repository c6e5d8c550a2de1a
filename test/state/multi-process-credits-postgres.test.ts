import pg from 'pg';
import { describe, it } from 'vitest';
import { createSqlState } from '../../src/state/sql';
import { stateMigrations } from '../../src/state/sql/sql-state-migrations';
import { runId, spendFromFourProcesses } from './fixtures/spend-from-four-processes';

const postgresUrl = process.env.SWITCHYARD_POSTGRES_URL;

describe.skipIf(!postgresUrl)('four processes sharing PostgreSQL', () => {
  it('perform exactly N calls on credit for N, and the ledger sum equals the balance change', async () => {
    const pool = new pg.Pool({ connectionString: postgresUrl, max: 4 });
    const prefix = `sy${runId()}_`;
    try {
      const store = createSqlState({ dialect: 'postgres', client: pool, tablePrefix: prefix });
      await spendFromFourProcesses(store, 'postgres', postgresUrl!, prefix);
    } finally {
      const tables = ['migrations', ...stateMigrations.flatMap((migration) => migration.tables.map((table) => table.name))];
      for (const name of tables) await pool.query(`DROP TABLE IF EXISTS ${prefix}${name}`);
      await pool.end();
    }
  });
});
