import pg from 'pg';
import { createSqlState } from '../../src/state/sql';
import { stateMigrations } from '../../src/state/sql/sql-state-migrations';
import { describeStateStoreConformance } from './state-store-conformance';

const postgresUrl = process.env.SWITCHYARD_POSTGRES_URL;
const tablePrefix = () => `sy${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}_`;
const tableNames = (prefix: string) => ['migrations', ...stateMigrations.flatMap((migration) => migration.tables.map((table) => table.name))].map((name) => `${prefix}${name}`);

describeStateStoreConformance('sql: postgres server (pg Pool)', {
  skip: !postgresUrl,
  create: async () => {
    const pool = new pg.Pool({ connectionString: postgresUrl, max: 10 });
    const prefix = tablePrefix();
    return {
      store: createSqlState({ dialect: 'postgres', client: pool, tablePrefix: prefix }),
      close: async () => {
        for (const name of tableNames(prefix)) await pool.query(`DROP TABLE IF EXISTS ${name}`);
        await pool.end();
      },
    };
  },
});
