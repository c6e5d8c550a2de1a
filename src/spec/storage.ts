import type {
  ConditionalCreditResult,
  EncryptedKeyListQuery,
  KeyCiphertextSwap,
  ListOptions,
  MessageListOptions,
  RecentUsageQuery,
  UsageQuery,
  UsageSummary,
  UsageSummaryQuery,
} from './storage-queries';
import type {
  BudgetRecord,
  ConversationMessageRecord,
  ConversationRecord,
  CreditEntryRecord,
  EncryptedKeyRecord,
  EpochMilliseconds,
  FallbackRule,
  FallbackRulesRecord,
  KeyRotationAuditRecord,
  MicroUsd,
  ModelCacheRecord,
  NewConversationMessage,
  ProviderConfigRecord,
  ProviderDefinitionRecord,
  ProviderInstanceRecord,
  ProviderInstanceView,
  UsageAlertFiringRecord,
  UsageAlertRecord,
  UsageRecord,
} from './storage-records';

export type * from './storage-records';
export type * from './storage-queries';

/**
 * Everything the manager remembers. Implemented by `createMemoryStorage()` and
 * `createSqlStorage({ dialect, client })`; every implementation passes the same conformance suite.
 *
 * Tenancy: every per-user read takes the user id and never returns another user's rows, except provider
 * instances shared with the reader (read-only). Writes to a record owned by someone else are rejected with
 * an `InvalidRequestError`. Backend failures surface as `StorageError` (retryable).
 */
export interface Storage {
  /** Backend name for diagnostics: `memory`, `sqlite`, `postgres`, `mysql`. */
  readonly kind: string;
  /** Creates or upgrades the schema. Called implicitly before the first operation; safe to call concurrently from several processes. */
  migrate(): Promise<void>;

  /** Inserts or replaces a provider configuration by id. Rejected if the id belongs to another user. */
  saveProviderConfig(record: ProviderConfigRecord): Promise<void>;
  /** One of the user's provider configurations. */
  getProviderConfig(userId: string, id: string): Promise<ProviderConfigRecord | undefined>;
  /** All provider configurations of the user, by id. */
  listProviderConfigs(userId: string): Promise<ProviderConfigRecord[]>;
  /** Deletes one; true when something was deleted. */
  deleteProviderConfig(userId: string, id: string): Promise<boolean>;

  /** Inserts or replaces a definition. System-owned definitions can be inserted once and never changed. */
  saveProviderDefinition(record: ProviderDefinitionRecord): Promise<void>;
  /** A definition the user owns, or a system-owned one. */
  getProviderDefinition(userId: string, id: string): Promise<ProviderDefinitionRecord | undefined>;
  /** The user's definitions and the system-owned ones, by id. */
  listProviderDefinitions(userId: string): Promise<ProviderDefinitionRecord[]>;
  /** Deletes a definition the user owns (never a system-owned one); true when something was deleted. */
  deleteProviderDefinition(userId: string, id: string): Promise<boolean>;

  /** Inserts or replaces an instance. Rejected if the id belongs to another owner. */
  saveProviderInstance(record: ProviderInstanceRecord): Promise<void>;
  /** An instance the user owns or that was shared with them. */
  getProviderInstance(userId: string, id: string): Promise<ProviderInstanceView | undefined>;
  /** Instances the user owns and those shared with them, by id. */
  listProviderInstances(userId: string): Promise<ProviderInstanceView[]>;
  /** Deletes an instance the user owns, with its shares; true when something was deleted. */
  deleteProviderInstance(userId: string, id: string): Promise<boolean>;
  /** Shares an owned instance read-only with another user (idempotent). Rejected if `ownerId` does not own it. */
  shareProviderInstance(ownerId: string, instanceId: string, withUserId: string): Promise<void>;
  /** Withdraws a share; true when one existed. */
  unshareProviderInstance(ownerId: string, instanceId: string, withUserId: string): Promise<boolean>;
  /** Users an owned instance is shared with, sorted. Empty when `ownerId` does not own it. */
  listProviderInstanceShares(ownerId: string, instanceId: string): Promise<string[]>;

  /** Encrypted keys of one kind in id order after a cursor, for key rotation. Not tenant-scoped: rotation is a host operation. */
  listEncryptedKeys(query: EncryptedKeyListQuery): Promise<EncryptedKeyRecord[]>;
  /** Replaces a ciphertext only if the stored one still equals `expectedCiphertext`; true when it was replaced. */
  compareAndSetKeyCiphertext(swap: KeyCiphertextSwap): Promise<boolean>;
  /** Appends key-rotation audit rows; ids already stored are ignored. */
  appendKeyRotationAudit(records: KeyRotationAuditRecord[]): Promise<void>;
  /** Audit rows, oldest first; only those of `ownerId` when given. */
  listKeyRotationAudit(query: { ownerId?: string; limit?: number }): Promise<KeyRotationAuditRecord[]>;

  /** Appends usage records in one batch; records whose id is already stored are ignored (never double-counted). Returns how many were new. */
  appendUsage(records: UsageRecord[]): Promise<number>;
  /** Usage records in time order (then id). */
  queryUsage(query: UsageQuery): Promise<UsageRecord[]>;
  /** Aggregates in the backend: totals per group over a period. */
  summarizeUsage(query: UsageSummaryQuery): Promise<UsageSummary>;
  /** Most recent usage records, newest first. */
  recentUsage(query: RecentUsageQuery): Promise<UsageRecord[]>;
  /** Deletes usage records older than `before` (exclusive); returns how many. */
  pruneUsage(before: EpochMilliseconds): Promise<number>;

  /** Stores the model list of a provider, replacing the previous one. */
  saveModelCache(record: ModelCacheRecord): Promise<void>;
  /** The cached model list of a provider. */
  getModelCache(provider: string): Promise<ModelCacheRecord | undefined>;

  /** Replaces the user's fallback rules. */
  saveFallbackRules(userId: string, rules: FallbackRule[], updatedAt: EpochMilliseconds): Promise<void>;
  /** The user's fallback rules, or undefined when none were saved. */
  getFallbackRules(userId: string): Promise<FallbackRulesRecord | undefined>;

  /** Inserts or replaces an alert definition. Rejected if the id belongs to another user. */
  saveUsageAlert(record: UsageAlertRecord): Promise<void>;
  /** The user's alerts, by id. */
  listUsageAlerts(userId: string): Promise<UsageAlertRecord[]>;
  /** All enabled alerts of every user, by id (for the host's alert evaluator). */
  listEnabledUsageAlerts(): Promise<UsageAlertRecord[]>;
  /** Deletes an alert (its firings stay as history); true when something was deleted. */
  deleteUsageAlert(userId: string, id: string): Promise<boolean>;
  /** Records that an alert fired; false when a firing with the same key was already stored (fire once per period). */
  recordUsageAlertFiring(record: UsageAlertFiringRecord): Promise<boolean>;
  /** The user's firings, newest first. */
  listUsageAlertFirings(userId: string, options?: ListOptions & { alertId?: string }): Promise<UsageAlertFiringRecord[]>;

  /** Creates a conversation. Rejected if the id exists. */
  createConversation(record: Omit<ConversationRecord, 'messageCount'>): Promise<void>;
  /** One of the user's conversations. */
  getConversation(userId: string, id: string): Promise<ConversationRecord | undefined>;
  /** The user's conversations, most recently updated first. */
  listConversations(userId: string, options?: ListOptions): Promise<ConversationRecord[]>;
  /** Changes title and metadata of one of the user's conversations; true when it exists. */
  updateConversation(userId: string, id: string, changes: { title?: string; metadata?: Record<string, unknown> }): Promise<boolean>;
  /** Deletes a conversation and its messages; true when something was deleted. */
  deleteConversation(userId: string, id: string): Promise<boolean>;
  /** Appends messages atomically in one transaction: all are stored, in order, or none. Rejected if the conversation is not the user's. */
  appendMessages(userId: string, conversationId: string, messages: NewConversationMessage[]): Promise<ConversationMessageRecord[]>;
  /** Messages of one of the user's conversations, oldest first. */
  listMessages(userId: string, conversationId: string, options?: MessageListOptions): Promise<ConversationMessageRecord[]>;
  /** Deletes conversations (and their messages) not updated since `before` (exclusive); returns how many. */
  pruneConversations(before: EpochMilliseconds): Promise<number>;

  /** Appends credit entries; ids already stored are ignored. Returns how many were new. */
  appendCreditEntries(entries: CreditEntryRecord[]): Promise<number>;
  /** Appends one negative entry only if the balance stays at or above zero, atomically across processes. */
  appendCreditEntryIfCovered(entry: CreditEntryRecord): Promise<ConditionalCreditResult>;
  /** Balance of an account: the exact sum of its entries, in micro-dollars. */
  creditBalance(accountId: string): Promise<MicroUsd>;
  /** Entries of an account, newest first. */
  listCreditEntries(accountId: string, options?: ListOptions): Promise<CreditEntryRecord[]>;

  /** Inserts or replaces a budget. Rejected if the id belongs to another owner. */
  saveBudget(record: BudgetRecord): Promise<void>;
  /** One of the owner's budgets. */
  getBudget(ownerId: string, id: string): Promise<BudgetRecord | undefined>;
  /** The owner's budgets, by id. */
  listBudgets(ownerId: string): Promise<BudgetRecord[]>;
  /** Deletes a budget; true when something was deleted. */
  deleteBudget(ownerId: string, id: string): Promise<boolean>;
}
