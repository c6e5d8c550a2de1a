import { InvalidRequestError } from '../errors/invalid-request-error';
import type {
  BudgetRecord,
  CreditEntryRecord,
  KeyRotationAuditRecord,
  NewConversationMessage,
  ProviderConfigRecord,
  ProviderDefinitionRecord,
  ProviderInstanceRecord,
  UsageAlertFiringRecord,
  UsageAlertRecord,
  UsageRecord,
} from '../spec/storage';

/** Longest identifier every backend can index (MySQL: 191 utf8mb4 characters). */
export const maximumIdentifierLength = 191;

const positiveKinds = new Set(['grant', 'purchase', 'refund', 'release']);
const negativeKinds = new Set(['debit', 'reservation']);

const storagePrefix = 'Storage: ';

function reject(field: string, problem: string): never {
  throw new InvalidRequestError(`${storagePrefix}${field} ${problem}`);
}

/** Identifiers are indexed and compared: non-empty, at most 191 characters, no NUL (PostgreSQL text cannot hold it). */
export function checkIdentifier(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) reject(field, 'must be a non-empty string');
  if (value.length > maximumIdentifierLength) reject(field, `is longer than ${maximumIdentifierLength} characters`);
  if (value.includes('\u0000')) reject(field, 'contains a NUL character, which identifiers may not hold');
  return value;
}

export function checkOptionalIdentifier(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : checkIdentifier(value, field);
}

/** Counts, times and micro-dollar amounts are safe integers so sums stay exact. */
export function checkInteger(value: unknown, field: string, options: { minimum?: number } = {}): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) reject(field, 'must be a safe integer');
  if (options.minimum !== undefined && value < options.minimum) reject(field, `must be at least ${options.minimum}`);
  return value;
}

export function checkOptionalInteger(value: unknown, field: string, options: { minimum?: number } = {}): number | undefined {
  return value === undefined || value === null ? undefined : checkInteger(value, field, options);
}

export function checkText(value: unknown, field: string): string {
  if (typeof value !== 'string') reject(field, 'must be a string');
  return value;
}

export function checkOptionalText(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : checkText(value, field);
}

export function checkFiniteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) reject(field, 'must be a finite number');
  return value;
}

export function checkOneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    reject(field, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function checkLimit(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  return Math.min(checkInteger(value, 'limit', { minimum: 1 }), 10_000);
}

const atLeastZero = { minimum: 0 };
const atLeastOne = { minimum: 1 };
const keySources = ['byok', 'managed', 'local'] as const;
const usageStatuses = ['success', 'error', 'aborted'] as const;
const usageCounts = ['inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens', 'costMicroUsd', 'latencyMs'] as const;

export function validateUsageRecord(record: UsageRecord, index: number): void {
  // Every ledger row passes here: field names are constants and the row's index joins the message only
  // when a check fails, so a valid row allocates nothing.
  try {
    checkIdentifier(record.id, 'id');
    checkInteger(record.time, 'time', atLeastZero);
    checkOptionalIdentifier(record.userId, 'userId');
    checkOptionalIdentifier(record.feature, 'feature');
    checkIdentifier(record.provider, 'provider');
    checkIdentifier(record.model, 'model');
    checkOneOf(record.keySource, 'keySource', keySources);
    for (const field of usageCounts) checkInteger(record[field], field, atLeastZero);
    checkOptionalInteger(record.timeToFirstTokenMs, 'timeToFirstTokenMs', atLeastZero);
    checkIdentifier(record.priceTableVersion, 'priceTableVersion');
    checkOneOf(record.status, 'status', usageStatuses);
    checkOptionalIdentifier(record.errorClass, 'errorClass');
    checkInteger(record.attemptNumber, 'attemptNumber', atLeastOne);
    checkOptionalIdentifier(record.requestId, 'requestId');
    if (typeof record.cached !== 'boolean') reject('cached', 'must be a boolean');
    if (typeof record.estimated !== 'boolean') reject('estimated', 'must be a boolean');
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) throw error;
    throw new InvalidRequestError(error.message.replace(storagePrefix, `${storagePrefix}usage[${index}].`));
  }
}

export function validateProviderConfig(record: ProviderConfigRecord): void {
  checkIdentifier(record.id, 'providerConfig.id');
  checkIdentifier(record.userId, 'providerConfig.userId');
  checkIdentifier(record.provider, 'providerConfig.provider');
  checkOptionalText(record.label, 'providerConfig.label');
  checkText(record.keyCiphertext, 'providerConfig.keyCiphertext');
  checkIdentifier(record.keyId, 'providerConfig.keyId');
  checkText(record.keyHint, 'providerConfig.keyHint');
  checkOptionalText(record.baseUrl, 'providerConfig.baseUrl');
  if (typeof record.enabled !== 'boolean') reject('providerConfig.enabled', 'must be a boolean');
  checkInteger(record.createdAt, 'providerConfig.createdAt');
  checkInteger(record.updatedAt, 'providerConfig.updatedAt');
}

export function validateProviderDefinition(record: ProviderDefinitionRecord): void {
  checkIdentifier(record.id, 'providerDefinition.id');
  checkIdentifier(record.ownerId, 'providerDefinition.ownerId');
  checkText(record.name, 'providerDefinition.name');
  checkIdentifier(record.standard, 'providerDefinition.standard');
  checkOptionalText(record.baseUrl, 'providerDefinition.baseUrl');
  checkOptionalText(record.model, 'providerDefinition.model');
  checkOptionalInteger(record.embeddingDimensions, 'providerDefinition.embeddingDimensions', { minimum: 1 });
  checkInteger(record.createdAt, 'providerDefinition.createdAt');
  checkInteger(record.updatedAt, 'providerDefinition.updatedAt');
}

export function validateProviderInstance(record: ProviderInstanceRecord): void {
  checkIdentifier(record.id, 'providerInstance.id');
  checkIdentifier(record.ownerId, 'providerInstance.ownerId');
  checkOptionalIdentifier(record.definitionId, 'providerInstance.definitionId');
  checkText(record.name, 'providerInstance.name');
  checkIdentifier(record.standard, 'providerInstance.standard');
  checkOptionalText(record.baseUrl, 'providerInstance.baseUrl');
  checkOptionalText(record.model, 'providerInstance.model');
  checkOptionalInteger(record.embeddingDimensions, 'providerInstance.embeddingDimensions', { minimum: 1 });
  checkOptionalText(record.keyCiphertext, 'providerInstance.keyCiphertext');
  checkOptionalIdentifier(record.keyId, 'providerInstance.keyId');
  checkOptionalText(record.keyHint, 'providerInstance.keyHint');
  if ((record.keyCiphertext === undefined) !== (record.keyId === undefined)) {
    reject('providerInstance.keyId', 'must be given exactly when keyCiphertext is');
  }
  checkInteger(record.createdAt, 'providerInstance.createdAt');
  checkInteger(record.updatedAt, 'providerInstance.updatedAt');
}

export function validateUsageAlert(record: UsageAlertRecord): void {
  checkIdentifier(record.id, 'usageAlert.id');
  checkIdentifier(record.userId, 'usageAlert.userId');
  checkOptionalText(record.name, 'usageAlert.name');
  checkOneOf(record.metric, 'usageAlert.metric', ['cost', 'requests', 'tokens', 'budget']);
  checkOneOf(record.period, 'usageAlert.period', ['hour', 'day', 'month', 'total']);
  checkFiniteNumber(record.limit, 'usageAlert.limit');
  if (!Array.isArray(record.thresholdsPercent)) reject('usageAlert.thresholdsPercent', 'must be an array');
  record.thresholdsPercent.forEach((value, index) => checkFiniteNumber(value, `usageAlert.thresholdsPercent[${index}]`));
  checkOptionalIdentifier(record.budgetId, 'usageAlert.budgetId');
  if (typeof record.enabled !== 'boolean') reject('usageAlert.enabled', 'must be a boolean');
  checkInteger(record.createdAt, 'usageAlert.createdAt');
}

export function validateUsageAlertFiring(record: UsageAlertFiringRecord): void {
  checkIdentifier(record.key, 'usageAlertFiring.key');
  checkIdentifier(record.alertId, 'usageAlertFiring.alertId');
  checkIdentifier(record.userId, 'usageAlertFiring.userId');
  checkInteger(record.periodStart, 'usageAlertFiring.periodStart');
  checkFiniteNumber(record.thresholdPercent, 'usageAlertFiring.thresholdPercent');
  checkFiniteNumber(record.value, 'usageAlertFiring.value');
  checkInteger(record.firedAt, 'usageAlertFiring.firedAt');
}

export function validateKeyRotationAudit(record: KeyRotationAuditRecord, index: number): void {
  const prefix = `keyRotationAudit[${index}].`;
  checkIdentifier(record.id, `${prefix}id`);
  checkInteger(record.time, `${prefix}time`);
  checkOneOf(record.kind, `${prefix}kind`, ['provider-config', 'provider-instance']);
  checkIdentifier(record.recordId, `${prefix}recordId`);
  checkIdentifier(record.ownerId, `${prefix}ownerId`);
  checkIdentifier(record.provider, `${prefix}provider`);
  if (record.fromKeyId !== null) checkIdentifier(record.fromKeyId, `${prefix}fromKeyId`);
  checkIdentifier(record.toKeyId, `${prefix}toKeyId`);
  checkIdentifier(record.actor, `${prefix}actor`);
  checkOneOf(record.reason, `${prefix}reason`, ['rotation', 'lazy', 'migration']);
}

export function validateMessage(message: NewConversationMessage, index: number): void {
  const prefix = `messages[${index}].`;
  checkIdentifier(message.id, `${prefix}id`);
  if (typeof message.message !== 'object' || message.message === null) reject(`${prefix}message`, 'must be a message object');
  checkOneOf(message.message.role, `${prefix}message.role`, ['system', 'user', 'assistant', 'tool']);
  const content: unknown = message.message.content;
  if (typeof content !== 'string' && !Array.isArray(content)) reject(`${prefix}message.content`, 'must be a string or an array of parts');
  checkOptionalIdentifier(message.model, `${prefix}model`);
  checkOptionalInteger(message.tokens, `${prefix}tokens`, { minimum: 0 });
  checkInteger(message.createdAt, `${prefix}createdAt`);
}

export function validateCreditEntry(entry: CreditEntryRecord, index: number): void {
  const prefix = `creditEntries[${index}].`;
  checkIdentifier(entry.id, `${prefix}id`);
  checkIdentifier(entry.accountId, `${prefix}accountId`);
  const kind = checkOneOf(entry.kind, `${prefix}kind`, ['grant', 'purchase', 'debit', 'refund', 'reservation', 'release']);
  const amount = checkInteger(entry.amountMicroUsd, `${prefix}amountMicroUsd`);
  if (positiveKinds.has(kind) && amount < 0) reject(`${prefix}amountMicroUsd`, `must not be negative for a ${kind}`);
  if (negativeKinds.has(kind) && amount > 0) reject(`${prefix}amountMicroUsd`, `must not be positive for a ${kind}`);
  checkInteger(entry.time, `${prefix}time`);
  checkOptionalIdentifier(entry.reference, `${prefix}reference`);
  checkOptionalText(entry.note, `${prefix}note`);
}

export function validateBudget(record: BudgetRecord): void {
  checkIdentifier(record.id, 'budget.id');
  checkIdentifier(record.ownerId, 'budget.ownerId');
  checkOneOf(record.scope, 'budget.scope', ['app', 'team', 'project', 'user', 'key']);
  checkIdentifier(record.scopeId, 'budget.scopeId');
  checkInteger(record.limitMicroUsd, 'budget.limitMicroUsd', { minimum: 0 });
  checkOneOf(record.period, 'budget.period', ['hour', 'day', 'month', 'total']);
  checkOptionalIdentifier(record.parentId, 'budget.parentId');
  checkInteger(record.createdAt, 'budget.createdAt');
  checkInteger(record.updatedAt, 'budget.updatedAt');
}

/** Refuses to let a write take over a record owned by someone else. */
export function rejectForeignOwner(what: string, id: string): never {
  throw new InvalidRequestError(`Storage: ${what} "${id}" belongs to another owner`);
}

export function rejectImmutable(what: string, id: string): never {
  throw new InvalidRequestError(`Storage: ${what} "${id}" is owned by the system and cannot be changed or deleted`);
}

/** UTC calendar day `YYYY-MM-DD` of a day number (days since the epoch). */
export function dayFromNumber(dayNumber: number): string {
  return new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);
}

const groupKeys = ['provider', 'model', 'feature', 'user', 'day'];

/** Group keys of a usage summary, deduplicated, each one of the known keys. */
export function checkGroupBy<T extends string>(keys: readonly T[]): T[] {
  if (!Array.isArray(keys)) reject('groupBy', 'must be an array');
  for (const key of keys) {
    if (!groupKeys.includes(key)) reject('groupBy', `key "${String(key)}" is not one of ${groupKeys.join(', ')}`);
  }
  return [...new Set(keys)];
}
