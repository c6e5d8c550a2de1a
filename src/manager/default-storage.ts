import { lazyMethods } from '../lazy/lazy-methods';
import type { Storage, UsageRecord } from '../spec/storage';

type StorageMethod = Exclude<keyof Storage, 'kind'>;

const storageMethods = [
  'migrate', 'saveProviderConfig', 'getProviderConfig', 'listProviderConfigs', 'deleteProviderConfig', 'saveProviderDefinition',
  'getProviderDefinition', 'listProviderDefinitions', 'deleteProviderDefinition', 'saveProviderInstance', 'getProviderInstance',
  'listProviderInstances', 'deleteProviderInstance', 'shareProviderInstance', 'unshareProviderInstance', 'listProviderInstanceShares',
  'listEncryptedKeys', 'compareAndSetKeyCiphertext', 'appendKeyRotationAudit', 'listKeyRotationAudit', 'appendUsage', 'queryUsage',
  'summarizeUsage', 'recentUsage', 'pruneUsage', 'saveModelCache', 'getModelCache', 'saveFallbackRules', 'getFallbackRules',
  'saveUsageAlert', 'listUsageAlerts', 'listEnabledUsageAlerts', 'deleteUsageAlert', 'recordUsageAlertFiring', 'listUsageAlertFirings',
  'createConversation', 'getConversation', 'listConversations', 'updateConversation', 'deleteConversation', 'appendMessages',
  'listMessages', 'pruneConversations', 'appendCreditEntries', 'appendCreditEntryIfCovered', 'creditBalance', 'listCreditEntries',
  'saveBudget', 'getBudget', 'listBudgets', 'deleteBudget',
] as const satisfies readonly StorageMethod[];

// Fails to compile when the Storage contract gains a method this list lacks.
const everyMethodListed: Exclude<StorageMethod, (typeof storageMethods)[number]> extends never ? true : never = true;
void everyMethodListed;

/**
 * The in-memory storage the manager uses when none is configured, loaded by a dynamic import started when
 * the manager is created. Every Storage method is asynchronous and the ledger writes off the hot path, so
 * the wait is invisible to calls; the core entry does not carry its code (an eighth of the entry).
 */
export function createDefaultStorage(): Storage {
  // Usage batches written before the module has loaded are held here, then appended first, in order. The
  // import needs the event loop: a host that keeps calling without ever yielding to it (a tight loop over a
  // fake fetch) would otherwise fill the usage writer's buffer while it waits, and lose records. The memory
  // storage keeps every record anyway, so holding them here costs nothing more.
  let early: UsageRecord[][] | undefined = [];
  const earlyIds = new Set<string>();
  // Started now, in the background: reads then rarely wait.
  const loading = import('../storage/memory/memory-storage').then(async (module) => {
    const loaded = module.createMemoryStorage();
    for (const batch of early ?? []) await loaded.appendUsage(batch);
    early = undefined;
    earlyIds.clear();
    return loaded;
  });
  const storage = { kind: 'memory', ...lazyMethods(loading, storageMethods) } as Storage;
  const appendLater = storage.appendUsage;
  storage.appendUsage = (records: UsageRecord[]): Promise<number> => {
    if (early === undefined) return appendLater(records);
    early.push(records.slice());
    // As the storage counts: records whose id is already held are not new (it ignores them on append).
    let added = 0;
    for (const record of records) {
      if (earlyIds.has(record.id)) continue;
      earlyIds.add(record.id);
      added++;
    }
    return Promise.resolve(added);
  };
  return storage;
}
