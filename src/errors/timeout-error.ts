import { LLMError, type LLMErrorOptions } from './llm-error';

/** The call did not finish within its deadline (`timeoutMs`, or the stream's idle timeout). */
export class TimeoutError extends LLMError {
  override readonly code: string = 'timeout';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: true, ...options });
  }
}
