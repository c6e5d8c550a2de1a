import { ConfigurationError } from '../errors/configuration-error';
import type { BudgetRecord, FallbackRule, Storage } from '../spec/storage';
import type { KeyService, StoredKeyInfo } from './create-key-service';
import type { InstanceService, InstanceView } from './create-instance-service';
import { parseInput, userIdSchema } from './tenancy-input';

/** What `llm.forUser(userId)` applies to a request: the user's keys, instances, fallback rules, tier and budgets. */
export interface UserScope {
  /** The user. */
  userId: string;
  /** The user's tier (from `resolveTier`), `undefined` when the host has none. */
  tier?: string;
  /** The user's own keys, masked. */
  keys: StoredKeyInfo[];
  /** Providers the user has an enabled key for (their calls use it: key source `byok`). */
  byokProviders: string[];
  /** Instances the user owns and those shared with them (read-only). */
  instances: InstanceView[];
  /** The user's stored fallback rules, in order; empty when none were saved. */
  fallbackRules: FallbackRule[];
  /** Budgets owned by the user. */
  budgets: BudgetRecord[];
  /** When this scope was read from storage (epoch ms). */
  loadedAt: number;
}

/** Options of `createUserScopeLoader`. */
export interface UserScopeLoaderOptions {
  /** Storage (fallback rules and budgets are read from it). */
  storage: Storage;
  /** The key service (the user's masked keys). */
  keys: Pick<KeyService, 'list'>;
  /** The instance service (own and shared instances). */
  instances: Pick<InstanceService, 'listInstances'>;
  /** The host's tier of a user (`free`, `pro`, …). */
  resolveTier?: (userId: string) => string | undefined | Promise<string | undefined>;
  /** How long a loaded scope is reused. Default 5,000 ms; 0 disables caching. Changes made through the services invalidate it at once in this process. */
  ttlMs?: number;
  /** Most users kept cached; the oldest is dropped beyond it. Default 10,000. */
  maxUsers?: number;
  /** Clock. Default `Date.now`. */
  now?: () => number;
}

/** Loads (and briefly caches) the scope of a user. */
export interface UserScopeLoader {
  /** The user's scope; concurrent loads of one user share one read. */
  load(userId: string): Promise<UserScope>;
  /** Forgets the cached scope of one user, or of every user. Pass it as `onChange` to the key and instance services. */
  invalidate(userId?: string): void;
}

interface CacheEntry {
  scope: Promise<UserScope>;
  expiresAt: number;
}

/**
 * Creates the per-request scope loader. The hot path is one map lookup while the entry is fresh; a miss
 * reads keys, instances, fallback rules, budgets and tier in parallel, once for all concurrent callers.
 */
export function createUserScopeLoader(options: UserScopeLoaderOptions): UserScopeLoader {
  const { storage } = options;
  if (!storage || !options.keys || !options.instances) throw new ConfigurationError('createUserScopeLoader: storage, keys and instances are required');
  const ttlMs = options.ttlMs ?? 5_000;
  const maxUsers = options.maxUsers ?? 10_000;
  const now = options.now ?? Date.now;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new ConfigurationError('createUserScopeLoader: ttlMs must be a non-negative number');
  const cache = new Map<string, CacheEntry>();

  async function read(userId: string): Promise<UserScope> {
    const [keys, instances, rules, budgets, tier] = await Promise.all([
      options.keys.list(userId),
      options.instances.listInstances(userId),
      storage.getFallbackRules(userId),
      storage.listBudgets(userId),
      options.resolveTier?.(userId),
    ]);
    return {
      userId,
      ...(tier !== undefined ? { tier } : {}),
      keys,
      byokProviders: keys.filter((key) => key.enabled).map((key) => key.provider),
      instances,
      fallbackRules: rules?.rules ?? [],
      budgets,
      loadedAt: now(),
    };
  }

  return {
    load(userId) {
      const user = parseInput(userIdSchema, userId, 'forUser userId');
      const cached = cache.get(user);
      if (cached && cached.expiresAt > now()) return cached.scope;
      if (cached) cache.delete(user);
      const entry: CacheEntry = { scope: read(user), expiresAt: Number.POSITIVE_INFINITY };
      if (ttlMs === 0) return entry.scope;
      cache.set(user, entry);
      while (cache.size > maxUsers) cache.delete(cache.keys().next().value!);
      entry.scope.then(
        () => {
          entry.expiresAt = now() + ttlMs;
        },
        () => {
          // A failed read is not cached: the next request tries again.
          if (cache.get(user) === entry) cache.delete(user);
        },
      );
      return entry.scope;
    },
    invalidate(userId) {
      if (userId === undefined) cache.clear();
      else cache.delete(userId);
    },
  };
}
