import { LLMError, type LLMErrorOptions } from './llm-error';

/** The storage or state backend failed. */
export class StorageError extends LLMError {
  override readonly code: string = 'storage';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: true, ...options });
  }
}
