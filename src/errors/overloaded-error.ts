import { LLMError, type LLMErrorOptions } from './llm-error';

/** The provider is overloaded (529, 503). Retry later or elsewhere. */
export class OverloadedError extends LLMError {
  override readonly code: string = 'overloaded';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: true, ...options });
  }
}
