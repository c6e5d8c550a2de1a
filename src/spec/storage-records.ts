import type { KeySource } from './attempt';
import type { Message } from './message';
import type { ModelInfo } from './model-info';

/**
 * Conventions shared by every stored record:
 * - Times are integer milliseconds since the Unix epoch (UTC).
 * - Money is integer micro-dollars (1 USD = 1,000,000): sums are exact integers in every backend, so a
 *   report is exact to the cent. Sums stay exact up to 2^53 micro-dollars (about 9 billion USD).
 * - Identifiers (ids, user ids, provider, model, feature names) are at most 191 characters (the longest
 *   MySQL can index in utf8mb4) and contain no NUL character; adapters reject others with an
 *   `InvalidRequestError` naming the field. Free text (titles, message content, settings) has no such
 *   limit and round-trips NUL, quotes and emoji unchanged.
 */
export type EpochMilliseconds = number;

/** An amount of money in integer micro-dollars (1 USD = 1,000,000). */
export type MicroUsd = number;

/** JSON-serialisable settings attached to a record. */
export type StoredSettings = Record<string, unknown>;

/** A provider configuration of one user (BYOK) or of the host (managed, owned by the system owner id). */
export interface ProviderConfigRecord {
  /** Unique id chosen by the caller (for example `${userId}:${provider}`). */
  id: string;
  /** Owner. Managed keys of the host are owned by the system owner id (`systemOwnerId`, `__system__`). */
  userId: string;
  /** Provider id (`openai`, `anthropic`, …). */
  provider: string;
  /** Optional label to tell several keys for one provider apart. */
  label?: string;
  /** The API key encrypted by the vault. Never the plaintext key. */
  keyCiphertext: string;
  /** Id of the vault key that encrypted `keyCiphertext` (needed for rotation). */
  keyId: string;
  /** Masked hint for listings, such as `sk-ab...xyz`. */
  keyHint: string;
  /** Override of the provider's base URL. */
  baseUrl?: string;
  /** Whether the configuration may be used; disabled ones are kept but skipped. */
  enabled: boolean;
  /** Further provider options (organisation, region, headers without secrets). */
  settings?: StoredSettings;
  /** When it was created. */
  createdAt: EpochMilliseconds;
  /** When it was last changed. */
  updatedAt: EpochMilliseconds;
}

/** A reusable provider template: endpoint, wire standard, model, embedding dimensions. */
export interface ProviderDefinitionRecord {
  /** Unique id. */
  id: string;
  /** Owner: a user id, or the system owner id for built-in definitions, which are immutable once stored. */
  ownerId: string;
  /** Human-readable name. */
  name: string;
  /** Wire standard the endpoint speaks (`openai`, `anthropic`, `google`, `ollama`, `cohere`, `openai-compatible`). */
  standard: string;
  /** Endpoint base URL. */
  baseUrl?: string;
  /** Default model id. */
  model?: string;
  /** Dimensions of the embedding model, when it is one. */
  embeddingDimensions?: number;
  /** Further options of the template. */
  settings?: StoredSettings;
  /** When it was created. */
  createdAt: EpochMilliseconds;
  /** When it was last changed. */
  updatedAt: EpochMilliseconds;
}

/** A configured provider owned by one user, optionally made from a definition, shareable read-only. */
export interface ProviderInstanceRecord {
  /** Unique id. */
  id: string;
  /** The user who owns it; only the owner may change, share or delete it. */
  ownerId: string;
  /** Definition it was made from, if any. */
  definitionId?: string;
  /** Human-readable name. */
  name: string;
  /** Wire standard (copied from the definition or set directly). */
  standard: string;
  /** Endpoint base URL. */
  baseUrl?: string;
  /** Model id. */
  model?: string;
  /** Vector size the instance declares for embeddings (copied from the definition or set directly); embed calls are checked against it. */
  embeddingDimensions?: number;
  /** API key encrypted by the vault, when the instance has its own key. */
  keyCiphertext?: string;
  /** Id of the vault key that encrypted `keyCiphertext`. */
  keyId?: string;
  /** Masked hint of the key for listings. */
  keyHint?: string;
  /** Further options. */
  settings?: StoredSettings;
  /** When it was created. */
  createdAt: EpochMilliseconds;
  /** When it was last changed. */
  updatedAt: EpochMilliseconds;
}

/** A provider instance as seen by one user: their own, or one shared with them read-only. */
export interface ProviderInstanceView extends ProviderInstanceRecord {
  /** `owner` when the reader owns it, `shared` when another user shared it with the reader. */
  access: 'owner' | 'shared';
}

/** Outcome of one recorded attempt. */
export type UsageStatus = 'success' | 'error' | 'aborted';

/** One row of the usage ledger: one attempt that reached a provider (or a cache hit). */
export interface UsageRecord {
  /** Idempotency key: appending a record whose id is already stored is ignored. */
  id: string;
  /** When the attempt started. */
  time: EpochMilliseconds;
  /** User the call was made for; absent for anonymous calls. */
  userId?: string;
  /** Feature tag of the host app (`ai-chat`, `summarise`…). */
  feature?: string;
  /** Provider id. */
  provider: string;
  /** Provider model id. */
  model: string;
  /** Whose key paid: the user's own (`byok`), the host's (`managed`), or none (`local`). */
  keySource: KeySource;
  /** Prompt tokens, including cached ones. */
  inputTokens: number;
  /** Completion tokens, including reasoning ones. */
  outputTokens: number;
  /** Prompt tokens served from the provider's prompt cache. */
  cachedInputTokens: number;
  /** Output tokens spent on reasoning. */
  reasoningTokens: number;
  /** Cost charged for this attempt, in integer micro-dollars (0 for local models and cache hits). */
  costMicroUsd: MicroUsd;
  /** Version of the price table the cost was computed with. */
  priceTableVersion: string;
  /** Wall time of the attempt in milliseconds. */
  latencyMs: number;
  /** Time to the first streamed token, for streams. */
  timeToFirstTokenMs?: number;
  /** Outcome. */
  status: UsageStatus;
  /** Error class name (`ProviderRateLimitError`…) when it failed. */
  errorClass?: string;
  /** Whether the answer came from the response cache. */
  cached: boolean;
  /** 1-based position of this attempt within its request. */
  attemptNumber: number;
  /** Id of the request this attempt belongs to (shared by its fallback attempts). */
  requestId?: string;
  /** Whether the token counts are our estimate because the provider reported none. */
  estimated: boolean;
}

/** Cached model list of one provider (or provider instance). */
export interface ModelCacheRecord {
  /** Provider id or instance id the list belongs to. */
  provider: string;
  /** The models. */
  models: ModelInfo[];
  /** When the list was fetched from the provider. */
  fetchedAt: EpochMilliseconds;
}

/** One fallback rule of a user. */
export interface FallbackRule {
  /** Id of the rule, unique within the user's rules. */
  id: string;
  /** Feature the rule applies to; absent for every feature. */
  feature?: string;
  /** Model references to try in order (`provider:model`). */
  models: string[];
}

/** The fallback rules of one user. */
export interface FallbackRulesRecord {
  /** Owner. */
  userId: string;
  /** Rules, in the order the user gave them. */
  rules: FallbackRule[];
  /** When they were last changed. */
  updatedAt: EpochMilliseconds;
}

/** What a usage alert watches. */
export type UsageAlertMetric = 'cost' | 'requests' | 'tokens' | 'budget';

/** Period over which a usage alert or budget accumulates. */
export type UsagePeriod = 'hour' | 'day' | 'month' | 'total';

/** A usage alert definition: fire a hook once per period when a threshold is crossed. */
export interface UsageAlertRecord {
  /** Unique id. */
  id: string;
  /** Owner. */
  userId: string;
  /** Human-readable name. */
  name?: string;
  /** What is measured. */
  metric: UsageAlertMetric;
  /** Period the measure accumulates over. */
  period: UsagePeriod;
  /** Limit the thresholds are fractions of (micro-dollars for cost and budget, counts otherwise). */
  limit: number;
  /** Thresholds in percent of `limit`, such as `[50, 80, 100]`. */
  thresholdsPercent: number[];
  /** Budget the alert watches, for the `budget` metric. */
  budgetId?: string;
  /** Whether the alert is active. */
  enabled: boolean;
  /** When it was created. */
  createdAt: EpochMilliseconds;
}

/** The record that an alert fired: stored once per alert, period and threshold. */
export interface UsageAlertFiringRecord {
  /** Idempotency key, for example `${alertId}:${periodStart}:${thresholdPercent}`; a second firing with it is ignored. */
  key: string;
  /** The alert that fired. */
  alertId: string;
  /** Owner of the alert. */
  userId: string;
  /** Start of the period it fired in. */
  periodStart: EpochMilliseconds;
  /** Threshold crossed, in percent. */
  thresholdPercent: number;
  /** Measured value when it fired. */
  value: number;
  /** When it fired. */
  firedAt: EpochMilliseconds;
}

/** Which kind of record holds an encrypted key. */
export type EncryptedKeyKind = 'provider-config' | 'provider-instance';

/** An encrypted key as listed for rotation. */
export interface EncryptedKeyRecord {
  /** Kind of record that holds it. */
  kind: EncryptedKeyKind;
  /** Id of that record (bound into the ciphertext as `recordId`). */
  id: string;
  /** Owner of the record (bound into the ciphertext as `ownerId`). */
  ownerId: string;
  /** The provider id of a configuration, the instance id of an instance (bound into the ciphertext as `provider`). */
  provider: string;
  /** Current ciphertext. */
  keyCiphertext: string;
  /** Vault key id that encrypted it. */
  keyId: string;
}

/** Why a key was re-encrypted. */
export type KeyRotationReason = 'rotation' | 'lazy' | 'migration';

/** One row of the key-rotation audit trail. Never holds a key, plaintext or ciphertext. */
export interface KeyRotationAuditRecord {
  /** Unique id (deterministic per transition); appending an existing id is ignored. */
  id: string;
  /** When it happened. */
  time: EpochMilliseconds;
  /** Kind of record whose key was re-encrypted. */
  kind: EncryptedKeyKind;
  /** Id of that record. */
  recordId: string;
  /** Owner of that record. */
  ownerId: string;
  /** Provider id (configuration) or instance id (instance) of the key. */
  provider: string;
  /** Vault key id before; null when the value was plaintext (migration). */
  fromKeyId: string | null;
  /** Vault key id after. */
  toKeyId: string;
  /** Who caused it: an admin id, the system owner id, or the user whose read re-encrypted lazily. */
  actor: string;
  /** Rotation run, lazy re-encryption on read, or plaintext migration. */
  reason: KeyRotationReason;
}

/** A conversation of one user. */
export interface ConversationRecord {
  /** Unique id. */
  id: string;
  /** Owner. */
  userId: string;
  /** Title. */
  title?: string;
  /** Free-form data of the host app. */
  metadata?: StoredSettings;
  /** When it was created. */
  createdAt: EpochMilliseconds;
  /** When a message was last appended (or it was created). */
  updatedAt: EpochMilliseconds;
  /** Number of messages stored. */
  messageCount: number;
}

/** A message to append to a conversation. */
export interface NewConversationMessage {
  /** Unique id. */
  id: string;
  /** The message itself (role, content, tool call ids). */
  message: Message;
  /** Model that produced it, for assistant messages. */
  model?: string;
  /** Token count of the message (measured or estimated). */
  tokens?: number;
  /** Whether `tokens` is an estimate. */
  tokensEstimated?: boolean;
  /** When it was said. */
  createdAt: EpochMilliseconds;
}

/** A stored message of a conversation. */
export interface ConversationMessageRecord extends NewConversationMessage {
  /** Conversation it belongs to. */
  conversationId: string;
  /** Position in the conversation, assigned by storage: 1, 2, 3… */
  sequence: number;
}

/** Kind of credit ledger entry. Grants, purchases, refunds and releases add; debits and reservations subtract. */
export type CreditEntryKind = 'grant' | 'purchase' | 'debit' | 'refund' | 'reservation' | 'release';

/** One entry of the credit ledger. The balance of an account is the sum of its entries' amounts. */
export interface CreditEntryRecord {
  /** Idempotency key: appending an entry whose id is already stored is ignored. */
  id: string;
  /** Account: a user id, or a team / project id for shared credit. */
  accountId: string;
  /** Kind. */
  kind: CreditEntryKind;
  /** Signed amount in micro-dollars: positive for grant, purchase, refund, release; negative for debit, reservation. */
  amountMicroUsd: MicroUsd;
  /** When it happened. */
  time: EpochMilliseconds;
  /** What it refers to: a request id, a payment id, the reservation it releases. */
  reference?: string;
  /** Note for humans. */
  note?: string;
}

/** Level a budget applies at; budgets nest app → team or project → user → key. */
export type BudgetScope = 'app' | 'team' | 'project' | 'user' | 'key';

/** A spending cap. */
export interface BudgetRecord {
  /** Unique id. */
  id: string;
  /** Tenant that owns the budget (a user id, or the system owner id for app-wide budgets). */
  ownerId: string;
  /** Level. */
  scope: BudgetScope;
  /** Id within the level: the team, project, user or key id (`*` for the app). */
  scopeId: string;
  /** Cap in micro-dollars per period. */
  limitMicroUsd: MicroUsd;
  /** Period the cap resets on. */
  period: UsagePeriod;
  /** Enclosing budget, if nested. */
  parentId?: string;
  /** When it was created. */
  createdAt: EpochMilliseconds;
  /** When it was last changed. */
  updatedAt: EpochMilliseconds;
}
