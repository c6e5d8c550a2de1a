import type { EncryptedKeyKind, EpochMilliseconds, MicroUsd } from './storage-records';

/** Filter of usage ledger reads. `from` is inclusive, `to` exclusive. */
export interface UsageQuery {
  /** Only this user's records. Omit only for host-wide admin reports. */
  userId?: string;
  /** Earliest time, inclusive. */
  from?: EpochMilliseconds;
  /** Latest time, exclusive. */
  to?: EpochMilliseconds;
  /** Most rows to return (default 100, at most 10,000). */
  limit?: number;
  /** Skip rows up to and including this (time, id) position, for paging in time order. */
  after?: { time: EpochMilliseconds; id: string };
}

/** Filter of recent usage, newest first. */
export interface RecentUsageQuery {
  /** Only this user's records. Omit only for host-wide admin views. */
  userId?: string;
  /** Most rows to return (default 50, at most 10,000). */
  limit?: number;
}

/** A key usage can be grouped by. `day` is the UTC calendar day of the record's time. */
export type UsageGroupKey = 'provider' | 'model' | 'feature' | 'user' | 'day';

/** Aggregation request over the usage ledger, computed by the backend (SQL `GROUP BY`), not by loading rows. */
export interface UsageSummaryQuery {
  /** Only this user's records. Omit only for host-wide admin reports. */
  userId?: string;
  /** Start, inclusive. */
  from: EpochMilliseconds;
  /** End, exclusive. */
  to: EpochMilliseconds;
  /** Keys to group by, in order; an empty list gives one group with the totals. */
  groupBy: UsageGroupKey[];
}

/** Sums over a set of usage records. */
export interface UsageTotals {
  /** Number of records (attempts). */
  requests: number;
  /** Sum of input tokens. */
  inputTokens: number;
  /** Sum of output tokens. */
  outputTokens: number;
  /** Sum of cached input tokens. */
  cachedInputTokens: number;
  /** Sum of reasoning tokens. */
  reasoningTokens: number;
  /** Sum of costs, exact, in micro-dollars. */
  costMicroUsd: MicroUsd;
}

/** The values of the group keys of one group; keys not grouped by are absent, missing values are null. */
export interface UsageGroupValues {
  /** Provider id. */
  provider?: string;
  /** Model id. */
  model?: string;
  /** Feature tag, null for records without one. */
  feature?: string | null;
  /** User id, null for anonymous records. */
  user?: string | null;
  /** UTC day as `YYYY-MM-DD`. */
  day?: string;
}

/** One group of a usage summary. */
export interface UsageSummaryGroup extends UsageTotals {
  /** Values of the group keys. */
  group: UsageGroupValues;
}

/** Result of `summarizeUsage`. */
export interface UsageSummary {
  /** Groups, ordered by the group keys ascending. */
  groups: UsageSummaryGroup[];
  /** Totals over all groups. */
  totals: UsageTotals;
}

/** Page of a per-user listing, newest first. */
export interface ListOptions {
  /** Most rows to return (default 50, at most 10,000). */
  limit?: number;
  /** Only rows older than this time (exclusive), for paging. */
  before?: EpochMilliseconds;
}

/** Which messages of a conversation to read. */
export interface MessageListOptions {
  /** Return only the newest `limit` messages (still oldest first); all when absent. */
  limit?: number;
  /** `only` returns only system messages, `exclude` all but them; both when absent. */
  system?: 'only' | 'exclude';
}

/** Page of the encrypted keys of one kind, in id order. */
export interface EncryptedKeyListQuery {
  /** Kind of record. */
  kind: EncryptedKeyKind;
  /** Start after this id (exclusive); from the first when absent. */
  afterId?: string;
  /** Most rows to return. */
  limit: number;
}

/** Compare-and-set of the ciphertext of one encrypted key. */
export interface KeyCiphertextSwap {
  /** Kind of record. */
  kind: EncryptedKeyKind;
  /** Id of the record. */
  id: string;
  /** The ciphertext the caller read; the update happens only if it is still the stored one. */
  expectedCiphertext: string;
  /** New ciphertext. */
  keyCiphertext: string;
  /** Vault key id of the new ciphertext. */
  keyId: string;
  /** Time of the change (becomes `updatedAt`). */
  updatedAt: EpochMilliseconds;
}

/** Result of a conditional credit debit. */
export interface ConditionalCreditResult {
  /** `applied` when appended, `duplicate` when the id was already stored, `insufficient` when the balance would go below zero. */
  status: 'applied' | 'duplicate' | 'insufficient';
  /** Balance after the operation, in micro-dollars. */
  balanceMicroUsd: MicroUsd;
}
