import { LLMError, type LLMErrorOptions } from './llm-error';

/** The provider refused the request or the output on content-policy grounds. */
export class ContentFilterError extends LLMError {
  override readonly code: string = 'content_filter';

  constructor(message: string, options: LLMErrorOptions = {}) {
    super(message, { retryable: false, ...options });
  }
}
