import { LLMError, type LLMErrorOptions } from './llm-error';

/** The provider answered 429; `retryAfterMs` holds its Retry-After when it sent one. */
export class ProviderRateLimitError extends LLMError {
  override readonly code: string = 'provider_rate_limit';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: true, ...options });
  }
}
