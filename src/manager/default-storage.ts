import type { Storage } from '../spec/storage';

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
  let loading: Promise<Storage> | undefined;
  const load = (): Promise<Storage> =>
    (loading ??= import('../storage/memory/memory-storage').then((module) => module.createMemoryStorage()));
  // Start loading now, in the background: the first ledger write (or any read) then rarely waits, and
  // calls finished meanwhile stay queued in the usage writer (bounded by maxBufferedRecords).
  load().catch(() => undefined);
  const storage: Record<string, unknown> = { kind: 'memory' };
  for (const name of storageMethods) {
    storage[name] = (...args: unknown[]) => load().then((loaded) => (loaded[name] as (...input: unknown[]) => Promise<unknown>)(...args));
  }
  return storage as unknown as Storage;
}
