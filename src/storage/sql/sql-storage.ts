import { ConfigurationError } from '../../errors/configuration-error';
import { InvalidRequestError } from '../../errors/invalid-request-error';
import { LLMError } from '../../errors/llm-error';
import { StorageError } from '../../errors/storage-error';
import type {
  BudgetRecord,
  ConversationMessageRecord,
  ConversationRecord,
  CreditEntryRecord,
  EncryptedKeyRecord,
  FallbackRulesRecord,
  KeyRotationAuditRecord,
  ModelCacheRecord,
  ProviderConfigRecord,
  ProviderDefinitionRecord,
  ProviderInstanceRecord,
  ProviderInstanceView,
  Storage,
  UsageAlertFiringRecord,
  UsageAlertRecord,
  UsageGroupKey,
  UsageGroupValues,
  UsageSummaryGroup,
  UsageTotals,
} from '../../spec/storage';
import { systemOwnerId } from '../system-owner';
import {
  checkGroupBy,
  checkIdentifier,
  checkInteger,
  checkLimit,
  checkText,
  dayFromNumber,
  rejectForeignOwner,
  rejectImmutable,
  validateBudget,
  validateCreditEntry,
  validateKeyRotationAudit,
  validateMessage,
  validateProviderConfig,
  validateProviderDefinition,
  validateProviderInstance,
  validateUsageAlert,
  validateUsageAlertFiring,
  validateUsageRecord,
} from '../storage-validation';
import type { SqlClient, SqlExecutor, SqlRow, SqlValue } from './sql-client';
import type { SqlDialect } from './sql-dialect';
import { errorMessage } from './sql-dialect';
import { runSqlMigrations } from './sql-migrations';
import { mysqlDialect } from './mysql-dialect';
import { postgresDialect } from './postgres-dialect';
import { sqliteDialect } from './sqlite-dialect';
import { jsonWithout, parseJson, toNumber, toOptionalText, toText, usageBulkColumns, usageColumns, usageFromRow, usageParamsOf, usageToParams } from './sql-row-mapping';

/** Options of `createSqlStorage`. */
export interface SqlStorageOptions {
  /** SQL engine the client talks to. */
  dialect: 'sqlite' | 'postgres' | 'mysql';
  /** The driver, wrapped by a shim (`fromBetterSqlite3`, `fromPg`, `fromMysql2`, …). */
  client: SqlClient;
  /** Prefix of every table name: lowercase letters, digits and `_`, starting with a letter. Default `switchyard_`. */
  tablePrefix?: string;
  /** Clock for migration timestamps. */
  now?: () => number;
}

const dialects: Record<SqlStorageOptions['dialect'], SqlDialect> = {
  sqlite: sqliteDialect,
  postgres: postgresDialect,
  mysql: mysqlDialect,
};

const configColumnsInJson = ['keyCiphertext', 'keyId', 'updatedAt'] as const;

class RollbackSignal {
  constructor(readonly value: unknown) {}
}

function emptyTotals(): UsageTotals {
  return { requests: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, costMicroUsd: 0 };
}

function compareGroupValues(left: string | null | undefined, right: string | null | undefined): number {
  const a = left ?? null;
  const b = right ?? null;
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

// Array.prototype.flat is generic and slow (a few µs per 20-column row); a plain copy is not.
function flatRows(rows: readonly SqlValue[][], width: number, start: number, end: number): SqlValue[] {
  const params = new Array<SqlValue>((end - start) * width);
  let offset = 0;
  for (let index = start; index < end; index += 1) {
    const row = rows[index];
    for (let column = 0; column < width; column += 1) params[offset++] = row[column];
  }
  return params;
}

/**
 * Durable storage on SQLite, PostgreSQL or MySQL/MariaDB. Creates its tables through versioned migrations
 * on first use (or `migrate()`), safely when several processes start at once. Every statement is
 * parameterised; aggregations run in SQL.
 */
export function createSqlStorage(options: SqlStorageOptions): Storage {
  const dialect = dialects[options.dialect];
  if (!dialect) throw new ConfigurationError(`createSqlStorage: unknown dialect "${String(options.dialect)}" (use sqlite, postgres or mysql)`);
  const client = options.client;
  if (!client || typeof client.query !== 'function' || typeof client.execute !== 'function' || typeof client.transaction !== 'function') {
    throw new ConfigurationError('createSqlStorage: client must be a SqlClient (query, execute, transaction); wrap your driver with a shim such as fromPg(pool)');
  }
  const prefix = options.tablePrefix ?? 'switchyard_';
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(prefix)) {
    throw new ConfigurationError('createSqlStorage: tablePrefix must be 1-40 lowercase letters, digits or _, starting with a letter');
  }
  const now = options.now ?? Date.now;
  const maxParameters = client.maxParameters ?? dialect.defaultMaxParameters;
  const table = (name: string) => prefix + name;

  let ready: Promise<void> | undefined;
  const ensureReady = (): Promise<void> => {
    ready ??= runSqlMigrations(client, dialect, prefix, now).then(
      () => undefined,
      (error: unknown) => {
        ready = undefined;
        throw wrapError('migrate', error);
      },
    );
    return ready;
  };

  function wrapError(operation: string, error: unknown): Error {
    if (LLMError.isInstance(error)) return error;
    return new StorageError(`Storage (${dialect.name}): ${operation} failed: ${errorMessage(error)}`, { cause: error });
  }

  // Every public method goes through here: migrate first, translate driver errors into StorageError.
  async function operation<T>(name: string, work: () => Promise<T>): Promise<T> {
    await ensureReady();
    try {
      return await work();
    } catch (error) {
      throw wrapError(name, error);
    }
  }

  const query = (executor: SqlExecutor, sql: string, params: SqlValue[] = []): Promise<SqlRow[]> =>
    executor.query(dialect.prepare(sql), params);
  const execute = async (executor: SqlExecutor, sql: string, params: SqlValue[] = []): Promise<number> =>
    (await executor.execute(dialect.prepare(sql), params)).rowsAffected;

  // Deadlocks and serialisation failures are normal under contention: rerun the whole transaction.
  async function transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await client.transaction(work);
      } catch (error) {
        if (error instanceof RollbackSignal) return error.value as T;
        if (attempt >= 5 || !dialect.isTransientConflict(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  /** Inserts `rowCount` rows whose values `paramsOf(start, end)` lays out flat, skipping existing keys. */
  async function insertIgnoreRows(
    executor: SqlExecutor,
    tableName: string,
    columns: readonly string[],
    rowCount: number,
    paramsOf: (start: number, end: number) => SqlValue[],
  ): Promise<number> {
    const batchSize = Math.max(1, Math.floor(maxParameters / columns.length));
    let inserted = 0;
    for (let start = 0; start < rowCount; start += batchSize) {
      const end = Math.min(rowCount, start + batchSize);
      inserted += await execute(executor, dialect.insertIgnore(table(tableName), [...columns], end - start), paramsOf(start, end));
    }
    return inserted;
  }

  function insertIgnore(executor: SqlExecutor, tableName: string, columns: readonly string[], rows: SqlValue[][]): Promise<number> {
    return insertIgnoreRows(executor, tableName, columns, rows.length, (start, end) => flatRows(rows, columns.length, start, end));
  }

  async function ownerOf(executor: SqlExecutor, tableName: string, ownerColumn: string, id: string): Promise<string | undefined> {
    const rows = await query(executor, `SELECT ${ownerColumn} AS owner FROM ${table(tableName)} WHERE id = ?`, [id]);
    return rows.length === 0 ? undefined : toText(rows[0].owner);
  }

  /**
   * Insert, or update when the id exists and belongs to the same owner. Insert-then-update needs no lock:
   * a concurrent insert of the same id turns this one into an update, which the owner check still guards.
   */
  async function saveOwned(
    what: string,
    tableName: string,
    ownerColumn: string,
    columns: string[],
    values: SqlValue[],
    ownerId: string,
    id: string,
  ): Promise<void> {
    if ((await insertIgnore(client, tableName, columns, [values])) === 1) return;
    const assignments = columns.filter((column) => column !== 'id' && column !== ownerColumn && column !== 'created_at');
    const updateValues = assignments.map((column) => values[columns.indexOf(column)]);
    const changed = await execute(
      client,
      `UPDATE ${table(tableName)} SET ${assignments.map((column) => `${column} = ?`).join(', ')} WHERE id = ? AND ${ownerColumn} = ?`,
      [...updateValues, id, ownerId],
    );
    if (changed > 0) return;
    // MySQL without FOUND_ROWS reports 0 for an update that changed nothing; only a different owner is an error.
    const owner = await ownerOf(client, tableName, ownerColumn, id);
    if (owner !== ownerId) rejectForeignOwner(what, id);
  }

  const configFromRow = (row: SqlRow): ProviderConfigRecord => ({
    ...parseJson<ProviderConfigRecord>(row.data),
    keyCiphertext: toText(row.key_ciphertext),
    keyId: toText(row.key_id),
    updatedAt: toNumber(row.updated_at),
  });

  const instanceFromRow = (row: SqlRow, userId: string): ProviderInstanceView => {
    const record: ProviderInstanceView = {
      ...parseJson<ProviderInstanceRecord>(row.data),
      updatedAt: toNumber(row.updated_at),
      access: toText(row.owner_id) === userId ? 'owner' : 'shared',
    };
    const keyCiphertext = toOptionalText(row.key_ciphertext);
    const keyId = toOptionalText(row.key_id);
    if (keyCiphertext !== undefined) record.keyCiphertext = keyCiphertext;
    if (keyId !== undefined) record.keyId = keyId;
    return record;
  };

  const conversationFromRow = (row: SqlRow): ConversationRecord => ({
    ...parseJson<Omit<ConversationRecord, 'messageCount' | 'updatedAt'>>(row.data),
    updatedAt: toNumber(row.updated_at),
    messageCount: toNumber(row.message_count),
  });

  const messageFromRow = (row: SqlRow): ConversationMessageRecord => ({
    ...parseJson<Omit<ConversationMessageRecord, 'sequence'>>(row.data),
    sequence: toNumber(row.seq),
  });

  async function ensureCreditAccount(executor: SqlExecutor, accountId: string): Promise<void> {
    await insertIgnore(executor, 'credit_accounts', ['account_id', 'balance_micro_usd'], [[accountId, 0]]);
  }

  async function readBalance(executor: SqlExecutor, accountId: string): Promise<number> {
    const rows = await query(executor, `SELECT balance_micro_usd FROM ${table('credit_accounts')} WHERE account_id = ?`, [accountId]);
    return rows.length === 0 ? 0 : toNumber(rows[0].balance_micro_usd);
  }

  const creditColumns = ['id', 'account_id', 'kind', 'amount_micro_usd', 'occurred_at', 'data'];
  const creditValues = (entry: CreditEntryRecord): SqlValue[] => [
    entry.id,
    entry.accountId,
    entry.kind,
    entry.amountMicroUsd,
    entry.time,
    JSON.stringify(entry),
  ];

  const groupExpressions: Record<UsageGroupKey, string> = {
    provider: 'provider',
    model: 'model',
    feature: 'feature',
    user: 'user_id',
    day: dialect.dayNumber('occurred_at'),
  };

  const storage: Storage = {
    kind: dialect.name,
    migrate: () => ensureReady(),

    async saveProviderConfig(record) {
      validateProviderConfig(record);
      checkText(record.keyCiphertext, 'providerConfig.keyCiphertext');
      if (record.keyCiphertext.includes('\u0000')) throw new InvalidRequestError('Storage: providerConfig.keyCiphertext contains a NUL character');
      await operation('saveProviderConfig', () =>
        saveOwned(
          'provider configuration',
          'provider_configs',
          'user_id',
          ['id', 'user_id', 'provider', 'key_id', 'key_ciphertext', 'data', 'created_at', 'updated_at'],
          [
            record.id,
            record.userId,
            record.provider,
            record.keyId,
            record.keyCiphertext,
            jsonWithout(record, configColumnsInJson),
            record.createdAt,
            record.updatedAt,
          ],
          record.userId,
          record.id,
        ),
      );
    },
    getProviderConfig: (userId, id) =>
      operation('getProviderConfig', async () => {
        const rows = await query(client, `SELECT * FROM ${table('provider_configs')} WHERE id = ? AND user_id = ?`, [id, userId]);
        return rows.length === 0 ? undefined : configFromRow(rows[0]);
      }),
    listProviderConfigs: (userId) =>
      operation('listProviderConfigs', async () =>
        (await query(client, `SELECT * FROM ${table('provider_configs')} WHERE user_id = ? ORDER BY id`, [userId])).map(configFromRow),
      ),
    deleteProviderConfig: (userId, id) =>
      operation('deleteProviderConfig', async () =>
        (await execute(client, `DELETE FROM ${table('provider_configs')} WHERE id = ? AND user_id = ?`, [id, userId])) > 0,
      ),

    async saveProviderDefinition(record) {
      validateProviderDefinition(record);
      await operation('saveProviderDefinition', async () => {
        const values: SqlValue[] = [record.id, record.ownerId, JSON.stringify(record), record.createdAt, record.updatedAt];
        const columns = ['id', 'owner_id', 'data', 'created_at', 'updated_at'];
        if ((await insertIgnore(client, 'provider_definitions', columns, [values])) === 1) return;
        const owner = await ownerOf(client, 'provider_definitions', 'owner_id', record.id);
        if (owner === systemOwnerId) rejectImmutable('provider definition', record.id);
        await saveOwned('provider definition', 'provider_definitions', 'owner_id', columns, values, record.ownerId, record.id);
      });
    },
    getProviderDefinition: (userId, id) =>
      operation('getProviderDefinition', async () => {
        const rows = await query(client, `SELECT data FROM ${table('provider_definitions')} WHERE id = ? AND owner_id IN (?, ?)`, [id, userId, systemOwnerId]);
        return rows.length === 0 ? undefined : parseJson<ProviderDefinitionRecord>(rows[0].data);
      }),
    listProviderDefinitions: (userId) =>
      operation('listProviderDefinitions', async () =>
        (await query(client, `SELECT data FROM ${table('provider_definitions')} WHERE owner_id IN (?, ?) ORDER BY id`, [userId, systemOwnerId])).map((row) =>
          parseJson<ProviderDefinitionRecord>(row.data),
        ),
      ),
    deleteProviderDefinition: (userId, id) =>
      operation('deleteProviderDefinition', async () => {
        const owner = await ownerOf(client, 'provider_definitions', 'owner_id', id);
        if (owner === systemOwnerId) rejectImmutable('provider definition', id);
        if (owner !== userId) return false;
        return (await execute(client, `DELETE FROM ${table('provider_definitions')} WHERE id = ? AND owner_id = ?`, [id, userId])) > 0;
      }),

    async saveProviderInstance(record) {
      validateProviderInstance(record);
      if (record.keyCiphertext?.includes('\u0000')) throw new InvalidRequestError('Storage: providerInstance.keyCiphertext contains a NUL character');
      await operation('saveProviderInstance', () =>
        saveOwned(
          'provider instance',
          'provider_instances',
          'owner_id',
          ['id', 'owner_id', 'key_id', 'key_ciphertext', 'data', 'created_at', 'updated_at'],
          [
            record.id,
            record.ownerId,
            record.keyId ?? null,
            record.keyCiphertext ?? null,
            jsonWithout(record, configColumnsInJson),
            record.createdAt,
            record.updatedAt,
          ],
          record.ownerId,
          record.id,
        ),
      );
    },
    getProviderInstance: (userId, id) =>
      operation('getProviderInstance', async () => {
        const rows = await query(
          client,
          `SELECT * FROM ${table('provider_instances')} WHERE id = ? AND (owner_id = ? OR id IN (SELECT instance_id FROM ${table('provider_instance_shares')} WHERE user_id = ?))`,
          [id, userId, userId],
        );
        return rows.length === 0 ? undefined : instanceFromRow(rows[0], userId);
      }),
    listProviderInstances: (userId) =>
      operation('listProviderInstances', async () => {
        const rows = await query(
          client,
          `SELECT * FROM ${table('provider_instances')} WHERE owner_id = ? OR id IN (SELECT instance_id FROM ${table('provider_instance_shares')} WHERE user_id = ?) ORDER BY id`,
          [userId, userId],
        );
        return rows.map((row) => instanceFromRow(row, userId));
      }),
    deleteProviderInstance: (userId, id) =>
      operation('deleteProviderInstance', () =>
        transaction(async (executor) => {
          const deleted = await execute(executor, `DELETE FROM ${table('provider_instances')} WHERE id = ? AND owner_id = ?`, [id, userId]);
          if (deleted === 0) return false;
          await execute(executor, `DELETE FROM ${table('provider_instance_shares')} WHERE instance_id = ?`, [id]);
          return true;
        }),
      ),
    async shareProviderInstance(ownerId, instanceId, withUserId) {
      checkIdentifier(withUserId, 'withUserId');
      await operation('shareProviderInstance', async () => {
        const owner = await ownerOf(client, 'provider_instances', 'owner_id', instanceId);
        if (owner === undefined || owner !== ownerId) rejectForeignOwner('provider instance', instanceId);
        if (withUserId === ownerId) return;
        await insertIgnore(client, 'provider_instance_shares', ['instance_id', 'user_id'], [[instanceId, withUserId]]);
      });
    },
    unshareProviderInstance: (ownerId, instanceId, withUserId) =>
      operation('unshareProviderInstance', async () => {
        if ((await ownerOf(client, 'provider_instances', 'owner_id', instanceId)) !== ownerId) return false;
        return (await execute(client, `DELETE FROM ${table('provider_instance_shares')} WHERE instance_id = ? AND user_id = ?`, [instanceId, withUserId])) > 0;
      }),
    listProviderInstanceShares: (ownerId, instanceId) =>
      operation('listProviderInstanceShares', async () => {
        const rows = await query(
          client,
          `SELECT s.user_id AS user_id FROM ${table('provider_instance_shares')} s JOIN ${table('provider_instances')} i ON i.id = s.instance_id WHERE s.instance_id = ? AND i.owner_id = ? ORDER BY s.user_id`,
          [instanceId, ownerId],
        );
        return rows.map((row) => toText(row.user_id));
      }),

    listEncryptedKeys: (listQuery) =>
      operation('listEncryptedKeys', async () => {
        const limit = checkInteger(listQuery.limit, 'limit', { minimum: 1 });
        const isConfig = listQuery.kind === 'provider-config';
        const ownerColumn = isConfig ? 'user_id' : 'owner_id';
        const conditions = ['key_ciphertext IS NOT NULL'];
        const params: SqlValue[] = [];
        if (listQuery.afterId !== undefined) {
          conditions.push('id > ?');
          params.push(listQuery.afterId);
        }
        const rows = await query(
          client,
          `SELECT id, ${ownerColumn} AS owner_id, ${isConfig ? 'provider' : 'id'} AS key_provider, key_ciphertext, key_id FROM ${table(isConfig ? 'provider_configs' : 'provider_instances')} WHERE ${conditions.join(' AND ')} ORDER BY id LIMIT ?`,
          [...params, limit],
        );
        return rows.map(
          (row): EncryptedKeyRecord => ({
            kind: listQuery.kind,
            id: toText(row.id),
            ownerId: toText(row.owner_id),
            provider: toText(row.key_provider),
            keyCiphertext: toText(row.key_ciphertext),
            keyId: toText(row.key_id),
          }),
        );
      }),
    async compareAndSetKeyCiphertext(swap) {
      checkIdentifier(swap.keyId, 'keyId');
      checkInteger(swap.updatedAt, 'updatedAt');
      if (swap.keyCiphertext.includes('\u0000')) throw new InvalidRequestError('Storage: keyCiphertext contains a NUL character');
      return operation('compareAndSetKeyCiphertext', async () => {
        const tableName = swap.kind === 'provider-config' ? 'provider_configs' : 'provider_instances';
        const changed = await execute(
          client,
          `UPDATE ${table(tableName)} SET key_ciphertext = ?, key_id = ?, updated_at = ? WHERE id = ? AND key_ciphertext = ?`,
          [swap.keyCiphertext, swap.keyId, swap.updatedAt, swap.id, swap.expectedCiphertext],
        );
        if (changed > 0) return true;
        // An update that changes nothing reports 0 rows on MySQL without FOUND_ROWS.
        if (swap.keyCiphertext !== swap.expectedCiphertext) return false;
        const rows = await query(client, `SELECT 1 AS found FROM ${table(tableName)} WHERE id = ? AND key_ciphertext = ?`, [swap.id, swap.keyCiphertext]);
        return rows.length > 0;
      });
    },
    async appendKeyRotationAudit(records) {
      records.forEach(validateKeyRotationAudit);
      await operation('appendKeyRotationAudit', () =>
        insertIgnore(
          client,
          'key_rotation_audit',
          ['id', 'owner_id', 'occurred_at', 'data'],
          records.map((record) => [record.id, record.ownerId, record.time, JSON.stringify(record)]),
        ),
      );
    },
    listKeyRotationAudit: (auditQuery) =>
      operation('listKeyRotationAudit', async () => {
        const limit = checkLimit(auditQuery.limit, 100);
        const where = auditQuery.ownerId === undefined ? '' : 'WHERE owner_id = ?';
        const params: SqlValue[] = auditQuery.ownerId === undefined ? [] : [auditQuery.ownerId];
        const rows = await query(client, `SELECT data FROM ${table('key_rotation_audit')} ${where} ORDER BY occurred_at, id LIMIT ?`, [...params, limit]);
        return rows.map((row) => parseJson<KeyRotationAuditRecord>(row.data));
      }),

    async appendUsage(records) {
      records.forEach(validateUsageRecord);
      if (records.length === 0) return 0;
      return operation('appendUsage', async () => {
        if (dialect.bulkInsertIgnore) {
          const rows = records.map(usageToParams);
          // One array parameter per column: a batch of thousands of rows is one short statement.
          const statement = dialect.bulkInsertIgnore(table('usage'), usageBulkColumns);
          const insertBatches = async (executor: SqlExecutor) => {
            let inserted = 0;
            for (let start = 0; start < rows.length; start += 10_000) {
              const batch = rows.slice(start, start + 10_000);
              inserted += await execute(executor, statement, usageBulkColumns.map((_, column) => batch.map((row) => row[column] as string | number | null)));
            }
            return inserted;
          };
          return rows.length <= 10_000 ? insertBatches(client) : transaction(insertBatches);
        }
        if (client.inProcess && records.length > 1) {
          // In-process SQLite binds and steps a prepared single-row statement faster than a multi-row
          // VALUES list (measured with better-sqlite3: ~140k vs ~120k rows per CPU-second), and there is
          // no round trip per statement to save.
          const statement = dialect.prepare(dialect.insertIgnore(table('usage'), [...usageColumns], 1));
          return transaction(async (executor) => {
            let inserted = 0;
            for (const record of records) inserted += (await executor.execute(statement, usageToParams(record))).rowsAffected;
            return inserted;
          });
        }
        // One batch is one statement, atomic by itself; several batches share a transaction.
        const paramsOf = usageParamsOf(records);
        if (records.length * usageColumns.length <= maxParameters) return insertIgnoreRows(client, 'usage', usageColumns, records.length, paramsOf);
        return transaction((executor) => insertIgnoreRows(executor, 'usage', usageColumns, records.length, paramsOf));
      });
    },
    queryUsage: (usageQuery) =>
      operation('queryUsage', async () => {
        const limit = checkLimit(usageQuery.limit, 100);
        const conditions: string[] = [];
        const params: SqlValue[] = [];
        if (usageQuery.userId !== undefined) {
          conditions.push('user_id = ?');
          params.push(usageQuery.userId);
        }
        if (usageQuery.from !== undefined) {
          conditions.push('occurred_at >= ?');
          params.push(checkInteger(usageQuery.from, 'from'));
        }
        if (usageQuery.to !== undefined) {
          conditions.push('occurred_at < ?');
          params.push(checkInteger(usageQuery.to, 'to'));
        }
        if (usageQuery.after !== undefined) {
          conditions.push('(occurred_at > ? OR (occurred_at = ? AND id > ?))');
          params.push(usageQuery.after.time, usageQuery.after.time, usageQuery.after.id);
        }
        const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
        const rows = await query(client, `SELECT * FROM ${table('usage')} ${where} ORDER BY occurred_at, id LIMIT ?`, [...params, limit]);
        return rows.map(usageFromRow);
      }),
    summarizeUsage: (summaryQuery) =>
      operation('summarizeUsage', async () => {
        const conditions = ['occurred_at >= ?', 'occurred_at < ?'];
        const params: SqlValue[] = [checkInteger(summaryQuery.from, 'from'), checkInteger(summaryQuery.to, 'to')];
        if (summaryQuery.userId !== undefined) {
          conditions.push('user_id = ?');
          params.push(summaryQuery.userId);
        }
        const keys = checkGroupBy(summaryQuery.groupBy);
        const selectGroups = keys.map((key) => `${groupExpressions[key]} AS group_${key}`);
        const sql = [
          `SELECT ${[...selectGroups, 'COUNT(*) AS requests', 'SUM(input_tokens) AS input_tokens', 'SUM(output_tokens) AS output_tokens', 'SUM(cached_input_tokens) AS cached_input_tokens', 'SUM(reasoning_tokens) AS reasoning_tokens', 'SUM(cost_micro_usd) AS cost_micro_usd'].join(', ')}`,
          `FROM ${table('usage')} WHERE ${conditions.join(' AND ')}`,
          keys.length === 0 ? '' : `GROUP BY ${keys.map((key) => groupExpressions[key]).join(', ')}`,
        ].join(' ');
        const rows = await query(client, sql, params);
        const totals = emptyTotals();
        const groups: UsageSummaryGroup[] = [];
        for (const row of rows) {
          const requests = toNumber(row.requests);
          if (requests === 0) continue;
          const group: UsageGroupValues = {};
          for (const key of keys) {
            const value = row[`group_${key}`];
            if (key === 'day') group.day = dayFromNumber(toNumber(value));
            else Object.assign(group, { [key]: value === null || value === undefined ? null : toText(value) });
          }
          const entry: UsageSummaryGroup = {
            group,
            requests,
            inputTokens: toNumber(row.input_tokens),
            outputTokens: toNumber(row.output_tokens),
            cachedInputTokens: toNumber(row.cached_input_tokens),
            reasoningTokens: toNumber(row.reasoning_tokens),
            costMicroUsd: toNumber(row.cost_micro_usd),
          };
          groups.push(entry);
          totals.requests += entry.requests;
          totals.inputTokens += entry.inputTokens;
          totals.outputTokens += entry.outputTokens;
          totals.cachedInputTokens += entry.cachedInputTokens;
          totals.reasoningTokens += entry.reasoningTokens;
          totals.costMicroUsd += entry.costMicroUsd;
        }
        // Engines disagree on where NULL sorts; order the (few) groups here the same way everywhere.
        groups.sort((left, right) => {
          for (const key of keys) {
            const order = compareGroupValues(left.group[key], right.group[key]);
            if (order !== 0) return order;
          }
          return 0;
        });
        return { groups, totals };
      }),
    recentUsage: (recentQuery) =>
      operation('recentUsage', async () => {
        const limit = checkLimit(recentQuery.limit, 50);
        const where = recentQuery.userId === undefined ? '' : 'WHERE user_id = ?';
        const params: SqlValue[] = recentQuery.userId === undefined ? [] : [recentQuery.userId];
        const rows = await query(client, `SELECT * FROM ${table('usage')} ${where} ORDER BY occurred_at DESC, id DESC LIMIT ?`, [...params, limit]);
        return rows.map(usageFromRow);
      }),
    async pruneUsage(before) {
      checkInteger(before, 'before');
      return operation('pruneUsage', () => execute(client, `DELETE FROM ${table('usage')} WHERE occurred_at < ?`, [before]));
    },

    async saveModelCache(record) {
      checkIdentifier(record.provider, 'modelCache.provider');
      checkInteger(record.fetchedAt, 'modelCache.fetchedAt');
      if (!Array.isArray(record.models)) throw new InvalidRequestError('Storage: modelCache.models must be an array');
      await operation('saveModelCache', () =>
        execute(client, dialect.upsert(table('model_cache'), ['provider', 'data', 'fetched_at'], ['provider'], ['data', 'fetched_at']), [
          record.provider,
          JSON.stringify(record.models),
          record.fetchedAt,
        ]),
      );
    },
    getModelCache: (provider) =>
      operation('getModelCache', async () => {
        const rows = await query(client, `SELECT data, fetched_at FROM ${table('model_cache')} WHERE provider = ?`, [provider]);
        if (rows.length === 0) return undefined;
        return { provider, models: parseJson<ModelCacheRecord['models']>(rows[0].data), fetchedAt: toNumber(rows[0].fetched_at) };
      }),

    async saveFallbackRules(userId, rules, updatedAt) {
      checkIdentifier(userId, 'userId');
      checkInteger(updatedAt, 'updatedAt');
      if (!Array.isArray(rules)) throw new InvalidRequestError('Storage: fallback rules must be an array');
      await operation('saveFallbackRules', () =>
        execute(client, dialect.upsert(table('fallback_rules'), ['user_id', 'data', 'updated_at'], ['user_id'], ['data', 'updated_at']), [
          userId,
          JSON.stringify(rules),
          updatedAt,
        ]),
      );
    },
    getFallbackRules: (userId) =>
      operation('getFallbackRules', async () => {
        const rows = await query(client, `SELECT data, updated_at FROM ${table('fallback_rules')} WHERE user_id = ?`, [userId]);
        if (rows.length === 0) return undefined;
        return { userId, rules: parseJson<FallbackRulesRecord['rules']>(rows[0].data), updatedAt: toNumber(rows[0].updated_at) };
      }),

    async saveUsageAlert(record) {
      validateUsageAlert(record);
      await operation('saveUsageAlert', () =>
        saveOwned(
          'usage alert',
          'usage_alerts',
          'user_id',
          ['id', 'user_id', 'enabled', 'data', 'created_at'],
          [record.id, record.userId, record.enabled ? 1 : 0, JSON.stringify(record), record.createdAt],
          record.userId,
          record.id,
        ),
      );
    },
    listUsageAlerts: (userId) =>
      operation('listUsageAlerts', async () =>
        (await query(client, `SELECT data FROM ${table('usage_alerts')} WHERE user_id = ? ORDER BY id`, [userId])).map((row) => parseJson<UsageAlertRecord>(row.data)),
      ),
    listEnabledUsageAlerts: () =>
      operation('listEnabledUsageAlerts', async () =>
        (await query(client, `SELECT data FROM ${table('usage_alerts')} WHERE enabled = 1 ORDER BY id`)).map((row) => parseJson<UsageAlertRecord>(row.data)),
      ),
    deleteUsageAlert: (userId, id) =>
      operation('deleteUsageAlert', async () => (await execute(client, `DELETE FROM ${table('usage_alerts')} WHERE id = ? AND user_id = ?`, [id, userId])) > 0),
    async recordUsageAlertFiring(record) {
      validateUsageAlertFiring(record);
      return operation('recordUsageAlertFiring', async () =>
        (await insertIgnore(
          client,
          'usage_alert_firings',
          ['firing_key', 'alert_id', 'user_id', 'fired_at', 'data'],
          [[record.key, record.alertId, record.userId, record.firedAt, JSON.stringify(record)]],
        )) === 1,
      );
    },
    listUsageAlertFirings: (userId, listOptions = {}) =>
      operation('listUsageAlertFirings', async () => {
        const limit = checkLimit(listOptions.limit, 50);
        const conditions = ['user_id = ?'];
        const params: SqlValue[] = [userId];
        if (listOptions.alertId !== undefined) {
          conditions.push('alert_id = ?');
          params.push(listOptions.alertId);
        }
        if (listOptions.before !== undefined) {
          conditions.push('fired_at < ?');
          params.push(checkInteger(listOptions.before, 'before'));
        }
        const rows = await query(
          client,
          `SELECT data FROM ${table('usage_alert_firings')} WHERE ${conditions.join(' AND ')} ORDER BY fired_at DESC, firing_key DESC LIMIT ?`,
          [...params, limit],
        );
        return rows.map((row) => parseJson<UsageAlertFiringRecord>(row.data));
      }),

    async createConversation(record) {
      checkIdentifier(record.id, 'conversation.id');
      checkIdentifier(record.userId, 'conversation.userId');
      checkInteger(record.createdAt, 'conversation.createdAt');
      checkInteger(record.updatedAt, 'conversation.updatedAt');
      await operation('createConversation', async () => {
        const inserted = await insertIgnore(
          client,
          'conversations',
          ['id', 'user_id', 'data', 'message_count', 'created_at', 'updated_at'],
          [[record.id, record.userId, jsonWithout(record, ['messageCount', 'updatedAt']), 0, record.createdAt, record.updatedAt]],
        );
        if (inserted === 0) throw new InvalidRequestError(`Storage: conversation "${record.id}" already exists`);
      });
    },
    getConversation: (userId, id) =>
      operation('getConversation', async () => {
        const rows = await query(client, `SELECT * FROM ${table('conversations')} WHERE id = ? AND user_id = ?`, [id, userId]);
        return rows.length === 0 ? undefined : conversationFromRow(rows[0]);
      }),
    listConversations: (userId, listOptions = {}) =>
      operation('listConversations', async () => {
        const limit = checkLimit(listOptions.limit, 50);
        const conditions = ['user_id = ?'];
        const params: SqlValue[] = [userId];
        if (listOptions.before !== undefined) {
          conditions.push('updated_at < ?');
          params.push(checkInteger(listOptions.before, 'before'));
        }
        const rows = await query(
          client,
          `SELECT * FROM ${table('conversations')} WHERE ${conditions.join(' AND ')} ORDER BY updated_at DESC, id DESC LIMIT ?`,
          [...params, limit],
        );
        return rows.map(conversationFromRow);
      }),
    updateConversation: (userId, id, changes) =>
      operation('updateConversation', () =>
        transaction(async (executor) => {
          const rows = await query(executor, `SELECT data FROM ${table('conversations')} WHERE id = ? AND user_id = ?`, [id, userId]);
          if (rows.length === 0) return false;
          const data = parseJson<Record<string, unknown>>(rows[0].data);
          if (changes.title !== undefined) data.title = changes.title;
          if (changes.metadata !== undefined) data.metadata = changes.metadata;
          await execute(executor, `UPDATE ${table('conversations')} SET data = ? WHERE id = ? AND user_id = ?`, [JSON.stringify(data), id, userId]);
          return true;
        }),
      ),
    deleteConversation: (userId, id) =>
      operation('deleteConversation', () =>
        transaction(async (executor) => {
          const deleted = await execute(executor, `DELETE FROM ${table('conversations')} WHERE id = ? AND user_id = ?`, [id, userId]);
          if (deleted === 0) return false;
          await execute(executor, `DELETE FROM ${table('messages')} WHERE conversation_id = ?`, [id]);
          return true;
        }),
      ),
    async appendMessages(userId, conversationId, messages) {
      messages.forEach(validateMessage);
      return operation('appendMessages', async () => {
        if (messages.length === 0) {
          const rows = await query(client, `SELECT id FROM ${table('conversations')} WHERE id = ? AND user_id = ?`, [conversationId, userId]);
          if (rows.length === 0) throw new InvalidRequestError(`Storage: conversation "${conversationId}" not found for this user`);
          return [];
        }
        const latest = Math.max(...messages.map((message) => message.createdAt));
        try {
          return await transaction(async (executor) => {
            // Bumping the count first locks the conversation row, so concurrent appends get distinct sequences.
            const changed = await execute(
              executor,
              `UPDATE ${table('conversations')} SET message_count = message_count + ?, updated_at = CASE WHEN updated_at < ? THEN ? ELSE updated_at END WHERE id = ? AND user_id = ?`,
              [messages.length, latest, latest, conversationId, userId],
            );
            if (changed === 0) throw new InvalidRequestError(`Storage: conversation "${conversationId}" not found for this user`);
            const rows = await query(executor, `SELECT message_count FROM ${table('conversations')} WHERE id = ?`, [conversationId]);
            const first = toNumber(rows[0].message_count) - messages.length + 1;
            const records: ConversationMessageRecord[] = messages.map((message, index) => ({
              ...structuredClone(message),
              conversationId,
              sequence: first + index,
            }));
            const columns = ['id', 'conversation_id', 'seq', 'role', 'data', 'created_at'];
            const batchSize = Math.max(1, Math.floor(maxParameters / columns.length));
            for (let start = 0; start < records.length; start += batchSize) {
              const batch = records.slice(start, start + batchSize);
              await execute(
                executor,
                `INSERT INTO ${table('messages')} (${columns.join(', ')}) VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
                batch.flatMap((record) => [
                  record.id,
                  conversationId,
                  record.sequence,
                  record.message.role,
                  jsonWithout(record, ['sequence']),
                  record.createdAt,
                ]),
              );
            }
            return records;
          });
        } catch (error) {
          if (dialect.isUniqueViolation(error)) throw new InvalidRequestError('Storage: a message id in this append already exists', { cause: error });
          throw error;
        }
      });
    },
    listMessages: (userId, conversationId, listOptions = {}) =>
      operation('listMessages', async () => {
        const owned = await query(client, `SELECT id FROM ${table('conversations')} WHERE id = ? AND user_id = ?`, [conversationId, userId]);
        if (owned.length === 0) return [];
        const conditions = ['conversation_id = ?'];
        const params: SqlValue[] = [conversationId];
        if (listOptions.system === 'only') conditions.push("role = 'system'");
        if (listOptions.system === 'exclude') conditions.push("role <> 'system'");
        if (listOptions.limit === undefined) {
          const rows = await query(client, `SELECT seq, data FROM ${table('messages')} WHERE ${conditions.join(' AND ')} ORDER BY seq`, params);
          return rows.map(messageFromRow);
        }
        const rows = await query(
          client,
          `SELECT seq, data FROM ${table('messages')} WHERE ${conditions.join(' AND ')} ORDER BY seq DESC LIMIT ?`,
          [...params, checkLimit(listOptions.limit, 50)],
        );
        return rows.map(messageFromRow).reverse();
      }),
    async pruneConversations(before) {
      checkInteger(before, 'before');
      return operation('pruneConversations', () =>
        transaction(async (executor) => {
          const removed = await execute(executor, `DELETE FROM ${table('conversations')} WHERE updated_at < ?`, [before]);
          if (removed > 0) {
            await execute(
              executor,
              `DELETE FROM ${table('messages')} WHERE NOT EXISTS (SELECT 1 FROM ${table('conversations')} c WHERE c.id = ${table('messages')}.conversation_id)`,
            );
          }
          return removed;
        }),
      );
    },

    async appendCreditEntries(entries) {
      entries.forEach(validateCreditEntry);
      if (entries.length === 0) return 0;
      return operation('appendCreditEntries', async () => {
        // Account rows are created up front in their own statements, so the transaction below only takes
        // exclusive row locks (MySQL deadlocks when a shared lock from an insert is upgraded).
        const accounts = [...new Set(entries.map((entry) => entry.accountId))].sort();
        for (const accountId of accounts) await ensureCreditAccount(client, accountId);
        return transaction(async (executor) => {
          const added = new Map<string, number>();
          let count = 0;
          for (const entry of entries) {
            if ((await insertIgnore(executor, 'credit_entries', creditColumns, [creditValues(entry)])) === 0) continue;
            added.set(entry.accountId, (added.get(entry.accountId) ?? 0) + entry.amountMicroUsd);
            count += 1;
          }
          // Accounts in sorted order, so concurrent batches lock them in the same order.
          for (const accountId of accounts) {
            const amount = added.get(accountId);
            if (amount === undefined) continue;
            await execute(executor, `UPDATE ${table('credit_accounts')} SET balance_micro_usd = balance_micro_usd + ? WHERE account_id = ?`, [amount, accountId]);
          }
          return count;
        });
      });
    },
    async appendCreditEntryIfCovered(entry) {
      validateCreditEntry(entry, 0);
      return operation('appendCreditEntryIfCovered', async () => {
        await ensureCreditAccount(client, entry.accountId);
        const status = await transaction(async (executor) => {
          // The guarded UPDATE comes first: its row lock serialises every change to this account, and the
          // check and the change are one atomic statement in every engine.
          const changed = await execute(
            executor,
            `UPDATE ${table('credit_accounts')} SET balance_micro_usd = balance_micro_usd + ? WHERE account_id = ? AND balance_micro_usd + ? >= 0`,
            [entry.amountMicroUsd, entry.accountId, entry.amountMicroUsd],
          );
          const covered = changed > 0 || (entry.amountMicroUsd === 0 && (await readBalance(executor, entry.accountId)) >= 0);
          if (!covered) {
            const existing = await query(executor, `SELECT id FROM ${table('credit_entries')} WHERE id = ?`, [entry.id]);
            return existing.length > 0 ? ('duplicate' as const) : ('insufficient' as const);
          }
          if ((await insertIgnore(executor, 'credit_entries', creditColumns, [creditValues(entry)])) === 0) {
            throw new RollbackSignal('duplicate' as const);
          }
          return 'applied' as const;
        });
        return { status, balanceMicroUsd: await readBalance(client, entry.accountId) };
      });
    },
    creditBalance: (accountId) => operation('creditBalance', () => readBalance(client, accountId)),
    listCreditEntries: (accountId, listOptions = {}) =>
      operation('listCreditEntries', async () => {
        const limit = checkLimit(listOptions.limit, 50);
        const conditions = ['account_id = ?'];
        const params: SqlValue[] = [accountId];
        if (listOptions.before !== undefined) {
          conditions.push('occurred_at < ?');
          params.push(checkInteger(listOptions.before, 'before'));
        }
        const rows = await query(
          client,
          `SELECT data FROM ${table('credit_entries')} WHERE ${conditions.join(' AND ')} ORDER BY occurred_at DESC, id DESC LIMIT ?`,
          [...params, limit],
        );
        return rows.map((row) => parseJson<CreditEntryRecord>(row.data));
      }),

    async saveBudget(record) {
      validateBudget(record);
      await operation('saveBudget', () =>
        saveOwned(
          'budget',
          'budgets',
          'owner_id',
          ['id', 'owner_id', 'data', 'created_at', 'updated_at'],
          [record.id, record.ownerId, JSON.stringify(record), record.createdAt, record.updatedAt],
          record.ownerId,
          record.id,
        ),
      );
    },
    getBudget: (ownerId, id) =>
      operation('getBudget', async () => {
        const rows = await query(client, `SELECT data FROM ${table('budgets')} WHERE id = ? AND owner_id = ?`, [id, ownerId]);
        return rows.length === 0 ? undefined : parseJson<BudgetRecord>(rows[0].data);
      }),
    listBudgets: (ownerId) =>
      operation('listBudgets', async () =>
        (await query(client, `SELECT data FROM ${table('budgets')} WHERE owner_id = ? ORDER BY id`, [ownerId])).map((row) => parseJson<BudgetRecord>(row.data)),
      ),
    deleteBudget: (ownerId, id) =>
      operation('deleteBudget', async () => (await execute(client, `DELETE FROM ${table('budgets')} WHERE id = ? AND owner_id = ?`, [id, ownerId])) > 0),
  };
  return storage;
}
