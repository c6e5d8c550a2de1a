import { LLMError, type LLMErrorOptions } from './llm-error';

/** The connection failed, was reset, or the stream was cut before it finished. */
export class NetworkError extends LLMError {
  override readonly code: string = 'network';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: true, ...options });
  }
}
