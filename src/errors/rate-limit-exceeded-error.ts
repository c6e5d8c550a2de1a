import type { LimitErrorDetails } from './limit-error-details';
import { LLMError, type LLMErrorOptions } from './llm-error';

/** One of our own rate or concurrency limits refused the call (not the provider's 429). */
export class RateLimitExceededError extends LLMError {
  override readonly code: string = 'rate_limit_exceeded';
  readonly scope: string;
  readonly limit: number;
  readonly remaining: number;
  readonly resetAt?: number;

  constructor(message: string, details: LimitErrorDetails, options: LLMErrorOptions = {}) {
    super(message, { retryable: false, retryAfterMs: details.retryAfterMs, ...options });
    this.scope = details.scope;
    this.limit = details.limit;
    this.remaining = details.remaining;
    if (details.resetAt !== undefined) this.resetAt = details.resetAt;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), scope: this.scope, limit: this.limit, remaining: this.remaining, resetAt: this.resetAt };
  }
}
