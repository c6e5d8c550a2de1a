import { AuthenticationError } from '../errors/authentication-error';
import { ContentFilterError } from '../errors/content-filter-error';
import { ContextLengthExceededError } from '../errors/context-length-exceeded-error';
import { InvalidRequestError } from '../errors/invalid-request-error';
import type { LLMError, LLMErrorOptions } from '../errors/llm-error';
import { OverloadedError } from '../errors/overloaded-error';
import { ProviderRateLimitError } from '../errors/provider-rate-limit-error';
import { ServerError } from '../errors/server-error';
import { TimeoutError } from '../errors/timeout-error';
import { parseDurationString, parseRetryAfterHeaders } from './retry-after';

/** The facts an error body yields, whatever the provider's envelope. */
export interface ProviderErrorFacts {
  /** Human-readable message. */
  message?: string;
  /** Provider error type or code (`rate_limit_error`, `context_length_exceeded`, `INVALID_ARGUMENT`…). */
  codes: string[];
  /** Retry delay found in the body (Gemini `RetryInfo`), in milliseconds. */
  retryAfterMs?: number;
}

/** What a provider's error description needs to be classified. */
export interface ProviderErrorInput {
  /** Provider id. */
  provider: string;
  /** Model of the failing call. */
  model?: string;
  /** HTTP status; absent for errors that arrive inside a stream. */
  status?: number;
  /** Response headers. */
  headers?: Headers;
  /** Parsed body, or the raw text when it was not JSON. */
  body: unknown;
}

// Error `type`/`code` strings that tell the status when a stream event carries no HTTP status.
const statusByCode: Record<string, number> = {
  overloaded_error: 529,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  resource_exhausted: 429,
  authentication_error: 401,
  invalid_api_key: 401,
  unauthenticated: 401,
  permission_error: 403,
  permission_denied: 403,
  api_error: 500,
  server_error: 500,
  internal: 500,
  unavailable: 503,
  invalid_request_error: 400,
  invalid_argument: 400,
  not_found_error: 404,
  request_too_large: 413,
  deadline_exceeded: 504,
};

function collectFacts(body: unknown): ProviderErrorFacts {
  const facts: ProviderErrorFacts = { codes: [] };
  const visit = (value: unknown, depth: number): void => {
    if (depth > 3 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value.slice(0, 4)) visit(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    if (typeof record.message === 'string' && facts.message === undefined) facts.message = record.message;
    for (const key of ['type', 'code', 'status', 'reason']) {
      const field = record[key];
      if (typeof field === 'string' && field !== 'error') facts.codes.push(field.toLowerCase());
    }
    if (record.retryDelay !== undefined) facts.retryAfterMs ??= parseDurationString(record.retryDelay);
    if (typeof record.error === 'string' && facts.message === undefined) facts.message = record.error;
    visit(record.error, depth + 1);
    visit(record.details, depth + 1);
  };
  visit(body, 0);
  return facts;
}

const contextPattern = /context[_ ]length|maximum context|prompt is too long|too many tokens|exceeds the maximum number of tokens|context window/i;
const contentFilterPattern = /content[_ ]?(filter|policy|management)|safety|responsible ai/i;
const badKeyPattern = /api[_ ]?key[_ ]?(not )?(valid|invalid)|api_key_invalid|invalid x-api-key|incorrect api key/i;

/** Classifies a provider's error (HTTP response or in-stream event) into the typed error users see. */
export function createProviderError(input: ProviderErrorInput): LLMError {
  const facts = typeof input.body === 'string' ? { codes: [], message: input.body.slice(0, 500) } : collectFacts(input.body);
  let status = input.status;
  if (status === undefined) {
    for (const code of facts.codes) if (statusByCode[code] !== undefined) { status = statusByCode[code]; break; }
  }
  const message = `${input.provider}: ${facts.message?.trim() || `HTTP ${status ?? 'error'}`}`;
  const headers = input.headers;
  const options: LLMErrorOptions = { provider: input.provider, model: input.model, status };
  const requestId = headers?.get('x-request-id') ?? headers?.get('request-id') ?? undefined;
  if (requestId) options.requestId = requestId;
  const retryAfterMs = parseRetryAfterHeaders(headers) ?? facts.retryAfterMs;
  if (retryAfterMs !== undefined) options.retryAfterMs = retryAfterMs;
  const shouldRetry = headers?.get('x-should-retry');
  if (shouldRetry === 'true' || shouldRetry === 'false') options.retryable = shouldRetry === 'true';
  const codes = facts.codes.join(' ');
  const text = `${codes} ${facts.message ?? ''}`;

  if (status === 401 || status === 403 || (status === 400 && badKeyPattern.test(text))) {
    return new AuthenticationError(message, options);
  }
  if (status === 429 || codes.includes('rate_limit') || codes.includes('resource_exhausted')) {
    // Out of quota is a 429 that no amount of waiting fixes.
    if (codes.includes('insufficient_quota')) options.retryable ??= false;
    return new ProviderRateLimitError(message, options);
  }
  if (status === 529 || status === 503 || codes.includes('overloaded')) return new OverloadedError(message, options);
  if (status === 408 || status === 504) return new TimeoutError(message, { retryable: true, ...options });
  if (status === 413 || codes.includes('context_length_exceeded') || contextPattern.test(text)) {
    return new ContextLengthExceededError(message, options);
  }
  if (codes.includes('content_filter') || codes.includes('content_policy_violation') || (status === 400 && contentFilterPattern.test(codes))) {
    return new ContentFilterError(message, options);
  }
  if (status !== undefined && status >= 500) return new ServerError(message, options);
  if (status !== undefined && status >= 400) return new InvalidRequestError(message, options);
  return new ServerError(message, options);
}

/** Reads a failed response's body (bounded) and classifies it. */
export async function errorFromResponse(response: Response, provider: string, model?: string): Promise<LLMError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The body is optional evidence; the status alone still classifies.
  }
  let body: unknown = text;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return createProviderError({ provider, model, status: response.status, headers: response.headers, body });
}
