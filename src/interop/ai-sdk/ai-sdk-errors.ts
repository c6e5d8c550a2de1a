import { ConfigurationError } from '../../errors/configuration-error';
import { InvalidRequestError } from '../../errors/invalid-request-error';
import { InvalidResponseError } from '../../errors/invalid-response-error';
import { LLMError } from '../../errors/llm-error';
import { mapFetchError } from '../../http/map-fetch-error';
import { createProviderError } from '../../http/provider-error';

interface AISDKErrorShape {
  name?: string;
  message?: string;
  statusCode?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  data?: unknown;
  cause?: unknown;
}

// AI SDK errors carry a global marker symbol per class; their `name`s (`AI_APICallError`, …) are stable.
function isAISDKError(error: unknown, name: string): error is AISDKErrorShape {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

function parseBody(body: string | undefined, data: unknown): unknown {
  if (data !== undefined) return data;
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/**
 * Turns what an AI SDK model threw into our typed errors: an `APICallError` is classified from its status,
 * headers and body like any provider response (Retry-After included); a network failure or abort the way
 * fetch errors are; prompt and argument errors are bad requests, unsupported features a candidate that
 * cannot serve this call (the next one may), and response parse errors invalid responses.
 */
export function fromAISDKError(error: unknown, provider: string, model: string | undefined, signal: AbortSignal | undefined): LLMError {
  if (LLMError.isInstance(error)) return error;
  if (signal?.aborted) return mapFetchError(error, provider, signal);
  const message = `${provider}: ${(error as { message?: string } | undefined)?.message ?? String(error)}`;
  if (isAISDKError(error, 'AI_APICallError')) {
    if (error.statusCode === undefined) return mapFetchError(error.cause ?? error, provider, signal);
    return createProviderError({
      provider, model, status: error.statusCode,
      headers: error.responseHeaders ? new Headers(error.responseHeaders) : undefined,
      body: parseBody(error.responseBody, error.data) ?? error.message,
    });
  }
  if (isAISDKError(error, 'AI_InvalidPromptError') || isAISDKError(error, 'AI_InvalidArgumentError')) {
    return new InvalidRequestError(message, { provider, model, cause: error });
  }
  if (isAISDKError(error, 'AI_NoSuchModelError')) {
    // Like a provider's 404: this candidate lacks the model, another may have it.
    return new InvalidRequestError(message, { provider, model, status: 404, cause: error });
  }
  if (isAISDKError(error, 'AI_UnsupportedFunctionalityError') || isAISDKError(error, 'AI_LoadAPIKeyError') || isAISDKError(error, 'AI_LoadSettingError')) {
    return new ConfigurationError(message, { provider, model, cause: error });
  }
  const name = (error as { name?: unknown } | undefined)?.name;
  if (typeof name === 'string' && name.startsWith('AI_')) {
    // Empty bodies, JSON parse and type validation failures, no content: the response was unusable.
    return new InvalidResponseError(message, { provider, model, cause: error });
  }
  return mapFetchError(error, provider, signal);
}
