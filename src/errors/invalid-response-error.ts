import { LLMError, type LLMErrorOptions } from './llm-error';

/** The provider answered something we cannot understand: malformed JSON, an unexpected shape, a stream that ended without finishing. */
export class InvalidResponseError extends LLMError {
  override readonly code: string = 'invalid_response';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: true, ...options });
  }
}
