import { z } from 'zod';
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

const providerSchema = z.custom<LanguageModelProvider>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as LanguageModelProvider).id === 'string' &&
    typeof (value as LanguageModelProvider).chat === 'function' && typeof (value as LanguageModelProvider).stream === 'function',
  { message: 'must be a provider adapter (createOpenAI(), createOllama(), …)' },
);
const functionSchema = z.custom<(...args: unknown[]) => unknown>((value) => typeof value === 'function', { message: 'must be a function' });
const objectWith = (methods: string[], what: string) =>
  z.custom<unknown>(
    (value) => typeof value === 'object' && value !== null && methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function'),
    { message: `must be ${what}` },
  );
const positiveInteger = z.number().int().positive();
const tierSchema = z.object({
  requestsPerMinute: z.number().int().min(0).optional(), requestsPerHour: z.number().int().min(0).optional(),
  requestsPerDay: z.number().int().min(0).optional(), tokensPerMinute: z.number().int().min(0).optional(),
  tokensPerHour: z.number().int().min(0).optional(), tokensPerDay: z.number().int().min(0).optional(),
});

export const managerOptionsSchema = z.object({
  providers: z.array(providerSchema).min(1, 'configure at least one provider'),
  defaultModel: z.string().min(1).optional(),
  routing: z
    .object({
      fallback: z.array(z.string().min(1)).optional(),
      strategy: z.enum(['priority', 'cost', 'latency', 'balanced', 'round-robin', 'weighted-random']).optional(),
      powerLevel: z.enum(['eco', 'balanced', 'precision']).optional(),
      privacy: z.enum(['any', 'local-only']).optional(),
      streamFallback: z.enum(['error', 'continue']).optional(),
      idleTimeoutMs: positiveInteger.optional(),
      attemptTimeoutMs: positiveInteger.optional(),
      maxRetries: z.number().int().min(0).max(10).optional(),
      maxRetryAfterMs: z.number().int().min(0).optional(),
      contentFilter: z.enum(['next', 'fail']).optional(),
    })
    .optional(),
  timeoutMs: positiveInteger.optional(),
  storage: objectWith(['appendUsage', 'summarizeUsage'], 'a storage adapter (createMemoryStorage(), createSqlStorage(...))').optional(),
  state: objectWith(['consumeWindows', 'reserve', 'settle'], 'a state store (createMemoryState(), createRedisState(...))').optional(),
  limits: z
    .object({
      tiers: z.record(z.string(), tierSchema).optional(),
      defaultTier: z.string().min(1).optional(),
      concurrency: z
        .union([z.literal(false), z.object({ global: positiveInteger.optional(), perUser: positiveInteger.optional(), queueTimeoutMs: z.number().int().min(0).optional(), leaseMs: positiveInteger.optional() })])
        .optional(),
      timeoutMs: positiveInteger.optional(),
    })
    .optional(),
  budgets: z.array(z.object({ scope: z.enum(['app', 'team', 'project', 'user', 'key']), scopeId: z.string().min(1), period: z.enum(['hour', 'day', 'month', 'total']) }).passthrough()).optional(),
  credits: z.object({ account: z.enum(['user', 'team', 'project']).optional() }).passthrough().optional(),
  pricing: z.object({ managedMarkupPercent: z.number().min(0).optional() }).passthrough().optional(),
  cache: z
    .object({ ttlMs: positiveInteger.optional(), maxEntries: positiveInteger.optional(), maxBytes: positiveInteger.optional(), scope: z.enum(['user', 'global']).optional(), shared: z.boolean().optional() })
    .optional(),
  usage: z
    .object({ batchSize: positiveInteger.optional(), flushIntervalMs: positiveInteger.optional(), maxBufferedRecords: positiveInteger.optional(), onOverflow: functionSchema.optional() })
    .optional(),
  vault: z.object({ masterKey: z.unknown().refine((value) => value !== undefined && value !== null && value !== '', 'is required') }).optional(),
  tenancy: z.object({ resolveTier: functionSchema.optional(), scopeTtlMs: z.number().int().min(0).optional() }).optional(),
  health: z.object({ probeIntervalMs: positiveInteger.optional(), probeTimeoutMs: positiveInteger.optional(), probeMode: z.enum(['auto', 'timer', 'on-demand']).optional() }).optional(),
  alerts: z.object({ onAlert: functionSchema, intervalMs: positiveInteger.optional(), onError: functionSchema.optional() }).optional(),
  hooks: z.object({ onRequest: functionSchema.optional(), onResponse: functionSchema.optional(), onError: functionSchema.optional(), onFallback: functionSchema.optional() }).optional(),
  fetch: functionSchema.optional(),
});

/** Validates manager options; throws ConfigurationError naming the bad field. */
export function validateManagerOptions(options: LLMManagerOptions): void {
  const parsed = managerOptionsSchema.safeParse(options);
  if (parsed.success) return;
  const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.map(String).join('.') || 'options'}: ${issue.message}`);
  throw new ConfigurationError(`Invalid createLLMManager options: ${problems.join('; ')}`);
}
