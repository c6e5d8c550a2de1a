import { LLMError, type LLMErrorOptions } from './llm-error';

/** The prompt does not fit the model's context window; a model with a larger window may accept it. */
export class ContextLengthExceededError extends LLMError {
  override readonly code: string = 'context_length_exceeded';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: false, ...options });
  }
}
