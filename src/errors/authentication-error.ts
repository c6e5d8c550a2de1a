import { LLMError, type LLMErrorOptions } from './llm-error';

/** The provider rejected the credentials (401/403, or Gemini's 400 API_KEY_INVALID). Try another key or candidate. */
export class AuthenticationError extends LLMError {
  override readonly code: string = 'authentication';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: false, ...options });
  }
}
