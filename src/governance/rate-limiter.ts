import { ConfigurationError } from '../errors/configuration-error';
import { InvalidRequestError } from '../errors/invalid-request-error';
import { RateLimitExceededError } from '../errors/rate-limit-exceeded-error';
import type { StateStore, WindowSpec, WindowState } from '../spec/state-store';

/** Limits of one tier. A limit left out is not enforced. */
export interface TierLimits {
  /** Requests per sliding minute. */
  requestsPerMinute?: number;
  /** Requests per sliding hour. */
  requestsPerHour?: number;
  /** Requests per sliding day. */
  requestsPerDay?: number;
  /** Tokens (input + output) per sliding minute. */
  tokensPerMinute?: number;
  /** Tokens (input + output) per sliding hour. */
  tokensPerHour?: number;
  /** Tokens (input + output) per sliding day. */
  tokensPerDay?: number;
}

/** Built-in tiers. A host's `tiers` option replaces a built-in tier of the same name as a whole. */
export const defaultTiers: Readonly<Record<'free' | 'pro' | 'enterprise', Readonly<TierLimits>>> = {
  free: { requestsPerHour: 50, requestsPerDay: 200, tokensPerHour: 25_000, tokensPerDay: 100_000 },
  pro: { requestsPerHour: 1_000, requestsPerDay: 10_000, tokensPerHour: 1_000_000, tokensPerDay: 10_000_000 },
  enterprise: {},
};

/** Options of the rate limiter. */
export interface RateLimiterOptions {
  /** Where the windows live: memory for one process, Redis or SQL when processes share users. */
  state: StateStore;
  /** Tiers by name; merged over `defaultTiers` (a tier given here replaces the built-in one). */
  tiers?: Record<string, TierLimits>;
  /** Tier of users whose tier is not given; default `free`. */
  defaultTier?: string;
  /** Prefix of the state keys; default `rate`. */
  keyPrefix?: string;
  /** Clock passed to the store; leave unset in production so the store's own clock (Redis TIME, database) is used. */
  now?: () => number;
}

/** What to admit. */
export interface RateLimitRequest {
  /** Whose limits apply. */
  userId: string;
  /** The user's tier; default the limiter's `defaultTier`. */
  tier?: string;
  /** Unique id of the call; admitting the same id twice counts it once. */
  requestId: string;
  /** Tokens the call is expected to use (input estimate + max output); reserved now, settled later. */
  estimatedTokens?: number;
}

/** An admitted call. Settle it with the actual token count when the call ends (or 0 if nothing was spent). */
export interface RateLimitAdmission {
  /** The call's id. */
  readonly requestId: string;
  /** The user. */
  readonly userId: string;
  /** The tier applied. */
  readonly tier: string;
  /** State of each window after admission. */
  readonly windows: readonly WindowState[];
  /** Replace the token estimate by the actual count in every token window. Idempotent. */
  settle(actualTokens: number): Promise<void>;
}

/** Per-user sliding-window limits on requests and tokens. */
export interface RateLimiter {
  /** Admit a call or throw `RateLimitExceededError`; a refused call consumes nothing from any window. */
  admit(request: RateLimitRequest): Promise<RateLimitAdmission>;
  /** The limits of a tier (throws ConfigurationError for an unknown tier). */
  tierLimits(tier: string): TierLimits;
}

const windowDefinitions = [
  { field: 'requestsPerMinute', unit: 'requests', name: 'requests-per-minute', windowMs: 60_000 },
  { field: 'requestsPerHour', unit: 'requests', name: 'requests-per-hour', windowMs: 3_600_000 },
  { field: 'requestsPerDay', unit: 'requests', name: 'requests-per-day', windowMs: 86_400_000 },
  { field: 'tokensPerMinute', unit: 'tokens', name: 'tokens-per-minute', windowMs: 60_000 },
  { field: 'tokensPerHour', unit: 'tokens', name: 'tokens-per-hour', windowMs: 3_600_000 },
  { field: 'tokensPerDay', unit: 'tokens', name: 'tokens-per-day', windowMs: 86_400_000 },
] as const;

function validateTier(name: string, limits: TierLimits): void {
  for (const definition of windowDefinitions) {
    const value = limits[definition.field];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new ConfigurationError(`limits.tiers.${name}.${definition.field} must be a non-negative integer (got ${String(value)})`);
    }
  }
}

/**
 * Create the rate limiter. All windows of a tier are checked and consumed in one atomic store
 * operation, so a refused call consumes nothing and concurrent calls can never overshoot a limit.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (!options?.state) throw new ConfigurationError('createRateLimiter: `state` is required');
  const tiers: Record<string, TierLimits> = { ...defaultTiers, ...options.tiers };
  for (const [name, limits] of Object.entries(tiers)) validateTier(name, limits);
  const defaultTier = options.defaultTier ?? 'free';
  if (!tiers[defaultTier]) throw new ConfigurationError(`createRateLimiter: default tier "${defaultTier}" is not defined`);
  const keyPrefix = options.keyPrefix ?? 'rate';
  const { state } = options;

  const tierLimits = (tier: string): TierLimits => {
    const limits = tiers[tier];
    if (!limits) throw new ConfigurationError(`Unknown rate-limit tier "${tier}" (known: ${Object.keys(tiers).join(', ')})`);
    return limits;
  };

  return {
    tierLimits,

    async admit(request: RateLimitRequest): Promise<RateLimitAdmission> {
      if (typeof request?.userId !== 'string' || request.userId.length === 0) throw new InvalidRequestError('Rate limiter: userId must be a non-empty string');
      if (typeof request.requestId !== 'string' || request.requestId.length === 0) throw new InvalidRequestError('Rate limiter: requestId must be a non-empty string');
      const estimatedTokens = request.estimatedTokens ?? 0;
      if (!Number.isSafeInteger(estimatedTokens) || estimatedTokens < 0) {
        throw new InvalidRequestError(`Rate limiter: estimatedTokens must be a non-negative integer (got ${String(request.estimatedTokens)})`);
      }
      const tier = request.tier ?? defaultTier;
      const limits = tierLimits(tier);
      const scopes: string[] = [];
      const windows: WindowSpec[] = [];
      const tokenKeys: string[] = [];
      for (const definition of windowDefinitions) {
        const limit = limits[definition.field];
        if (limit === undefined) continue;
        const scope = `user:${request.userId}:${definition.name}`;
        const key = `${keyPrefix}:${scope}`;
        scopes.push(scope);
        windows.push({ key, limit, windowMs: definition.windowMs, cost: definition.unit === 'requests' ? 1 : estimatedTokens });
        if (definition.unit === 'tokens') tokenKeys.push(key);
      }
      const admission = (states: readonly WindowState[]): RateLimitAdmission => ({
        requestId: request.requestId,
        userId: request.userId,
        tier,
        windows: states,
        async settle(actualTokens: number) {
          if (!Number.isSafeInteger(actualTokens) || actualTokens < 0) {
            throw new InvalidRequestError(`Rate limiter: actualTokens must be a non-negative integer (got ${String(actualTokens)})`);
          }
          if (tokenKeys.length > 0) await state.adjustWindows({ keys: tokenKeys, entryId: request.requestId, cost: actualTokens });
        },
      });
      if (windows.length === 0) return admission([]);

      const result = await state.consumeWindows({ windows, entryId: request.requestId, ...(options.now ? { now: options.now() } : {}) });
      if (result.allowed) return admission(result.windows);

      // Name the refused window that stays closed longest (or one that can never fit).
      let worst = -1;
      let worstWait = -1;
      result.windows.forEach((window, index) => {
        const wait = window.retryAfterMs ?? Number.POSITIVE_INFINITY;
        if (!window.allowed && wait > worstWait) {
          worst = index;
          worstWait = wait;
        }
      });
      const refused = result.windows[worst];
      const scope = scopes[worst];
      const message =
        refused.retryAfterMs === undefined
          ? `Rate limit ${scope} (${refused.limit}) is smaller than this request's estimate of ${windows[worst].cost}; it can never be admitted`
          : `Rate limit exceeded for ${scope}: ${refused.used} of ${refused.limit} used; retry in ${Math.ceil(refused.retryAfterMs / 1000)} s`;
      throw new RateLimitExceededError(message, {
        scope,
        limit: refused.limit,
        remaining: refused.remaining,
        ...(refused.resetAt === undefined ? {} : { resetAt: refused.resetAt }),
        ...(refused.retryAfterMs === undefined ? {} : { retryAfterMs: refused.retryAfterMs }),
      });
    },
  };
}
