import { createConcurrencyLimiter, type ConcurrencyLimiter, type ConcurrencySlot } from '../governance/concurrency-limiter';
import { createRateLimiter, type RateLimitAdmission, type RateLimiter } from '../governance/rate-limiter';
import type { AbortSignalLike } from '../http/abort-source';
import type { StateStore } from '../spec/state-store';
import type { LimitOptions } from './manager-options';

/** What a call holds while it runs: its rate-limit entry and its concurrency slot. */
export interface Admission {
  /**
   * Ends the call's hold: replaces the token estimate with the tokens actually used (rate-limit token
   * windows), then gives the concurrency slot back. Never rejects (a store failure leaves the lease to
   * expire); idempotent.
   */
  finish(actualTokens: number): Promise<void>;
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
  signal: AbortSignalLike;
}

/** Rate limits (per user and tier) and concurrency slots (global and per user) in one step. */
export interface AdmissionControl {
  /** Admits the call or throws RateLimitExceededError naming the scope. */
  admit(request: AdmissionRequest): Promise<Admission>;
  /** Stops renewals and rejects waiters. */
  close(): Promise<void>;
}

const nothingHeld: Admission = { finish: () => Promise.resolve() };

// A class rather than closures per call: admission runs on every request.
class HeldAdmission implements Admission {
  #rate: RateLimitAdmission | undefined;
  #slot: ConcurrencySlot | undefined;

  constructor(rate: RateLimitAdmission | undefined, slot: ConcurrencySlot | undefined) {
    this.#rate = rate;
    this.#slot = slot;
  }

  // Continuations, not an async method: its frame and awaits cost more than releasing the slot itself.
  finish(actualTokens: number): Promise<void> {
    const rate = this.#rate;
    const slot = this.#slot;
    this.#rate = undefined;
    this.#slot = undefined;
    // A failed settle leaves the reserved estimate counted until its window passes.
    if (rate !== undefined) return attempt(() => rate.settle(actualTokens)).then(() => releaseSlot(slot));
    return releaseSlot(slot);
  }
}

const nothing = (): undefined => undefined;

/** Runs `step`, turning a synchronous throw into a rejection and any failure into nothing. */
function attempt(step: () => Promise<unknown>): Promise<unknown> {
  try {
    return step().then(nothing, nothing);
  } catch {
    return Promise.resolve();
  }
}

/** Gives a slot back; a failure leaves the lease to expire on its own. */
function releaseSlot(slot: ConcurrencySlot | undefined): Promise<void> {
  return slot === undefined ? Promise.resolve() : (attempt(() => slot.release()) as Promise<void>);
}

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
  if (!rateLimiter && !concurrencyLimiter) return { admit: () => Promise.resolve(nothingHeld), close: async () => undefined };

  // Anonymous calls each queue on their own and only the global limit binds them.
  const slotFor = (request: AdmissionRequest): Promise<ConcurrencySlot> =>
    concurrencyLimiter!.acquire(
      request.userId === undefined
        ? { userId: `anonymous:${request.requestId}`, globalOnly: true, signal: request.signal }
        : { userId: request.userId, signal: request.signal },
    );

  const slotOnly = (slot: ConcurrencySlot): Admission => new HeldAdmission(undefined, slot);

  return {
    admit(request) {
      // Without rate limits (or for anonymous calls) admission is the slot alone: one store round trip.
      if (!rateLimiter || request.userId === undefined) {
        return concurrencyLimiter ? slotFor(request).then(slotOnly) : Promise.resolve(nothingHeld);
      }
      return (async () => {
        const rate = await rateLimiter.admit({ userId: request.userId!, tier: request.tier, requestId: request.requestId, estimatedTokens: request.estimatedTokens });
        if (!concurrencyLimiter) return new HeldAdmission(rate, undefined);
        let slot: ConcurrencySlot;
        try {
          slot = await slotFor(request);
        } catch (error) {
          // Refused before it ran: give the reserved tokens back.
          await rate.settle(0).catch(() => undefined);
          throw error;
        }
        return new HeldAdmission(rate, slot);
      })();
    },
    close: async () => {
      await concurrencyLimiter?.close();
    },
  };
}
