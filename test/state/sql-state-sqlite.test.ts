import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error';
import { createSqlState } from '../../src/state/sql';
import { stateMigrations } from '../../src/state/sql/sql-state-migrations';
import { describeStateStoreConformance } from './state-store-conformance';
const tableNames = (prefix: string) => ['migrations', ...stateMigrations.flatMap((migration) => migration.tables.map((table) => table.name))].map((name) => `${prefix}${name}`);

describeStateStoreConformance('sql: sqlite (better-sqlite3)', {
  create: async () => {
    const database = new Database(':memory:');
    return { store: createSqlState({ dialect: 'sqlite', client: database }), close: async () => void database.close() };
  },
});

describe('sql state store configuration', () => {
  it('rejects an unknown dialect, a mismatched client and an unsafe table prefix', () => {
    const database = new Database(':memory:');
    try {
      expect(() => createSqlState({ dialect: 'oracle' as never, client: database })).toThrow(ConfigurationError);
      expect(() => createSqlState({ dialect: 'mysql', client: database })).toThrow(/cannot use this client/);
      expect(() => createSqlState({ dialect: 'sqlite', client: database, tablePrefix: 'x; DROP TABLE y' })).toThrow(/tablePrefix/);
    } finally {
      database.close();
    }
  });

  it('migrates once and keeps data when a second store opens the same database', async () => {
    const database = new Database(':memory:');
    try {
      const first = createSqlState({ dialect: 'sqlite', client: database });
      await first.credit({ account: 'a', amount: 5, entryId: 'g' });
      const second = createSqlState({ dialect: 'sqlite', client: database });
      expect((await second.balance('a')).balance).toBe(5);
      const versions = database.prepare('SELECT version FROM switchyard_state_migrations').all();
      expect(versions).toEqual(stateMigrations.map((migration) => ({ version: migration.version })));
    } finally {
      database.close();
    }
  });
});
