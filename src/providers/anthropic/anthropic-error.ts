import { createProviderError } from '../../http/provider-error';
import type { LLMError } from '../../errors/llm-error';

/**
 * The typed error for an `event: error` that arrives after the 200 response started. Its body has the
 * same `{type: "error", error: {type, message}}` shape as an HTTP error, and `error.type` stands in for
 * the missing status (`overloaded_error` → 529 → OverloadedError, `rate_limit_error` → 429…).
 */
export function anthropicStreamError(payload: unknown, provider: string, model?: string): LLMError {
  return createProviderError({ provider, model, body: payload });
}
