import { InvalidResponseError } from '../errors/invalid-response-error';
import { mapFetchError } from './map-fetch-error';
import { errorFromResponse } from './provider-error';

/** One HTTP request to a provider. */
export interface ProviderRequest {
  /** Absolute URL. */
  url: string;
  /** The fetch to use. */
  fetch: typeof globalThis.fetch;
  /** Request headers (auth included). */
  headers: Record<string, string>;
  /** JSON body; omitted for GET. */
  body?: unknown;
  /** HTTP method; POST when a body is given, GET otherwise. */
  method?: string;
  /** Aborts the request at the socket. */
  signal?: AbortSignal;
  /** Provider id, for errors. */
  provider: string;
  /** Model, for errors. */
  model?: string;
}

function sendInit(request: ProviderRequest): RequestInit {
  const hasBody = request.body !== undefined;
  return {
    method: request.method ?? (hasBody ? 'POST' : 'GET'),
    // Headers that already name their content type are sent as given (often a frozen object made once).
    headers: hasBody && request.headers['content-type'] === undefined ? { 'content-type': 'application/json', ...request.headers } : request.headers,
    body: hasBody ? JSON.stringify(request.body) : undefined,
    signal: request.signal,
  };
}

/**
 * Sends the request and returns the successful response; a failed status or transport throws a typed
 * error. The body is serialised once, here. Continuations rather than an async function: callers await
 * it, and every async frame stays alive for as long as the provider takes to answer.
 */
export function sendProviderRequest(request: ProviderRequest): Promise<Response> {
  const failed = (error: unknown): never => {
    throw mapFetchError(error, request.provider, request.signal);
  };
  let sent: Promise<Response>;
  try {
    sent = request.fetch(request.url, sendInit(request));
  } catch (error) {
    return Promise.reject(mapFetchError(error, request.provider, request.signal));
  }
  return sent.then(
    (response) => (response.ok ? response : errorFromResponse(response, request.provider, request.model).then(rejectWith)),
    failed,
  );
}

const rejectWith = (error: unknown): never => {
  throw error;
};

/** Sends the request and parses a JSON answer; garbage becomes `InvalidResponseError`. */
export async function requestJson<T>(request: ProviderRequest): Promise<T> {
  const response = await sendProviderRequest(request);
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw mapFetchError(error, request.provider, request.signal);
  }
  return parseProviderJson<T>(text, request.provider, request.model);
}

/** `JSON.parse` whose failure says which provider sent garbage. */
export function parseProviderJson<T>(text: string, provider: string, model?: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new InvalidResponseError(`${provider}: response is not valid JSON (${text.slice(0, 80)})`, { provider, model, cause: error });
  }
}
