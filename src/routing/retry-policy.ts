/** How one candidate is retried before the executor moves on. */
export interface RetryPolicy {
  /** Retries per candidate for retryable errors, after the first try (default 2). */
  maxRetries?: number;
  /** First backoff delay in milliseconds (default 500); doubles per retry. */
  minDelayMs?: number;
  /** Cap on one backoff delay in milliseconds (default 8 000). */
  maxDelayMs?: number;
  /** A provider wait (Retry-After) longer than this moves on to the next candidate instead (default 10 000). */
  maxRetryAfterMs?: number;
  /**
   * Randomisation of backoff delays: `equal` (default: half fixed, half random), `full` (0..delay) or
   * `none`. A provider's own Retry-After is always waited exactly, without jitter.
   */
  jitter?: 'equal' | 'full' | 'none';
}

/** RetryPolicy with every default filled in. */
export type ResolvedRetryPolicy = Required<RetryPolicy>;

/** Fills in the defaults. */
export function resolveRetryPolicy(policy: RetryPolicy = {}): ResolvedRetryPolicy {
  return {
    maxRetries: policy.maxRetries ?? 2,
    minDelayMs: policy.minDelayMs ?? 500,
    maxDelayMs: policy.maxDelayMs ?? 8_000,
    maxRetryAfterMs: policy.maxRetryAfterMs ?? 10_000,
    jitter: policy.jitter ?? 'equal',
  };
}

/** The backoff before retry number `retryIndex` (0 for the first retry), jitter applied. */
export function backoffDelay(policy: ResolvedRetryPolicy, retryIndex: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** retryIndex);
  switch (policy.jitter) {
    case 'none':
      return base;
    case 'full':
      return Math.round(random() * base);
    case 'equal':
      return Math.round(base / 2 + (random() * base) / 2);
  }
}
