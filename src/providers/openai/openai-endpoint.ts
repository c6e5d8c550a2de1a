import { AuthenticationError } from '../../errors/authentication-error';
import type { ProviderCallContext } from '../../spec/provider';
import type { OpenAIRequestTarget } from './openai-request-body';

/** How a server wants its key. */
export type OpenAIAuthStyle = 'bearer' | 'api-key-header' | 'none';

/** Everything the shared chat, stream, embedding and model calls need to reach one server. */
export interface OpenAIEndpoint extends OpenAIRequestTarget {
  /** Base URL without a trailing slash (`https://api.openai.com/v1`). */
  baseUrl: string;
  /** `<baseUrl><path>`, the same string for the same path on every call. */
  url(path: string): string;
  /**
   * Headers for one call: auth, fixed headers, then the call's own headers; with `body` 'json', also
   * `content-type: application/json`, and with 'json-for-event-stream' that and `accept: text/event-stream`
   * (before the call's own headers). Frozen: copy to change.
   */
  headers(context: ProviderCallContext, body?: 'json' | 'json-for-event-stream'): Record<string, string>;
}

/** Settings of `createOpenAIEndpoint`. */
export interface OpenAIEndpointSettings extends OpenAIRequestTarget {
  /** Base URL; a trailing slash is removed. */
  baseUrl: string;
  /** The adapter's own key, kept in this closure only. */
  apiKey?: string;
  /** How the key is sent. */
  authStyle: OpenAIAuthStyle;
  /** Whether a call without any key must be refused before it is sent (false for local servers). */
  requiresApiKey: boolean;
  /** Fixed extra headers. */
  headers?: Record<string, string>;
}

/** Builds the endpoint; the key lives only in this closure so it never shows up on the adapter object. */
export function createOpenAIEndpoint(settings: OpenAIEndpointSettings): OpenAIEndpoint {
  const { apiKey, authStyle, requiresApiKey, headers: fixedHeaders } = settings;
  const headersFor = (key: string | undefined, body: 'json' | 'json-for-event-stream' | undefined, callHeaders?: Record<string, string>): Record<string, string> => {
    let headers: Record<string, string> = body
      ? { 'content-type': 'application/json', accept: 'application/json', ...fixedHeaders }
      : { accept: 'application/json', ...fixedHeaders };
    if (key && authStyle === 'bearer') headers.authorization = `Bearer ${key}`;
    else if (key && authStyle === 'api-key-header') headers['api-key'] = key;
    if (callHeaders !== undefined) headers = { ...headers, ...callHeaders };
    // A stream must be asked for as one, whatever the fixed or per-call headers say.
    if (body === 'json-for-event-stream') headers.accept = 'text/event-stream';
    return headers;
  };
  // The adapter's own key gives the same headers every call: made once and frozen, so senders (and the
  // pooled transport, which remembers what it derived from a frozen object) take them as they are.
  let managedHeaders: Readonly<Record<string, string>> | undefined;
  let managedJsonHeaders: Readonly<Record<string, string>> | undefined;
  let managedEventStreamHeaders: Readonly<Record<string, string>> | undefined;
  const baseUrl = settings.baseUrl.replace(/\/+$/, '');
  // A handful of paths: the same URL string each call spares building it and lets the pooled transport
  // find its parsed target without hashing a new string.
  const urls = new Map<string, string>();
  return {
    provider: settings.provider,
    wireFormat: settings.wireFormat,
    quirks: settings.quirks,
    baseUrl,
    url(path) {
      let url = urls.get(path);
      if (url === undefined) urls.set(path, (url = `${baseUrl}${path}`));
      return url;
    },
    headers(context, body) {
      const key = context.apiKey ?? apiKey;
      if (!key && requiresApiKey && authStyle !== 'none') {
        throw new AuthenticationError(`${settings.provider}: no API key configured (pass apiKey to the adapter or a user key)`, {
          provider: settings.provider,
        });
      }
      if (context.apiKey === undefined && context.headers === undefined) {
        if (body === 'json') return (managedJsonHeaders ??= Object.freeze(headersFor(key, body)));
        if (body === 'json-for-event-stream') return (managedEventStreamHeaders ??= Object.freeze(headersFor(key, body)));
        return (managedHeaders ??= Object.freeze(headersFor(key, undefined)));
      }
      return headersFor(key, body, context.headers);
    },
  };
}
