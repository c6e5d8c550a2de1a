import type { SqlClient } from '../../storage/sql/sql-client';
import type { StateSqlDialect, StateTableDefinition } from './sql-state-dialect';

/** Version 1 of the state schema. Later versions append to `stateMigrations`, never edit this. */
const version1: StateTableDefinition[] = [
  // One row per window or slot pool, locked with FOR UPDATE to serialise operations on that key.
  { name: 'locks', columns: ['lock_key {id} NOT NULL PRIMARY KEY'] },
  {
    name: 'window_entries',
    columns: ['window_key {id} NOT NULL', 'entry_id {id} NOT NULL', 'at_ms {bigint} NOT NULL', 'cost {bigint} NOT NULL'],
    constraints: ['PRIMARY KEY (window_key, entry_id)'],
    indexes: [{ name: 'window_entries_time', columns: ['window_key', 'at_ms'] }],
  },
  {
    name: 'slots',
    columns: ['pool_key {id} NOT NULL', 'holder_id {id} NOT NULL', 'expires_at {bigint} NOT NULL'],
    constraints: ['PRIMARY KEY (pool_key, holder_id)'],
  },
  { name: 'accounts', columns: ['account {id} NOT NULL PRIMARY KEY', 'balance {bigint} NOT NULL'] },
  {
    name: 'reservations',
    columns: [
      'reservation_id {id} NOT NULL PRIMARY KEY',
      'account {id} NOT NULL',
      'amount {bigint} NOT NULL',
      'status VARCHAR(16) NOT NULL',
      'expires_at {bigint} NOT NULL',
      'debited {bigint} NOT NULL',
      'created_at {bigint} NOT NULL',
    ],
    indexes: [{ name: 'reservations_account', columns: ['account', 'status', 'expires_at'] }],
  },
  {
    name: 'account_entries',
    columns: ['seq {sequence}', 'account {id} NOT NULL', 'entry_id {id} NOT NULL', 'kind VARCHAR(32) NOT NULL', 'amount {bigint} NOT NULL', 'at_ms {bigint} NOT NULL'],
    indexes: [{ name: 'account_entries_id', columns: ['account', 'entry_id'], unique: true }],
  },
  {
    name: 'cache',
    columns: ['cache_key {id} NOT NULL PRIMARY KEY', 'value_text {text} NOT NULL', 'expires_at {bigint} NOT NULL'],
    indexes: [{ name: 'cache_expiry', columns: ['expires_at'] }],
  },
];

/** The ordered migrations of the state schema. */
export const stateMigrations: { version: number; tables: StateTableDefinition[] }[] = [{ version: 1, tables: version1 }];

/**
 * Bring the schema up to date. Runs in one transaction under the dialect's migration lock, so
 * processes starting together do not race; every statement also tolerates an existing object.
 */
export async function migrateStateSchema(client: SqlClient, dialect: StateSqlDialect, prefix: string): Promise<void> {
  const migrationsTable = `${prefix}migrations`;
  await client.transaction(async (transaction) => {
    await dialect.lockMigrations(transaction, `${prefix}migrations`);
    try {
      for (const statement of dialect.createTable(prefix, { name: 'migrations', columns: ['version {bigint} NOT NULL PRIMARY KEY', 'applied_at {bigint} NOT NULL'] })) {
        await transaction.execute(statement);
      }
      const applied = new Set((await transaction.query(`SELECT version FROM ${migrationsTable}`)).map((row) => Number(row.version)));
      for (const migration of stateMigrations) {
        if (applied.has(migration.version)) continue;
        for (const table of migration.tables) {
          for (const statement of dialect.createTable(prefix, table)) await transaction.execute(statement);
        }
        await transaction.execute(dialect.prepare(dialect.insertIgnore(migrationsTable, ['version', 'applied_at'])), [migration.version, Date.now()]);
      }
    } finally {
      await dialect.unlockMigrations(transaction, `${prefix}migrations`);
    }
  });
}
