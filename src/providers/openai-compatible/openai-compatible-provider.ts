import type { ModelInfo } from '../../spec/model-info';
import type { LanguageModelProvider } from '../../spec/provider';
import type { OpenAIAuthStyle } from '../openai/openai-endpoint';
import { genericCompatibleQuirks, type OpenAIChatQuirks } from '../openai/openai-quirks';
import { createOpenAIWireProvider, type OpenAIChatApi } from '../openai/openai-wire-provider';
import { checkProviderId, normalizeBaseUrl } from '../shared/validate-provider-settings';

/** Options of `createOpenAICompatible`. */
export interface OpenAICompatibleOptions {
  /** Instance id used in model refs (`my-vllm`, `groq`); also the `providerOptions` key merged last. */
  id: string;
  /** Base URL up to and including the version segment (`http://localhost:8000/v1`). */
  baseUrl: string;
  /** API key; local servers usually need none. Never read from the environment here. */
  apiKey?: string;
  /** How the key is sent: `Authorization: Bearer` (default), an `api-key` header, or not at all. */
  authStyle?: OpenAIAuthStyle;
  /** Extra headers on every request (OpenRouter's `HTTP-Referer` / `X-Title`, gateways' own headers). */
  headers?: Record<string, string>;
  /** A server on this machine or network: free, private, needs no key (default false). */
  local?: boolean;
  /** Where the server departs from OpenAI; merged over the generic defaults. */
  quirks?: Partial<OpenAIChatQuirks>;
  /** Model for requests that name only the provider. */
  defaultModel?: string;
  /** Embedding model for embed requests that name only the provider. */
  defaultEmbeddingModel?: string;
  /** Whether the server has `/embeddings` (default true). */
  embeddings?: boolean;
  /** Static catalogue with limits and prices, when known. */
  knownModels?: readonly ModelInfo[];
  /** `chat-completions` (default) or `responses`, for servers that implement OpenAI's Responses API (xAI). */
  api?: OpenAIChatApi;
}

/** An adapter for any server that speaks OpenAI Chat Completions (`/chat/completions`, `/embeddings`, `/models`). */
export function createOpenAICompatible(options: OpenAICompatibleOptions): LanguageModelProvider {
  const id = checkProviderId('createOpenAICompatible', options?.id);
  const baseUrl = normalizeBaseUrl(`createOpenAICompatible(${id})`, options.baseUrl, id);
  return createOpenAIWireProvider({
    id,
    wireFormat: 'openai-compatible',
    baseUrl,
    apiKey: options.apiKey,
    authStyle: options.authStyle ?? 'bearer',
    local: options.local ?? false,
    headers: options.headers,
    quirks: { ...genericCompatibleQuirks, ...options.quirks },
    defaultModel: options.defaultModel,
    defaultEmbeddingModel: options.defaultEmbeddingModel,
    knownModels: options.knownModels,
    embeddings: options.embeddings ?? true,
    api: options.api ?? 'chat-completions',
  });
}
