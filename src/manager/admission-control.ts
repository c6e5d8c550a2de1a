import { createConcurrencyLimiter, type ConcurrencyLimiter, type ConcurrencySlot } from '../governance/concurrency-limiter';
import { createRateLimiter, type RateLimitAdmission, type RateLimiter } from '../governance/rate-limiter';
import type { StateStore } from '../spec/state-store';
import type { LimitOptions } from './manager-options';

/** What a call holds while it runs: its rate-limit entry and its concurrency slot. */
export interface Admission {
  /** Replaces the token estimate with the tokens actually used (rate-limit token windows). */
  settleTokens(actualTokens: number): Promise<void>;
  /** Gives the concurrency slot back. Idempotent. */
  release(): Promise<void>;
}

/** What admitting a call needs to know. */
export interface AdmissionRequest {
  /** Id of the call. */
  requestId: string;
  /** The user; calls without one are subject only to the global concurrency limit. */
  userId?: string;
  /** The user's tier. */
  tier?: string;
  /** Input estimate plus the maximum output, reserved in the token windows. */
  estimatedTokens: number;
  /** Cancels a wait for a slot. */
  signal: AbortSignal;
}

/** Rate limits (per user and tier) and concurrency slots (global and per user) in one step. */
export interface AdmissionControl {
  /** Admits the call or throws RateLimitExceededError naming the scope. */
  admit(request: AdmissionRequest): Promise<Admission>;
  /** Stops renewals and rejects waiters. */
  close(): Promise<void>;
}

const nothingHeld: Admission = { settleTokens: async () => undefined, release: async () => undefined };

export function createAdmissionControl(state: StateStore, limits: LimitOptions | undefined): AdmissionControl {
  const rateLimiter: RateLimiter | undefined =
    limits?.tiers !== undefined || limits?.defaultTier !== undefined
      ? createRateLimiter({ state, tiers: limits.tiers, defaultTier: limits.defaultTier })
      : undefined;
  const concurrency = limits?.concurrency === false ? undefined : limits?.concurrency;
  const concurrencyLimiter: ConcurrencyLimiter | undefined =
    limits?.concurrency === false
      ? undefined
      : createConcurrencyLimiter({
          state, global: concurrency?.global, perUser: concurrency?.perUser, queueTimeoutMs: concurrency?.queueTimeoutMs, leaseMs: concurrency?.leaseMs,
        });
  if (!rateLimiter && !concurrencyLimiter) return { admit: async () => nothingHeld, close: async () => undefined };

  return {
    async admit(request) {
      let rate: RateLimitAdmission | undefined;
      if (rateLimiter && request.userId !== undefined) {
        rate = await rateLimiter.admit({ userId: request.userId, tier: request.tier, requestId: request.requestId, estimatedTokens: request.estimatedTokens });
      }
      let slot: ConcurrencySlot | undefined;
      if (concurrencyLimiter) {
        try {
          // Anonymous calls each queue on their own and only the global limit binds them.
          slot = await concurrencyLimiter.acquire(
            request.userId === undefined
              ? { userId: `anonymous:${request.requestId}`, globalOnly: true, signal: request.signal }
              : { userId: request.userId, signal: request.signal },
          );
        } catch (error) {
          // Refused before it ran: give the reserved tokens back.
          await rate?.settle(0).catch(() => undefined);
          throw error;
        }
      }
      return {
        settleTokens: (actualTokens) => rate?.settle(actualTokens) ?? Promise.resolve(),
        release: () => slot?.release() ?? Promise.resolve(),
      };
    },
    close: async () => {
      await concurrencyLimiter?.close();
    },
  };
}
