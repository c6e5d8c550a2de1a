import { AuthenticationError } from '../../errors/authentication-error';
import type { ProviderCallContext } from '../../spec/provider';
import type { GoogleThoughtSignatures } from './google-thought-signatures';

/** Settings resolved once by `createGoogle`; kept in the factory's closure, never on the provider object. */
export interface GoogleConfig {
  /** Provider instance id. */
  providerId: string;
  /** Base URL without a trailing slash, e.g. `https://generativelanguage.googleapis.com/v1beta`. */
  baseUrl: string;
  /** The managed key, if any. */
  apiKey?: string;
  /** Extra headers for every request. */
  headers: Record<string, string>;
  /** Thought signatures of this instance's recent function calls, replayed on the next turn. */
  signatures: GoogleThoughtSignatures;
}

/** Request headers: the key goes in `x-goog-api-key` (never the URL, where logs would keep it). */
export function googleHeaders(config: GoogleConfig, context: ProviderCallContext): Record<string, string> {
  const apiKey = context.apiKey ?? config.apiKey;
  if (!apiKey) {
    throw new AuthenticationError(`${config.providerId}: no API key: pass apiKey to createGoogle() or a per-user key`, { provider: config.providerId });
  }
  return { ...config.headers, 'x-goog-api-key': apiKey, ...context.headers };
}

/** The fetch to use: the manager's transport, else the global one read at call time. */
export function googleFetch(context: ProviderCallContext): typeof globalThis.fetch {
  return context.fetch ?? globalThis.fetch;
}

/** `models/gemini-2.5-flash` for a bare id; ids that already name a collection (`tunedModels/x`) stay. */
export function googleModelPath(model: string): string {
  return model.includes('/') ? model : `models/${model}`;
}
