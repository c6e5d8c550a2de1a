import { StorageError } from '../../errors/storage-error';
import type { SqlRow } from './sql-client';
import type { UsageRecord } from '../../spec/storage';

/** Drivers return 64-bit integers and SUMs as numbers, strings (pg, mysql2 DECIMAL) or bigints (PGlite). */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value !== '') return Number(value);
  if (value === null || value === undefined) return 0;
  throw new StorageError(`Storage: unexpected numeric value of type ${typeof value} from the database`, { retryable: false });
}

export function toOptionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : toNumber(value);
}

/** Text columns may come back as Buffers from some MySQL setups; decode them. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return String(value);
}

export function toOptionalText(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : toText(value);
}

export function parseJson<T>(value: unknown): T {
  return JSON.parse(toText(value)) as T;
}

/** JSON text of a record without the fields that live in their own columns. */
export function jsonWithout(record: object, omitted: readonly string[]): string {
  const copy: Record<string, unknown> = { ...record };
  for (const key of omitted) delete copy[key];
  return JSON.stringify(copy);
}

export const usageColumns = [
  'id',
  'occurred_at',
  'user_id',
  'feature',
  'provider',
  'model',
  'key_source',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'reasoning_tokens',
  'cost_micro_usd',
  'price_table_version',
  'latency_ms',
  'time_to_first_token_ms',
  'status',
  'error_class',
  'cached',
  'attempt_number',
  'request_id',
  'estimated',
] as const;

/** Element types of the usage columns, for the PostgreSQL bulk insert. */
export const usageBulkColumns: { name: string; type: 'text' | 'bigint' | 'integer' }[] = usageColumns.map((name) => ({
  name,
  type: ['cached', 'attempt_number', 'estimated'].includes(name)
    ? 'integer'
    : ['occurred_at', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'reasoning_tokens', 'cost_micro_usd', 'latency_ms', 'time_to_first_token_ms'].includes(name)
      ? 'bigint'
      : 'text',
}));

/** Writes the `usageColumns` values of one record into `target` from `offset`. */
export function writeUsageParams(record: UsageRecord, target: (string | number | null)[], offset: number): void {
  target[offset] = record.id;
  target[offset + 1] = record.time;
  target[offset + 2] = record.userId ?? null;
  target[offset + 3] = record.feature ?? null;
  target[offset + 4] = record.provider;
  target[offset + 5] = record.model;
  target[offset + 6] = record.keySource;
  target[offset + 7] = record.inputTokens;
  target[offset + 8] = record.outputTokens;
  target[offset + 9] = record.cachedInputTokens;
  target[offset + 10] = record.reasoningTokens;
  target[offset + 11] = record.costMicroUsd;
  target[offset + 12] = record.priceTableVersion;
  target[offset + 13] = record.latencyMs;
  target[offset + 14] = record.timeToFirstTokenMs ?? null;
  target[offset + 15] = record.status;
  target[offset + 16] = record.errorClass ?? null;
  target[offset + 17] = record.cached ? 1 : 0;
  target[offset + 18] = record.attemptNumber;
  target[offset + 19] = record.requestId ?? null;
  target[offset + 20] = record.estimated ? 1 : 0;
}

export function usageToParams(record: UsageRecord): (string | number | null)[] {
  const params = new Array<string | number | null>(usageColumns.length);
  writeUsageParams(record, params, 0);
  return params;
}

/**
 * The values of records [start, end) in one flat array, as a multi-row VALUES list binds them. Written
 * straight from the records: per-row arrays joined with Array.prototype.flat cost ~2.5 µs per row, about
 * a fifth of the SQLite ledger path.
 */
export function usageParamsOf(records: readonly UsageRecord[]): (start: number, end: number) => (string | number | null)[] {
  return (start, end) => {
    const width = usageColumns.length;
    const params = new Array<string | number | null>((end - start) * width);
    for (let index = start; index < end; index += 1) writeUsageParams(records[index], params, (index - start) * width);
    return params;
  };
}

export function usageFromRow(row: SqlRow): UsageRecord {
  const record: UsageRecord = {
    id: toText(row.id),
    time: toNumber(row.occurred_at),
    provider: toText(row.provider),
    model: toText(row.model),
    keySource: toText(row.key_source) as UsageRecord['keySource'],
    inputTokens: toNumber(row.input_tokens),
    outputTokens: toNumber(row.output_tokens),
    cachedInputTokens: toNumber(row.cached_input_tokens),
    reasoningTokens: toNumber(row.reasoning_tokens),
    costMicroUsd: toNumber(row.cost_micro_usd),
    priceTableVersion: toText(row.price_table_version),
    latencyMs: toNumber(row.latency_ms),
    status: toText(row.status) as UsageRecord['status'],
    cached: toNumber(row.cached) === 1,
    attemptNumber: toNumber(row.attempt_number),
    estimated: toNumber(row.estimated) === 1,
  };
  const userId = toOptionalText(row.user_id);
  if (userId !== undefined) record.userId = userId;
  const feature = toOptionalText(row.feature);
  if (feature !== undefined) record.feature = feature;
  const timeToFirstTokenMs = toOptionalNumber(row.time_to_first_token_ms);
  if (timeToFirstTokenMs !== undefined) record.timeToFirstTokenMs = timeToFirstTokenMs;
  const errorClass = toOptionalText(row.error_class);
  if (errorClass !== undefined) record.errorClass = errorClass;
  const requestId = toOptionalText(row.request_id);
  if (requestId !== undefined) record.requestId = requestId;
  return record;
}
