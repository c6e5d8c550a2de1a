import { AuthenticationError } from '../../errors/authentication-error';
import type { ProviderCallContext } from '../../spec/provider';
import type { OpenAIRequestTarget } from './openai-request-body';

/** How a server wants its key. */
export type OpenAIAuthStyle = 'bearer' | 'api-key-header' | 'none';

/** Everything the shared chat, stream, embedding and model calls need to reach one server. */
export interface OpenAIEndpoint extends OpenAIRequestTarget {
  /** Base URL without a trailing slash (`https://api.openai.com/v1`). */
  baseUrl: string;
  /**
   * Headers for one call: auth, fixed headers, then the call's own headers; with `jsonBody`, also
   * `content-type: application/json` (before the call's own headers). Frozen: copy to change.
   */
  headers(context: ProviderCallContext, jsonBody?: boolean): Record<string, string>;
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
  const headersFor = (key: string | undefined, jsonBody: boolean): Record<string, string> => {
    const headers: Record<string, string> = jsonBody
      ? { 'content-type': 'application/json', accept: 'application/json', ...fixedHeaders }
      : { accept: 'application/json', ...fixedHeaders };
    if (key && authStyle === 'bearer') headers.authorization = `Bearer ${key}`;
    else if (key && authStyle === 'api-key-header') headers['api-key'] = key;
    return headers;
  };
  // The adapter's own key gives the same headers every call: made once and frozen, so senders (and the
  // pooled transport, which remembers what it derived from a frozen object) take them as they are.
  let managedHeaders: Readonly<Record<string, string>> | undefined;
  let managedJsonHeaders: Readonly<Record<string, string>> | undefined;
  return {
    provider: settings.provider,
    wireFormat: settings.wireFormat,
    quirks: settings.quirks,
    baseUrl: settings.baseUrl.replace(/\/+$/, ''),
    headers(context, jsonBody = false) {
      const key = context.apiKey ?? apiKey;
      if (!key && requiresApiKey && authStyle !== 'none') {
        throw new AuthenticationError(`${settings.provider}: no API key configured (pass apiKey to the adapter or a user key)`, {
          provider: settings.provider,
        });
      }
      if (context.apiKey === undefined && context.headers === undefined) {
        return jsonBody ? (managedJsonHeaders ??= Object.freeze(headersFor(key, true))) : (managedHeaders ??= Object.freeze(headersFor(key, false)));
      }
      const headers = headersFor(key, jsonBody);
      return context.headers === undefined ? headers : { ...headers, ...context.headers };
    },
  };
}
