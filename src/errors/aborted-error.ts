import { LLMError, type LLMErrorOptions } from './llm-error';

/** The caller's AbortSignal cancelled the call. */
export class AbortedError extends LLMError {
  override readonly code: string = 'aborted';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: false, ...options });
  }
}
