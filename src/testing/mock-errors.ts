import { AbortedError } from '../errors/aborted-error';
import { AuthenticationError } from '../errors/authentication-error';
import { ConfigurationError } from '../errors/configuration-error';
import { ContentFilterError } from '../errors/content-filter-error';
import { ContextLengthExceededError } from '../errors/context-length-exceeded-error';
import { InvalidRequestError } from '../errors/invalid-request-error';
import { InvalidResponseError } from '../errors/invalid-response-error';
import { LLMError, type LLMErrorOptions } from '../errors/llm-error';
import { NetworkError } from '../errors/network-error';
import { OverloadedError } from '../errors/overloaded-error';
import { ProviderRateLimitError } from '../errors/provider-rate-limit-error';
import { ServerError } from '../errors/server-error';
import { TimeoutError } from '../errors/timeout-error';
import type { MockErrorKind, MockErrorSpec } from './mock-provider-options';

type ErrorClass = new (message: string, options?: LLMErrorOptions) => LLMError;

const kinds: Record<MockErrorKind, { errorClass: ErrorClass; status?: number; message: string }> = {
  'rate-limit': { errorClass: ProviderRateLimitError, status: 429, message: 'rate limit reached' },
  overloaded: { errorClass: OverloadedError, status: 529, message: 'overloaded' },
  server: { errorClass: ServerError, status: 500, message: 'internal server error' },
  authentication: { errorClass: AuthenticationError, status: 401, message: 'invalid API key' },
  timeout: { errorClass: TimeoutError, message: 'the request timed out' },
  network: { errorClass: NetworkError, message: 'network failure (connection reset)' },
  'context-length': { errorClass: ContextLengthExceededError, status: 400, message: 'prompt is too long for the context window' },
  'invalid-request': { errorClass: InvalidRequestError, status: 400, message: 'invalid request' },
  'content-filter': { errorClass: ContentFilterError, status: 400, message: 'blocked by the content filter' },
  'invalid-response': { errorClass: InvalidResponseError, message: 'response is not valid JSON' },
  aborted: { errorClass: AbortedError, message: 'the request was aborted' },
};

/** True for `{ error: '<kind>' }` scripts (as opposed to replies and error instances). */
export function isMockErrorSpec(value: unknown): value is MockErrorSpec {
  return typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string';
}

/** The typed error a scripted failure stands for, attributed to the mock provider and model. */
export function createMockError(spec: MockErrorKind | MockErrorSpec | LLMError, provider: string, model?: string): LLMError {
  if (LLMError.isInstance(spec)) return spec;
  const normalised: MockErrorSpec = typeof spec === 'string' ? { error: spec } : spec;
  const kind = kinds[normalised.error];
  if (!kind) {
    throw new ConfigurationError(
      `mock provider ${provider}: unknown error kind "${String(normalised.error)}" (one of ${Object.keys(kinds).join(', ')})`,
      { provider },
    );
  }
  const options: LLMErrorOptions = { provider };
  if (model !== undefined) options.model = model;
  const status = normalised.status ?? kind.status;
  if (status !== undefined) options.status = status;
  if (normalised.retryAfterMs !== undefined) options.retryAfterMs = normalised.retryAfterMs;
  if (normalised.retryable !== undefined) options.retryable = normalised.retryable;
  return new kind.errorClass(`${provider}: ${normalised.message ?? kind.message}`, options);
}
