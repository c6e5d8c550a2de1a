import type { SqlExecutor } from './sql-client';
import type { SqlDialect } from './sql-dialect';

/** One schema version: applied once, in order, and recorded in the migrations table. */
export interface SqlMigration {
  /** Increasing version number. */
  version: number;
  /** What it does. */
  name: string;
  /** Statements to run, built for the dialect and table prefix. */
  statements(context: MigrationContext): string[];
}

export interface MigrationContext {
  prefix: string;
  dialect: SqlDialect;
  id: string;
  text: string;
  bigInteger: string;
  integer: string;
  options: string;
}

function table(context: MigrationContext, name: string, columns: string[]): string {
  return `CREATE TABLE IF NOT EXISTS ${context.prefix}${name} (${columns.join(', ')})${context.options ? ` ${context.options}` : ''}`;
}

function index(context: MigrationContext, name: string, tableName: string, columns: string[], unique = false): string {
  return context.dialect.createIndex(`${context.prefix}${name}`, `${context.prefix}${tableName}`, columns, unique);
}

/** The schema, version by version. Never edit a released version: add a new one. */
export const sqlMigrations: SqlMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: (context) => {
      const { id, text, bigInteger, integer } = context;
      return [
        table(context, 'provider_configs', [
          `id ${id} NOT NULL PRIMARY KEY`,
          `user_id ${id} NOT NULL`,
          `provider ${id} NOT NULL`,
          `key_id ${id} NOT NULL`,
          `key_ciphertext ${text} NOT NULL`,
          `data ${text} NOT NULL`,
          `created_at ${bigInteger} NOT NULL`,
          `updated_at ${bigInteger} NOT NULL`,
        ]),
        index(context, 'provider_configs_user', 'provider_configs', ['user_id', 'id']),
        table(context, 'provider_definitions', [
          `id ${id} NOT NULL PRIMARY KEY`,
          `owner_id ${id} NOT NULL`,
          `data ${text} NOT NULL`,
          `created_at ${bigInteger} NOT NULL`,
          `updated_at ${bigInteger} NOT NULL`,
        ]),
        index(context, 'provider_definitions_owner', 'provider_definitions', ['owner_id', 'id']),
        table(context, 'provider_instances', [
          `id ${id} NOT NULL PRIMARY KEY`,
          `owner_id ${id} NOT NULL`,
          `key_id ${id}`,
          `key_ciphertext ${text}`,
          `data ${text} NOT NULL`,
          `created_at ${bigInteger} NOT NULL`,
          `updated_at ${bigInteger} NOT NULL`,
        ]),
        index(context, 'provider_instances_owner', 'provider_instances', ['owner_id', 'id']),
        table(context, 'provider_instance_shares', [
          `instance_id ${id} NOT NULL`,
          `user_id ${id} NOT NULL`,
          'PRIMARY KEY (instance_id, user_id)',
        ]),
        index(context, 'provider_instance_shares_user', 'provider_instance_shares', ['user_id']),
        table(context, 'usage', [
          `id ${id} NOT NULL PRIMARY KEY`,
          `occurred_at ${bigInteger} NOT NULL`,
          `user_id ${id}`,
          `feature ${id}`,
          `provider ${id} NOT NULL`,
          `model ${id} NOT NULL`,
          `key_source ${id} NOT NULL`,
          `input_tokens ${bigInteger} NOT NULL`,
          `output_tokens ${bigInteger} NOT NULL`,
          `cached_input_tokens ${bigInteger} NOT NULL`,
          `reasoning_tokens ${bigInteger} NOT NULL`,
          `cost_micro_usd ${bigInteger} NOT NULL`,
          `price_table_version ${id} NOT NULL`,
          `latency_ms ${bigInteger} NOT NULL`,
          `time_to_first_token_ms ${bigInteger}`,
          `status ${id} NOT NULL`,
          `error_class ${id}`,
          `cached ${integer} NOT NULL`,
          `attempt_number ${integer} NOT NULL`,
          `request_id ${id}`,
          `estimated ${integer} NOT NULL`,
        ]),
        // Per-user reports and recent lists read (user_id, occurred_at); host-wide reports and pruning read occurred_at.
        index(context, 'usage_user_time', 'usage', ['user_id', 'occurred_at']),
        index(context, 'usage_time', 'usage', ['occurred_at']),
        table(context, 'model_cache', [`provider ${id} NOT NULL PRIMARY KEY`, `data ${text} NOT NULL`, `fetched_at ${bigInteger} NOT NULL`]),
        table(context, 'fallback_rules', [`user_id ${id} NOT NULL PRIMARY KEY`, `data ${text} NOT NULL`, `updated_at ${bigInteger} NOT NULL`]),
        table(context, 'usage_alerts', [
          `id ${id} NOT NULL PRIMARY KEY`,
          `user_id ${id} NOT NULL`,
          `enabled ${integer} NOT NULL`,
          `data ${text} NOT NULL`,
          `created_at ${bigInteger} NOT NULL`,
        ]),
        index(context, 'usage_alerts_user', 'usage_alerts', ['user_id', 'id']),
        table(context, 'usage_alert_firings', [
          `firing_key ${id} NOT NULL PRIMARY KEY`,
          `alert_id ${id} NOT NULL`,
          `user_id ${id} NOT NULL`,
          `fired_at ${bigInteger} NOT NULL`,
          `data ${text} NOT NULL`,
        ]),
        index(context, 'usage_alert_firings_user', 'usage_alert_firings', ['user_id', 'fired_at']),
        table(context, 'key_rotation_audit', [
          `id ${id} NOT NULL PRIMARY KEY`,
          `owner_id ${id} NOT NULL`,
          `occurred_at ${bigInteger} NOT NULL`,
          `data ${text} NOT NULL`,
        ]),
        index(context, 'key_rotation_audit_time', 'key_rotation_audit', ['occurred_at']),
        table(context, 'conversations', [
          `id ${id} NOT NULL PRIMARY KEY`,
          `user_id ${id} NOT NULL`,
          `data ${text} NOT NULL`,
          `message_count ${integer} NOT NULL`,
          `created_at ${bigInteger} NOT NULL`,
          `updated_at ${bigInteger} NOT NULL`,
        ]),
        index(context, 'conversations_user', 'conversations', ['user_id', 'updated_at']),
        index(context, 'conversations_updated', 'conversations', ['updated_at']),
        table(context, 'messages', [
          `id ${id} NOT NULL PRIMARY KEY`,
          `conversation_id ${id} NOT NULL`,
          `seq ${integer} NOT NULL`,
          `role ${id} NOT NULL`,
          `data ${text} NOT NULL`,
          `created_at ${bigInteger} NOT NULL`,
        ]),
        index(context, 'messages_conversation', 'messages', ['conversation_id', 'seq'], true),
        table(context, 'credit_entries', [
          `id ${id} NOT NULL PRIMARY KEY`,
          `account_id ${id} NOT NULL`,
          `kind ${id} NOT NULL`,
          `amount_micro_usd ${bigInteger} NOT NULL`,
          `occurred_at ${bigInteger} NOT NULL`,
          `data ${text} NOT NULL`,
        ]),
        index(context, 'credit_entries_account', 'credit_entries', ['account_id', 'occurred_at']),
        // The balance is kept next to the entries in the same transaction, so a conditional debit is one
        // atomic UPDATE … WHERE balance + amount >= 0 in every engine.
        table(context, 'credit_accounts', [`account_id ${id} NOT NULL PRIMARY KEY`, `balance_micro_usd ${bigInteger} NOT NULL`]),
        table(context, 'budgets', [
          `id ${id} NOT NULL PRIMARY KEY`,
          `owner_id ${id} NOT NULL`,
          `data ${text} NOT NULL`,
          `created_at ${bigInteger} NOT NULL`,
          `updated_at ${bigInteger} NOT NULL`,
        ]),
        index(context, 'budgets_owner', 'budgets', ['owner_id', 'id']),
      ];
    },
  },
];

/**
 * Applies the missing versions under the dialect's cross-process lock, inside one transaction (DDL is
 * transactional in SQLite and PostgreSQL; MySQL commits each DDL statement, the lock still serialises).
 */
export async function runSqlMigrations(
  client: { transaction<T>(work: (transaction: SqlExecutor) => Promise<T>): Promise<T> },
  dialect: SqlDialect,
  prefix: string,
  now: () => number,
): Promise<number[]> {
  return client.transaction(async (executor) => {
    const run = (sql: string, params: (string | number)[] = []) => executor.execute(dialect.prepare(sql), params);
    const lockName = `switchyard_migrate_${prefix}`;
    await dialect.lockMigrations(executor, lockName);
    try {
      const types = await dialect.columnTypes(executor);
      const options = await dialect.tableOptions(executor);
      await run(
        `CREATE TABLE IF NOT EXISTS ${prefix}migrations (version ${types.integer} NOT NULL PRIMARY KEY, name ${types.identifier} NOT NULL, applied_at ${types.bigInteger} NOT NULL)${options ? ` ${options}` : ''}`,
      );
      const rows = await executor.query(dialect.prepare(`SELECT version FROM ${prefix}migrations`));
      const applied = new Set(rows.map((row) => Number(row.version)));
      const newlyApplied: number[] = [];
      const context: MigrationContext = { prefix, dialect, id: types.identifier, text: types.text, bigInteger: types.bigInteger, integer: types.integer, options };
      for (const migration of sqlMigrations) {
        if (applied.has(migration.version)) continue;
        for (const statement of migration.statements(context)) await run(statement);
        await run(`INSERT INTO ${prefix}migrations (version, name, applied_at) VALUES (?, ?, ?)`, [migration.version, migration.name, now()]);
        newlyApplied.push(migration.version);
      }
      return newlyApplied;
    } finally {
      await dialect.unlockMigrations(executor, lockName);
    }
  });
}
