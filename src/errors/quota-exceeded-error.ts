import type { LimitErrorDetails } from './limit-error-details';
import { LLMError, type LLMErrorOptions } from './llm-error';

/** A budget, spending cap or credit balance cannot cover the call; `scope` names which one ran out. */
export class QuotaExceededError extends LLMError {
  override readonly code: string = 'quota_exceeded';
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
