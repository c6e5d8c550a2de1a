import type { LLMError } from '../../errors/llm-error';
import { createProviderError } from '../../http/provider-error';
import type { GoogleResponse } from './google-api-types';

/**
 * The typed error for `{"error": {code, status, message}}` arriving as a stream event after the 200
 * response started; `error.code` is the HTTP status the server would have sent.
 */
export function googleStreamError(payload: GoogleResponse, provider: string, model?: string): LLMError {
  const status = typeof payload.error?.code === 'number' ? payload.error.code : undefined;
  return createProviderError({ provider, model, status, body: payload });
}
