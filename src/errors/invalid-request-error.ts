import { LLMError, type LLMErrorOptions } from './llm-error';

/** The request is malformed: rejected by our validation before any network call, or by the provider (400). */
export class InvalidRequestError extends LLMError {
  override readonly code: string = 'invalid_request';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: false, ...options });
  }
}
