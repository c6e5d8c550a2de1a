import type { LLMError } from '../../errors/llm-error';
import { createProviderError } from '../../http/provider-error';

/**
 * The error a Chat Completions payload carries, if any. Like openai-node, any payload with a top-level
 * `error` key is an error — also inside a stream and on a 200 response (some proxies answer that way).
 */
export function errorFromOpenAIPayload(payload: unknown, provider: string, model?: string): LLMError | undefined {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const error = (payload as { error?: unknown }).error;
  if (error === undefined || error === null || error === false) return undefined;
  // No HTTP status here: the error's `type`/`code` decide (insufficient_quota → 429, server_error → 500…).
  return createProviderError({ provider, model, body: payload });
}
