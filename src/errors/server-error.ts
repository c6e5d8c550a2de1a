import { LLMError, type LLMErrorOptions } from './llm-error';

/** The provider failed on its side (5xx). */
export class ServerError extends LLMError {
  override readonly code: string = 'server_error';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: true, ...options });
  }
}
