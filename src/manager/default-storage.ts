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
 * The in-memory storage the manager uses when none is configured, loaded on first use. Every Storage
 * method is asynchronous and the ledger writes it off the hot path, so deferring it costs one import; an
 * app that never reads its ledger back (or a Worker with its own storage) does not carry its code at
 * start-up — it is an eighth of the core entry.
 */
export function createDefaultStorage(): Storage {
  let loading: Promise<Storage> | undefined;
  const load = (): Promise<Storage> =>
    (loading ??= import('../storage/memory/memory-storage').then((module) => module.createMemoryStorage()));
  const storage: Record<string, unknown> = { kind: 'memory' };
  for (const name of storageMethods) {
    storage[name] = (...args: unknown[]) => load().then((loaded) => (loaded[name] as (...input: unknown[]) => Promise<unknown>)(...args));
  }
  return storage as unknown as Storage;
}
