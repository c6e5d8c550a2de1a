import { ConfigurationError } from '../errors/configuration-error';
import type { BudgetRule, CreditsOptions } from '../governance/credit-accounting';
import type { PriceTableOptions } from '../governance/price-table';
import type { TierLimits } from '../governance/rate-limiter';
import type { UsageRecord } from '../spec/storage-records';
import type { LanguageModelProvider } from '../spec/provider';
import type { StateStore } from '../spec/state-store';
import type { Storage } from '../spec/storage';
import type { KeyRing, MasterKeyMaterial } from '../vault/key-vault-types';
import type { ManagerHooks } from './manager-hooks';
import {
  array,
  boolean,
  custom,
  nonNegativeInteger,
  number,
  object,
  oneOf,
  optional,
  positiveInteger,
  record,
  string,
  union,
  validateInput,
} from '../validation/input-schema';
import type { UsageAlertOptions } from './usage-alert-checks';

/** Routing settings of the manager. */
export interface RoutingOptions {
  /** Default fallback chain of model refs, tried after the request's own model(s). */
  fallback?: string[];
  /** How candidates are ordered: `priority` (the configured order, default), `cost`, `latency`, `balanced`, `round-robin`, `weighted-random`. */
  strategy?: 'priority' | 'cost' | 'latency' | 'balanced' | 'round-robin' | 'weighted-random';
  /** Shifts the score weights: `eco` favours cost, `precision` quality. Default `balanced`. */
  powerLevel?: 'eco' | 'balanced' | 'precision';
  /** `local-only` never sends a request to a non-local provider. */
  privacy?: 'any' | 'local-only';
  /** What a stream does when its provider fails after content was sent: end with an error (default), or continue elsewhere. */
  streamFallback?: 'error' | 'continue';
  /** A stream with no part for this long fails (and falls back if nothing was sent yet). */
  idleTimeoutMs?: number;
  /** Timeout of one upstream request (the call's `timeoutMs` still bounds the whole call). */
  attemptTimeoutMs?: number;
  /** Retries per candidate for retryable errors (default 2). */
  maxRetries?: number;
  /** A provider wait (Retry-After) longer than this moves to the next candidate instead of sleeping (default 10 s). */
  maxRetryAfterMs?: number;
  /** Whether a content-filter refusal tries the next candidate (`next`, default) or ends the call (`fail`). */
  contentFilter?: 'next' | 'fail';
}

/** Per-user limits. */
export interface LimitOptions {
  /** Tiers by name, over the built-in `free`, `pro` and `enterprise`. Requests name theirs with `tier`. */
  tiers?: Record<string, TierLimits>;
  /** Tier of requests that name none (default `free`). Rate limits apply only to requests with a `userId`. */
  defaultTier?: string;
  /** Calls in flight: `global` (default 50) and `perUser` (default 3), or `false` to disable. */
  concurrency?: false | { global?: number; perUser?: number; queueTimeoutMs?: number; leaseMs?: number };
  /** Deadline for one call across all attempts, in milliseconds (same as the top-level `timeoutMs`). */
  timeoutMs?: number;
}

/** Response cache settings. */
export interface CacheOptions {
  /** How long an answer stays, in milliseconds (default 5 minutes). */
  ttlMs?: number;
  /** Most entries kept in process (default 1,000). */
  maxEntries?: number;
  /** Most bytes kept in process (default 50 MB). */
  maxBytes?: number;
  /** `user` (default): each user sees only answers to their own requests. `global`: shared by everyone. */
  scope?: 'user' | 'global';
  /** Keep the cache in the state store so processes share it (default: in process). */
  shared?: boolean;
}

/** Usage ledger writer settings. */
export interface UsageOptions {
  /** Records per storage write (default 100). */
  batchSize?: number;
  /** A partial batch is written after this long, in milliseconds (default 1,000). */
  flushIntervalMs?: number;
  /** Most records held while storage is failing (default 50,000); older ones go to `onOverflow`. */
  maxBufferedRecords?: number;
  /** Receives records that could not be kept (full buffer while storage is down). */
  onOverflow?: (records: UsageRecord[]) => void;
}

/** What `createLLMManager()` takes. */
export interface LLMManagerOptions {
  /** Provider adapters (`createOpenAI(...)`, `createOllama()`, …). Ids must be unique. */
  providers: LanguageModelProvider[];
  /** Model ref used when a request names none (default: the fallback chain, else the first provider's default). */
  defaultModel?: string;
  /** Fallback, retry and selection settings. */
  routing?: RoutingOptions;
  /** Deadline for one call across all attempts, in milliseconds (default 60,000). */
  timeoutMs?: number;
  /** Durable records (usage ledger, keys, conversations…). Default: in memory. */
  storage?: Storage;
  /** Shared state for limits, budgets, credits and the shared cache. Default: in memory (one process). */
  state?: StateStore;
  /** Rate limits by tier and concurrency limits. */
  limits?: LimitOptions;
  /** Spending caps nested app → team / project → user → key. */
  budgets?: BudgetRule[];
  /** Prepaid credits spent by managed-key calls. */
  credits?: CreditsOptions;
  /** Price table overrides and the managed-key markup. */
  pricing?: PriceTableOptions & { managedMarkupPercent?: number };
  /** Response cache; off unless given. */
  cache?: CacheOptions;
  /** Usage ledger writer. */
  usage?: UsageOptions;
  /** Master key for users' own API keys (hex, base64, CryptoKey, or a key ring for rotation). Enables `llm.keys` and BYOK. */
  vault?: { masterKey: MasterKeyMaterial | KeyRing };
  /** How `forUser` learns a user's tier, and how long a user's keys and rules are reused before re-reading. */
  tenancy?: { resolveTier?: (userId: string) => string | undefined | Promise<string | undefined>; scopeTtlMs?: number };
  /** Periodic health probes (off unless `probeIntervalMs` is given): unref'd timers in Node, Bun and Deno; on-demand rounds from `llm.health()` where timers cannot be unref'd (edge runtimes), or as `probeMode` says. */
  health?: { probeIntervalMs?: number; probeTimeoutMs?: number; probeMode?: 'auto' | 'timer' | 'on-demand' };
  /** Stored usage alerts (`storage.saveUsageAlert`) are checked after calls; `onAlert` fires once per alert, period and threshold. */
  alerts?: UsageAlertOptions;
  /** Logging and metrics hooks. */
  hooks?: ManagerHooks;
  /** The fetch to use; default `globalThis.fetch` read at call time (the pooled undici transport in Node). */
  fetch?: typeof globalThis.fetch;
}

const providerSchema = custom<LanguageModelProvider>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as LanguageModelProvider).id === 'string' &&
    typeof (value as LanguageModelProvider).chat === 'function' && typeof (value as LanguageModelProvider).stream === 'function',
  'must be a provider adapter (createOpenAI(), createOllama(), …)',
);
const functionSchema = custom<(...args: unknown[]) => unknown>((value) => typeof value === 'function', 'must be a function');
const objectWith = (methods: string[], what: string) =>
  custom<unknown>(
    (value) => typeof value === 'object' && value !== null && methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function'),
    `must be ${what}`,
  );
const nonEmpty = string({ min: 1 });
const tierSchema = object({
  requestsPerMinute: optional(nonNegativeInteger), requestsPerHour: optional(nonNegativeInteger),
  requestsPerDay: optional(nonNegativeInteger), tokensPerMinute: optional(nonNegativeInteger),
  tokensPerHour: optional(nonNegativeInteger), tokensPerDay: optional(nonNegativeInteger),
});

export const managerOptionsSchema = object({
  providers: array(providerSchema, { min: 1, minMessage: 'configure at least one provider' }),
  defaultModel: optional(nonEmpty),
  routing: optional(
    object({
      fallback: optional(array(nonEmpty)),
      strategy: optional(oneOf(['priority', 'cost', 'latency', 'balanced', 'round-robin', 'weighted-random'])),
      powerLevel: optional(oneOf(['eco', 'balanced', 'precision'])),
      privacy: optional(oneOf(['any', 'local-only'])),
      streamFallback: optional(oneOf(['error', 'continue'])),
      idleTimeoutMs: optional(positiveInteger),
      attemptTimeoutMs: optional(positiveInteger),
      maxRetries: optional(number({ integer: true, min: 0, max: 10 })),
      maxRetryAfterMs: optional(nonNegativeInteger),
      contentFilter: optional(oneOf(['next', 'fail'])),
    }),
  ),
  timeoutMs: optional(positiveInteger),
  storage: optional(objectWith(['appendUsage', 'summarizeUsage'], 'a storage adapter (createMemoryStorage(), createSqlStorage(...))')),
  state: optional(objectWith(['consumeWindows', 'reserve', 'settle'], 'a state store (createMemoryState(), createRedisState(...))')),
  limits: optional(
    object({
      tiers: optional(record(tierSchema)),
      defaultTier: optional(nonEmpty),
      concurrency: optional(
        union(
          [
            oneOf([false]),
            object({ global: optional(positiveInteger), perUser: optional(positiveInteger), queueTimeoutMs: optional(nonNegativeInteger), leaseMs: optional(positiveInteger) }),
          ],
          'must be false or { global, perUser, queueTimeoutMs, leaseMs }',
        ),
      ),
      timeoutMs: optional(positiveInteger),
    }),
  ),
  budgets: optional(array(object({ scope: oneOf(['app', 'team', 'project', 'user', 'key']), scopeId: nonEmpty, period: oneOf(['hour', 'day', 'month', 'total']) }))),
  credits: optional(object({ account: optional(oneOf(['user', 'team', 'project'])) })),
  pricing: optional(object({ managedMarkupPercent: optional(number({ min: 0 })) })),
  cache: optional(
    object({ ttlMs: optional(positiveInteger), maxEntries: optional(positiveInteger), maxBytes: optional(positiveInteger), scope: optional(oneOf(['user', 'global'])), shared: optional(boolean) }),
  ),
  usage: optional(
    object({ batchSize: optional(positiveInteger), flushIntervalMs: optional(positiveInteger), maxBufferedRecords: optional(positiveInteger), onOverflow: optional(functionSchema) }),
  ),
  vault: optional(object({ masterKey: custom((value) => value !== undefined && value !== null && value !== '', 'is required') })),
  tenancy: optional(object({ resolveTier: optional(functionSchema), scopeTtlMs: optional(nonNegativeInteger) })),
  health: optional(object({ probeIntervalMs: optional(positiveInteger), probeTimeoutMs: optional(positiveInteger), probeMode: optional(oneOf(['auto', 'timer', 'on-demand'])) })),
  alerts: optional(object({ onAlert: functionSchema, intervalMs: optional(positiveInteger), onError: optional(functionSchema) })),
  hooks: optional(object({ onRequest: optional(functionSchema), onResponse: optional(functionSchema), onError: optional(functionSchema), onFallback: optional(functionSchema) })),
  fetch: optional(functionSchema),
});

/** Validates manager options; throws ConfigurationError naming the bad field. */
export function validateManagerOptions(options: LLMManagerOptions): void {
  const problems = validateInput(managerOptionsSchema, options);
  if (problems.length === 0) return;
  const described = problems.slice(0, 5).map((problem) => `${problem.path.map(String).join('.') || 'options'}: ${problem.message}`);
  throw new ConfigurationError(`Invalid createLLMManager options: ${described.join('; ')}`);
}
