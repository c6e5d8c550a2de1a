import { InvalidRequestError } from '../../errors/invalid-request-error';
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
  UsageRecord,
  UsageSummaryGroup,
  UsageTotals,
} from '../../spec/storage';
import { systemOwnerId } from '../system-owner';
import {
  checkIdentifier,
  checkInteger,
  checkGroupBy,
  checkLimit,
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

// Records are copied in and out so callers can never mutate what is stored.
const copy = <T>(value: T): T => structuredClone(value);
// The ledger is the one table written on every call: its rows are copied field by field (strings, numbers
// and booleans, validated on the way in) rather than structured-cloned, keeping only the contract's
// fields as the SQL adapter does.
function copyUsage(record: UsageRecord): UsageRecord {
  const copied: UsageRecord = {
    id: record.id, time: record.time, provider: record.provider, model: record.model, keySource: record.keySource,
    inputTokens: record.inputTokens, outputTokens: record.outputTokens, cachedInputTokens: record.cachedInputTokens,
    reasoningTokens: record.reasoningTokens, costMicroUsd: record.costMicroUsd, priceTableVersion: record.priceTableVersion,
    latencyMs: record.latencyMs, status: record.status, cached: record.cached, attemptNumber: record.attemptNumber, estimated: record.estimated,
  };
  if (record.userId !== undefined) copied.userId = record.userId;
  if (record.feature !== undefined) copied.feature = record.feature;
  if (record.timeToFirstTokenMs !== undefined) copied.timeToFirstTokenMs = record.timeToFirstTokenMs;
  if (record.errorClass !== undefined) copied.errorClass = record.errorClass;
  if (record.requestId !== undefined) copied.requestId = record.requestId;
  return copied;
}

const byId = <T extends { id: string }>(left: T, right: T): number => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0);

function emptyTotals(): UsageTotals {
  return { requests: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, costMicroUsd: 0 };
}

function groupValue(record: UsageRecord, key: UsageGroupKey): string | null {
  switch (key) {
    case 'provider':
      return record.provider;
    case 'model':
      return record.model;
    case 'feature':
      return record.feature ?? null;
    case 'user':
      return record.userId ?? null;
    case 'day':
      return dayFromNumber(Math.floor(record.time / 86_400_000));
  }
}

// SQL sorts NULL first in SQLite and MySQL and last in PostgreSQL; we sort NULL first everywhere.
function compareGroupValues(left: string | null, right: string | null): number {
  if (left === right) return 0;
  if (left === null) return -1;
  if (right === null) return 1;
  return left < right ? -1 : 1;
}

/** Keeps everything in process memory: the zero-configuration default, lost on exit. */
export function createMemoryStorage(): Storage {
  const providerConfigs = new Map<string, ProviderConfigRecord>();
  const definitions = new Map<string, ProviderDefinitionRecord>();
  const instances = new Map<string, ProviderInstanceRecord>();
  const shares = new Map<string, Set<string>>();
  const usage = new Map<string, UsageRecord>();
  const modelCache = new Map<string, ModelCacheRecord>();
  const fallbackRules = new Map<string, FallbackRulesRecord>();
  const alerts = new Map<string, UsageAlertRecord>();
  const alertFirings = new Map<string, UsageAlertFiringRecord>();
  const rotationAudit = new Map<string, KeyRotationAuditRecord>();
  const conversations = new Map<string, ConversationRecord>();
  const messages = new Map<string, ConversationMessageRecord[]>();
  const creditEntries = new Map<string, CreditEntryRecord>();
  const balances = new Map<string, number>();
  const budgets = new Map<string, BudgetRecord>();

  const viewInstance = (record: ProviderInstanceRecord, userId: string): ProviderInstanceView | undefined => {
    if (record.ownerId === userId) return { ...copy(record), access: 'owner' };
    if (shares.get(record.id)?.has(userId)) return { ...copy(record), access: 'shared' };
    return undefined;
  };

  const ownedConversation = (userId: string, id: string): ConversationRecord | undefined => {
    const conversation = conversations.get(id);
    return conversation && conversation.userId === userId ? conversation : undefined;
  };

  const filterUsage = (query: { userId?: string; from?: number; to?: number }): UsageRecord[] => {
    const rows: UsageRecord[] = [];
    for (const record of usage.values()) {
      if (query.userId !== undefined && record.userId !== query.userId) continue;
      if (query.from !== undefined && record.time < query.from) continue;
      if (query.to !== undefined && record.time >= query.to) continue;
      rows.push(record);
    }
    return rows;
  };

  const byTimeThenId = (left: UsageRecord, right: UsageRecord): number =>
    left.time - right.time || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0);

  const applyCredit = (entry: CreditEntryRecord): void => {
    creditEntries.set(entry.id, copy(entry));
    balances.set(entry.accountId, (balances.get(entry.accountId) ?? 0) + entry.amountMicroUsd);
  };

  const storage: Storage = {
    kind: 'memory',
    async migrate() {},

    async saveProviderConfig(record) {
      validateProviderConfig(record);
      const existing = providerConfigs.get(record.id);
      if (existing && existing.userId !== record.userId) rejectForeignOwner('provider configuration', record.id);
      providerConfigs.set(record.id, copy(record));
    },
    async getProviderConfig(userId, id) {
      const record = providerConfigs.get(id);
      return record && record.userId === userId ? copy(record) : undefined;
    },
    async listProviderConfigs(userId) {
      return [...providerConfigs.values()].filter((record) => record.userId === userId).sort(byId).map(copy);
    },
    async deleteProviderConfig(userId, id) {
      const record = providerConfigs.get(id);
      if (!record || record.userId !== userId) return false;
      return providerConfigs.delete(id);
    },

    async saveProviderDefinition(record) {
      validateProviderDefinition(record);
      const existing = definitions.get(record.id);
      if (existing) {
        if (existing.ownerId === systemOwnerId) rejectImmutable('provider definition', record.id);
        if (existing.ownerId !== record.ownerId) rejectForeignOwner('provider definition', record.id);
      }
      definitions.set(record.id, copy(record));
    },
    async getProviderDefinition(userId, id) {
      const record = definitions.get(id);
      return record && (record.ownerId === userId || record.ownerId === systemOwnerId) ? copy(record) : undefined;
    },
    async listProviderDefinitions(userId) {
      return [...definitions.values()]
        .filter((record) => record.ownerId === userId || record.ownerId === systemOwnerId)
        .sort(byId)
        .map(copy);
    },
    async deleteProviderDefinition(userId, id) {
      const record = definitions.get(id);
      if (!record) return false;
      if (record.ownerId === systemOwnerId) rejectImmutable('provider definition', id);
      if (record.ownerId !== userId) return false;
      return definitions.delete(id);
    },

    async saveProviderInstance(record) {
      validateProviderInstance(record);
      const existing = instances.get(record.id);
      if (existing && existing.ownerId !== record.ownerId) rejectForeignOwner('provider instance', record.id);
      instances.set(record.id, copy(record));
    },
    async getProviderInstance(userId, id) {
      const record = instances.get(id);
      return record ? viewInstance(record, userId) : undefined;
    },
    async listProviderInstances(userId) {
      const views: ProviderInstanceView[] = [];
      for (const record of instances.values()) {
        const view = viewInstance(record, userId);
        if (view) views.push(view);
      }
      return views.sort(byId);
    },
    async deleteProviderInstance(userId, id) {
      const record = instances.get(id);
      if (!record || record.ownerId !== userId) return false;
      shares.delete(id);
      return instances.delete(id);
    },
    async shareProviderInstance(ownerId, instanceId, withUserId) {
      checkIdentifier(withUserId, 'withUserId');
      const record = instances.get(instanceId);
      if (!record || record.ownerId !== ownerId) rejectForeignOwner('provider instance', instanceId);
      if (withUserId === ownerId) return;
      const set = shares.get(instanceId) ?? new Set<string>();
      set.add(withUserId);
      shares.set(instanceId, set);
    },
    async unshareProviderInstance(ownerId, instanceId, withUserId) {
      const record = instances.get(instanceId);
      if (!record || record.ownerId !== ownerId) return false;
      return shares.get(instanceId)?.delete(withUserId) ?? false;
    },
    async listProviderInstanceShares(ownerId, instanceId) {
      const record = instances.get(instanceId);
      if (!record || record.ownerId !== ownerId) return [];
      return [...(shares.get(instanceId) ?? [])].sort();
    },

    async listEncryptedKeys(query) {
      const limit = checkInteger(query.limit, 'limit', { minimum: 1 });
      const rows: EncryptedKeyRecord[] = [];
      if (query.kind === 'provider-config') {
        for (const record of providerConfigs.values()) {
          rows.push({ kind: query.kind, id: record.id, ownerId: record.userId, provider: record.provider, keyCiphertext: record.keyCiphertext, keyId: record.keyId });
        }
      } else {
        for (const record of instances.values()) {
          if (record.keyCiphertext === undefined || record.keyId === undefined) continue;
          rows.push({ kind: query.kind, id: record.id, ownerId: record.ownerId, provider: record.id, keyCiphertext: record.keyCiphertext, keyId: record.keyId });
        }
      }
      return rows
        .filter((row) => query.afterId === undefined || row.id > query.afterId)
        .sort(byId)
        .slice(0, limit);
    },
    async compareAndSetKeyCiphertext(swap) {
      checkIdentifier(swap.keyId, 'keyId');
      const record = swap.kind === 'provider-config' ? providerConfigs.get(swap.id) : instances.get(swap.id);
      if (!record || record.keyCiphertext !== swap.expectedCiphertext) return false;
      record.keyCiphertext = swap.keyCiphertext;
      record.keyId = swap.keyId;
      record.updatedAt = swap.updatedAt;
      return true;
    },
    async appendKeyRotationAudit(records) {
      records.forEach(validateKeyRotationAudit);
      for (const record of records) if (!rotationAudit.has(record.id)) rotationAudit.set(record.id, copy(record));
    },
    async listKeyRotationAudit(query) {
      const limit = checkLimit(query.limit, 100);
      return [...rotationAudit.values()]
        .filter((record) => query.ownerId === undefined || record.ownerId === query.ownerId)
        .sort((left, right) => left.time - right.time || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0))
        .slice(0, limit)
        .map(copy);
    },

    async appendUsage(records) {
      records.forEach(validateUsageRecord);
      let added = 0;
      for (const record of records) {
        if (usage.has(record.id)) continue;
        usage.set(record.id, copyUsage(record));
        added += 1;
      }
      return added;
    },
    async queryUsage(query) {
      const limit = checkLimit(query.limit, 100);
      const after = query.after;
      return filterUsage(query)
        .filter((record) => !after || record.time > after.time || (record.time === after.time && record.id > after.id))
        .sort(byTimeThenId)
        .slice(0, limit)
        .map(copyUsage);
    },
    async summarizeUsage(query) {
      checkInteger(query.from, 'from');
      checkInteger(query.to, 'to');
      const groupBy = checkGroupBy(query.groupBy);
      const groups = new Map<string, UsageSummaryGroup>();
      const totals = emptyTotals();
      for (const record of filterUsage(query)) {
        const values = groupBy.map((key) => groupValue(record, key));
        const mapKey = JSON.stringify(values);
        let group = groups.get(mapKey);
        if (!group) {
          const groupValues: UsageGroupValues = {};
          groupBy.forEach((key, index) => Object.assign(groupValues, { [key]: values[index] }));
          group = { group: groupValues, ...emptyTotals() };
          groups.set(mapKey, group);
        }
        for (const target of [group, totals]) {
          target.requests += 1;
          target.inputTokens += record.inputTokens;
          target.outputTokens += record.outputTokens;
          target.cachedInputTokens += record.cachedInputTokens;
          target.reasoningTokens += record.reasoningTokens;
          target.costMicroUsd += record.costMicroUsd;
        }
      }
      const sorted = [...groups.values()].sort((left, right) => {
        for (const key of groupBy) {
          const order = compareGroupValues(left.group[key] ?? null, right.group[key] ?? null);
          if (order !== 0) return order;
        }
        return 0;
      });
      return { groups: sorted, totals };
    },
    async recentUsage(query) {
      const limit = checkLimit(query.limit, 50);
      return filterUsage(query)
        .sort((left, right) => byTimeThenId(right, left))
        .slice(0, limit)
        .map(copyUsage);
    },
    async pruneUsage(before) {
      checkInteger(before, 'before');
      let removed = 0;
      for (const [id, record] of usage) {
        if (record.time < before) {
          usage.delete(id);
          removed += 1;
        }
      }
      return removed;
    },

    async saveModelCache(record) {
      checkIdentifier(record.provider, 'modelCache.provider');
      checkInteger(record.fetchedAt, 'modelCache.fetchedAt');
      if (!Array.isArray(record.models)) throw new InvalidRequestError('Storage: modelCache.models must be an array');
      modelCache.set(record.provider, copy(record));
    },
    async getModelCache(provider) {
      const record = modelCache.get(provider);
      return record ? copy(record) : undefined;
    },

    async saveFallbackRules(userId, rules, updatedAt) {
      checkIdentifier(userId, 'userId');
      checkInteger(updatedAt, 'updatedAt');
      if (!Array.isArray(rules)) throw new InvalidRequestError('Storage: fallback rules must be an array');
      fallbackRules.set(userId, copy({ userId, rules, updatedAt }));
    },
    async getFallbackRules(userId) {
      const record = fallbackRules.get(userId);
      return record ? copy(record) : undefined;
    },

    async saveUsageAlert(record) {
      validateUsageAlert(record);
      const existing = alerts.get(record.id);
      if (existing && existing.userId !== record.userId) rejectForeignOwner('usage alert', record.id);
      alerts.set(record.id, copy(record));
    },
    async listUsageAlerts(userId) {
      return [...alerts.values()].filter((record) => record.userId === userId).sort(byId).map(copy);
    },
    async listEnabledUsageAlerts() {
      return [...alerts.values()].filter((record) => record.enabled).sort(byId).map(copy);
    },
    async deleteUsageAlert(userId, id) {
      const record = alerts.get(id);
      if (!record || record.userId !== userId) return false;
      return alerts.delete(id);
    },
    async recordUsageAlertFiring(record) {
      validateUsageAlertFiring(record);
      if (alertFirings.has(record.key)) return false;
      alertFirings.set(record.key, copy(record));
      return true;
    },
    async listUsageAlertFirings(userId, options = {}) {
      const limit = checkLimit(options.limit, 50);
      return [...alertFirings.values()]
        .filter((record) => record.userId === userId)
        .filter((record) => options.alertId === undefined || record.alertId === options.alertId)
        .filter((record) => options.before === undefined || record.firedAt < options.before)
        .sort((left, right) => right.firedAt - left.firedAt || (left.key < right.key ? 1 : -1))
        .slice(0, limit)
        .map(copy);
    },

    async createConversation(record) {
      checkIdentifier(record.id, 'conversation.id');
      checkIdentifier(record.userId, 'conversation.userId');
      checkInteger(record.createdAt, 'conversation.createdAt');
      checkInteger(record.updatedAt, 'conversation.updatedAt');
      if (conversations.has(record.id)) throw new InvalidRequestError(`Storage: conversation "${record.id}" already exists`);
      conversations.set(record.id, { ...copy(record), messageCount: 0 });
      messages.set(record.id, []);
    },
    async getConversation(userId, id) {
      const record = ownedConversation(userId, id);
      return record ? copy(record) : undefined;
    },
    async listConversations(userId, options = {}) {
      const limit = checkLimit(options.limit, 50);
      return [...conversations.values()]
        .filter((record) => record.userId === userId)
        .filter((record) => options.before === undefined || record.updatedAt < options.before)
        .sort((left, right) => right.updatedAt - left.updatedAt || (left.id < right.id ? 1 : -1))
        .slice(0, limit)
        .map(copy);
    },
    async updateConversation(userId, id, changes) {
      const record = ownedConversation(userId, id);
      if (!record) return false;
      if (changes.title !== undefined) record.title = changes.title;
      if (changes.metadata !== undefined) record.metadata = copy(changes.metadata);
      return true;
    },
    async deleteConversation(userId, id) {
      if (!ownedConversation(userId, id)) return false;
      messages.delete(id);
      return conversations.delete(id);
    },
    async appendMessages(userId, conversationId, newMessages) {
      newMessages.forEach(validateMessage);
      const conversation = ownedConversation(userId, conversationId);
      if (!conversation) throw new InvalidRequestError(`Storage: conversation "${conversationId}" not found for this user`);
      const stored = messages.get(conversationId) ?? [];
      const known = new Set(stored.map((message) => message.id));
      for (const message of newMessages) {
        if (known.has(message.id)) throw new InvalidRequestError(`Storage: message "${message.id}" already exists`);
        known.add(message.id);
      }
      // Validation is complete before the first write, so the append is all or nothing.
      const appended = newMessages.map((message, index) => ({
        ...copy(message),
        conversationId,
        sequence: conversation.messageCount + index + 1,
      }));
      stored.push(...appended);
      messages.set(conversationId, stored);
      conversation.messageCount += appended.length;
      conversation.updatedAt = Math.max(conversation.updatedAt, ...appended.map((message) => message.createdAt));
      return appended.map(copy);
    },
    async listMessages(userId, conversationId, options = {}) {
      if (!ownedConversation(userId, conversationId)) return [];
      let rows = messages.get(conversationId) ?? [];
      if (options.system === 'only') rows = rows.filter((message) => message.message.role === 'system');
      if (options.system === 'exclude') rows = rows.filter((message) => message.message.role !== 'system');
      if (options.limit !== undefined) rows = rows.slice(-checkLimit(options.limit, 50));
      return rows.map(copy);
    },
    async pruneConversations(before) {
      checkInteger(before, 'before');
      let removed = 0;
      for (const [id, record] of conversations) {
        if (record.updatedAt < before) {
          conversations.delete(id);
          messages.delete(id);
          removed += 1;
        }
      }
      return removed;
    },

    async appendCreditEntries(entries) {
      entries.forEach(validateCreditEntry);
      let added = 0;
      for (const entry of entries) {
        if (creditEntries.has(entry.id)) continue;
        applyCredit(entry);
        added += 1;
      }
      return added;
    },
    async appendCreditEntryIfCovered(entry) {
      validateCreditEntry(entry, 0);
      const balance = balances.get(entry.accountId) ?? 0;
      if (creditEntries.has(entry.id)) return { status: 'duplicate', balanceMicroUsd: balance };
      if (balance + entry.amountMicroUsd < 0) return { status: 'insufficient', balanceMicroUsd: balance };
      applyCredit(entry);
      return { status: 'applied', balanceMicroUsd: balance + entry.amountMicroUsd };
    },
    async creditBalance(accountId) {
      return balances.get(accountId) ?? 0;
    },
    async listCreditEntries(accountId, options = {}) {
      const limit = checkLimit(options.limit, 50);
      return [...creditEntries.values()]
        .filter((entry) => entry.accountId === accountId)
        .filter((entry) => options.before === undefined || entry.time < options.before)
        .sort((left, right) => right.time - left.time || (left.id < right.id ? 1 : -1))
        .slice(0, limit)
        .map(copy);
    },

    async saveBudget(record) {
      validateBudget(record);
      const existing = budgets.get(record.id);
      if (existing && existing.ownerId !== record.ownerId) rejectForeignOwner('budget', record.id);
      budgets.set(record.id, copy(record));
    },
    async getBudget(ownerId, id) {
      const record = budgets.get(id);
      return record && record.ownerId === ownerId ? copy(record) : undefined;
    },
    async listBudgets(ownerId) {
      return [...budgets.values()].filter((record) => record.ownerId === ownerId).sort(byId).map(copy);
    },
    async deleteBudget(ownerId, id) {
      const record = budgets.get(id);
      if (!record || record.ownerId !== ownerId) return false;
      return budgets.delete(id);
    },
  };
  return storage;
}
