import { AllProvidersFailedError } from '../../errors/all-providers-failed-error';
import { LLMError } from '../../errors/llm-error';
import type { Attempt } from '../../spec/attempt';
import { OpenAIBodyError } from './openai-handler-request';

/** OpenAI's error envelope. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error as the handler answers it: status, body and headers. */
export interface OpenAIErrorReply {
  status: number;
  body: OpenAIErrorBody;
  headers: Record<string, string>;
}

// Attempts that failed because a provider was busy, not broken: when every attempt is one of these the
// service is temporarily unavailable (503) rather than a bad gateway (502).
const temporaryErrors = new Set(['ProviderRateLimitError', 'OverloadedError', 'TimeoutError']);

function allTemporary(attempts: readonly Attempt[]): boolean {
  return attempts.length > 0 && attempts.every((attempt) => attempt.status === 'skipped' || temporaryErrors.has(attempt.errorClass ?? ''));
}

function reply(status: number, message: string, type: string, code: string | null, param: string | null = null): OpenAIErrorReply {
  return { status, body: { error: { message, type, param, code } }, headers: {} };
}

function withRetryAfter(answer: OpenAIErrorReply, retryAfterMs: number | undefined): OpenAIErrorReply {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs)) return answer;
  const milliseconds = Math.max(0, Math.ceil(retryAfterMs));
  answer.headers['retry-after'] = String(Math.ceil(milliseconds / 1000));
  answer.headers['retry-after-ms'] = String(milliseconds);
  return answer;
}

/**
 * Maps what the manager threw to OpenAI's status and error shape: 400 bad input, 401, 429 (+ retry-after)
 * for our own limits and budgets, 502/503 when the providers failed, 504 on our deadline.
 */
export function toOpenAIError(error: unknown): OpenAIErrorReply {
  if (!LLMError.isInstance(error)) {
    // Never echo an unexpected error's text: it may carry internals.
    return reply(500, 'Internal error', 'server_error', null);
  }
  const message = error.message;
  if (error instanceof OpenAIBodyError) return reply(400, message, 'invalid_request_error', null, error.param);
  // Codes, not class names: names do not survive minification, codes are part of the contract.
  switch (error.code) {
    case 'invalid_request':
      return reply(400, message, 'invalid_request_error', null);
    case 'context_length_exceeded':
      return reply(400, message, 'invalid_request_error', 'context_length_exceeded', 'messages');
    case 'content_filter':
      return reply(400, message, 'invalid_request_error', 'content_filter');
    case 'rate_limit_exceeded':
      return withRetryAfter(reply(429, message, 'rate_limit_error', 'rate_limit_exceeded'), error.retryAfterMs);
    case 'quota_exceeded':
      return withRetryAfter(reply(429, message, 'insufficient_quota', 'insufficient_quota'), error.retryAfterMs);
    case 'all_providers_failed': {
      const attempts = error instanceof AllProvidersFailedError ? error.attempts : ((error as { attempts?: Attempt[] }).attempts ?? []);
      return allTemporary(attempts)
        ? withRetryAfter(reply(503, message, 'service_unavailable', 'all_providers_unavailable'), error.retryAfterMs)
        : reply(502, message, 'api_error', 'all_providers_failed');
    }
    case 'provider_rate_limit':
    case 'overloaded':
      return withRetryAfter(reply(503, message, 'service_unavailable', 'provider_unavailable'), error.retryAfterMs);
    case 'timeout':
      return reply(504, message, 'timeout', 'timeout');
    case 'aborted':
      // Nobody is left to read this; 499 is what proxies log for a client that went away.
      return reply(499, message, 'aborted', 'aborted');
    case 'configuration':
    case 'storage':
    case 'vault':
      return reply(500, message, 'server_error', error.code);
    default:
      // AuthenticationError (our key for the provider), ServerError, NetworkError, InvalidResponseError: the
      // upstream failed, not the caller.
      return reply(502, message, 'api_error', error.code);
  }
}

/** A JSON error response in OpenAI's shape. */
export function errorResponse(answer: OpenAIErrorReply): Response {
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { 'content-type': 'application/json', ...answer.headers },
  });
}

/** A plain error response without an LLMError behind it (401, 404, 405, 413). */
export function simpleErrorResponse(status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}): Response {
  return errorResponse({ status, body: { error: { message, type, param: null, code } }, headers });
}
