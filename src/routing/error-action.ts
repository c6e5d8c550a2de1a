import { LLMError } from '../errors/llm-error';

/** What the fallback executor does after an error. */
export type ErrorAction =
  /** Try the same candidate again after a backoff (then `next` once its retries are spent). */
  | 'retry'
  /** Give up on this candidate and try the next one. */
  | 'next'
  /** Stop now and throw the error: no other candidate would do better. */
  | 'fail';

/** The decision for one error, with the facts the executor needs to act on it. */
export interface ErrorDecision {
  /** What to do. */
  action: ErrorAction;
  /** Why, in a few words (goes into attempts and explanations). */
  reason: string;
  /** Exact wait the provider asked for (Retry-After and friends); when set it replaces the backoff. */
  retryAfterMs?: number;
  /** The key was rejected: mark it bad so no candidate using it is tried until it is fixed. */
  markKeyBad?: boolean;
  /** Only candidates with a larger context window than the failing one are worth trying. */
  requireLargerContext?: boolean;
  /** Whether the failure says something about the candidate's health (feeds the circuit breaker). */
  countsAsFailure: boolean;
}

/** Settings that change a decision. */
export interface ErrorActionOptions {
  /** A provider wait longer than this moves on to the next candidate instead of sleeping (default 10 000 ms). */
  maxRetryAfterMs?: number;
  /**
   * What a content-policy refusal does: `next` (default; another provider's filter may accept a false
   * positive) or `fail` (a refusal is an answer; never shop the prompt around).
   */
  contentFilter?: 'next' | 'fail';
}

/** One row of the documented error-to-action table (also rendered in docs/routing.md). */
export interface ErrorActionRule {
  /** Error class name. */
  errorClass: string;
  /** The action. */
  action: ErrorAction;
  /** What else happens. */
  notes: string;
}

/** The error-to-action table, in the order it is documented. */
export const errorActionTable: readonly ErrorActionRule[] = [
  { errorClass: 'ProviderRateLimitError', action: 'retry', notes: 'waits exactly the Retry-After / retry-after-ms / Gemini retryDelay; next candidate (and cool the candidate down for that long) when the wait exceeds maxRetryAfterMs or the deadline, or when the 429 is not retryable (insufficient_quota)' },
  { errorClass: 'OverloadedError', action: 'retry', notes: '529 / 503: backoff with jitter, then next candidate' },
  { errorClass: 'ServerError', action: 'retry', notes: '5xx: backoff with jitter, then next; `x-should-retry: false` makes it next at once' },
  { errorClass: 'NetworkError', action: 'retry', notes: 'connection refused or reset, stream cut: backoff, then next' },
  { errorClass: 'TimeoutError', action: 'retry', notes: 'provider 408/504 or idle stream: backoff, then next; the request deadline itself ends everything' },
  { errorClass: 'InvalidResponseError', action: 'retry', notes: 'malformed JSON, unexpected shape: backoff, then next' },
  { errorClass: 'AuthenticationError', action: 'next', notes: 'marks the key bad: every candidate using that key is skipped until the mark expires' },
  { errorClass: 'ContextLengthExceededError', action: 'next', notes: 'skips later candidates whose context window is not larger than the failing one' },
  { errorClass: 'ContentFilterError', action: 'next', notes: 'default; `contentFilter: "fail"` makes a refusal final' },
  { errorClass: 'ConfigurationError', action: 'next', notes: 'that candidate is misconfigured (no key, bad base URL); others may work' },
  { errorClass: 'VaultError', action: 'next', notes: 'that key cannot be decrypted; another key may work' },
  { errorClass: 'InvalidRequestError', action: 'fail', notes: 'our validation or a provider 400/422 every provider would reject; a 404 (model or route missing on that provider) is next' },
  { errorClass: 'AbortedError', action: 'fail', notes: "the caller's signal: stop everything, no more retries or candidates" },
  { errorClass: 'RateLimitExceededError', action: 'fail', notes: 'our own limit: another provider would not change it' },
  { errorClass: 'QuotaExceededError', action: 'next', notes: 'our own budget or credits refused this candidate: a free local candidate (never blocked) or one paid by another key source may still serve; when nothing else serves, the caller gets this error naming the exhausted scope' },
  { errorClass: 'StorageError', action: 'fail', notes: 'our own backend failed' },
  { errorClass: '(anything else)', action: 'next', notes: 'an unexpected exception from an adapter is recorded and the next candidate tried' },
];

/** Decides what an error means for the request; see `errorActionTable`. */
export function decideErrorAction(error: unknown, options: ErrorActionOptions = {}): ErrorDecision {
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;
  if (!LLMError.isInstance(error)) {
    return { action: 'next', reason: 'unexpected error from the provider adapter', countsAsFailure: true };
  }
  // Codes, not class names: names do not survive minification, codes are part of the contract.
  switch (error.code) {
    case 'provider_rate_limit': {
      if (!error.retryable) return { action: 'next', reason: 'provider quota exhausted (not retryable)', countsAsFailure: true };
      const retryAfterMs = error.retryAfterMs;
      if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) {
        return { action: 'next', reason: `provider asked to wait ${retryAfterMs} ms (over ${maxRetryAfterMs} ms)`, retryAfterMs, countsAsFailure: true };
      }
      return { action: 'retry', reason: 'provider rate limit', countsAsFailure: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    case 'overloaded':
    case 'server_error':
    case 'network':
    case 'timeout':
    case 'invalid_response': {
      // Providers may say outright not to retry (`x-should-retry: false`); respect it but still fall back.
      if (!error.retryable) return { action: 'next', reason: `${error.name} (provider says not to retry)`, countsAsFailure: true };
      const decision: ErrorDecision = { action: 'retry', reason: error.name, countsAsFailure: true };
      if (error.retryAfterMs !== undefined) {
        if (error.retryAfterMs > maxRetryAfterMs) return { ...decision, action: 'next', retryAfterMs: error.retryAfterMs, reason: `provider asked to wait ${error.retryAfterMs} ms (over ${maxRetryAfterMs} ms)` };
        decision.retryAfterMs = error.retryAfterMs;
      }
      return decision;
    }
    case 'authentication':
      return { action: 'next', reason: 'key rejected', markKeyBad: true, countsAsFailure: true };
    case 'context_length_exceeded':
      return { action: 'next', reason: 'prompt exceeds the context window', requireLargerContext: true, countsAsFailure: false };
    case 'content_filter':
      return (options.contentFilter ?? 'next') === 'fail'
        ? { action: 'fail', reason: 'content filter (final by configuration)', countsAsFailure: false }
        : { action: 'next', reason: 'content filter', countsAsFailure: false };
    case 'configuration':
    case 'vault':
      return { action: 'next', reason: `${error.name}: candidate unusable`, countsAsFailure: false };
    case 'invalid_request':
      if (error.status === 404) return { action: 'next', reason: 'model or route not found on this provider', countsAsFailure: false };
      return { action: 'fail', reason: 'invalid request', countsAsFailure: false };
    case 'aborted':
      return { action: 'fail', reason: 'aborted by the caller', countsAsFailure: false };
    case 'quota_exceeded':
      return { action: 'next', reason: 'budget or credit cannot cover this candidate', countsAsFailure: false };
    case 'rate_limit_exceeded':
    case 'storage':
    case 'all_providers_failed':
      return { action: 'fail', reason: error.name, countsAsFailure: false };
    default:
      return error.retryable
        ? { action: 'retry', reason: error.name, countsAsFailure: true }
        : { action: 'next', reason: error.name, countsAsFailure: true };
  }
}
