import mysql from 'mysql2/promise';
import { createSqlState } from '../../src/state/sql';
import { stateMigrations } from '../../src/state/sql/sql-state-migrations';
import { describeStateStoreConformance } from './state-store-conformance';

const mysqlUrl = process.env.SWITCHYARD_MYSQL_URL;
const tablePrefix = () => `sy${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}_`;
const tableNames = (prefix: string) => ['migrations', ...stateMigrations.flatMap((migration) => migration.tables.map((table) => table.name))].map((name) => `${prefix}${name}`);

describeStateStoreConformance('sql: mysql/mariadb server (mysql2 pool)', {
  skip: !mysqlUrl,
  create: async () => {
    const pool = mysql.createPool({ uri: mysqlUrl, connectionLimit: 10 });
    const prefix = tablePrefix();
    return {
      store: createSqlState({ dialect: 'mysql', client: pool, tablePrefix: prefix }),
      close: async () => {
        for (const name of tableNames(prefix)) await pool.query(`DROP TABLE IF EXISTS ${name}`);
        await pool.end();
      },
    };
  },
});
