import { LLMError, type LLMErrorOptions } from './llm-error';

/** The manager or an adapter was configured wrongly (bad option, unknown provider, missing master key). */
export class ConfigurationError extends LLMError {
  override readonly code: string = 'configuration';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: false, ...options });
  }
}
