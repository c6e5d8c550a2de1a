import type { ModelInfo } from '../../spec/model-info';
import type { LanguageModelProvider } from '../../spec/provider';
import { openAIChat } from './openai-chat';
import { openAIEmbed } from './openai-embedding';
import { createOpenAIEndpoint, type OpenAIAuthStyle } from './openai-endpoint';
import { listOpenAIModels } from './openai-models';
import type { OpenAIChatQuirks } from './openai-quirks';
import { openAIResponsesChat } from './openai-responses-chat';
import { openAIResponsesStream } from './openai-responses-stream';
import { openAIStream } from './openai-stream';
import { markTakesAbortSignalLike } from '../../http/takes-abort-signal-like';

/** Everything that distinguishes one Chat Completions adapter from another. */
export interface OpenAIWireProviderSettings {
  /** Instance id used in model refs. */
  id: string;
  /** `openai` or `openai-compatible`; also the `providerOptions` key merged before `providerOptions[id]`. */
  wireFormat: string;
  /** Base URL, such as `https://api.openai.com/v1`. */
  baseUrl: string;
  /** The adapter's own key. */
  apiKey?: string;
  /** How the key is sent. */
  authStyle: OpenAIAuthStyle;
  /** Local server: free, needs no key. */
  local: boolean;
  /** Fixed extra headers. */
  headers?: Record<string, string>;
  /** Server quirks. */
  quirks: OpenAIChatQuirks;
  /** Model for requests that name only the provider. */
  defaultModel?: string;
  /** Embedding model for embed requests that name only the provider. */
  defaultEmbeddingModel?: string;
  /** Static catalogue. */
  knownModels?: readonly ModelInfo[];
  /** Whether the server has `/embeddings`. */
  embeddings: boolean;
  /** Which chat API to call: Chat Completions (default) or the Responses API. */
  api?: OpenAIChatApi;
}

/** The chat API an OpenAI-style adapter calls. */
export type OpenAIChatApi = 'chat-completions' | 'responses';

/**
 * Builds a Chat Completions adapter. `createOpenAI` and `createOpenAICompatible` (and its presets) are thin
 * wrappers around this, so every server shares one request builder and one stream reader.
 */
export function createOpenAIWireProvider(settings: OpenAIWireProviderSettings): LanguageModelProvider {
  const endpoint = createOpenAIEndpoint({
    provider: settings.id,
    wireFormat: settings.wireFormat,
    quirks: settings.quirks,
    baseUrl: settings.baseUrl,
    apiKey: settings.apiKey,
    authStyle: settings.authStyle,
    requiresApiKey: !settings.local,
    headers: settings.headers,
  });
  const responses = settings.api === 'responses';
  const provider: LanguageModelProvider = {
    id: settings.id,
    wireFormat: settings.wireFormat,
    local: settings.local,
    // Local servers need no key, so they are usable without one.
    hasApiKey: Boolean(settings.apiKey) || settings.local,
    baseUrl: endpoint.baseUrl,
    chat: (call, context) => (responses ? openAIResponsesChat(endpoint, call, context) : openAIChat(endpoint, call, context)),
    stream: (call, context) => (responses ? openAIResponsesStream(endpoint, call, context) : openAIStream(endpoint, call, context)),
    listModels: (context) => listOpenAIModels(endpoint, context, { local: settings.local, knownModels: settings.knownModels }),
  };
  if (settings.defaultModel !== undefined) Object.assign(provider, { defaultModel: settings.defaultModel });
  if (settings.defaultEmbeddingModel !== undefined) Object.assign(provider, { defaultEmbeddingModel: settings.defaultEmbeddingModel });
  if (settings.knownModels !== undefined) Object.assign(provider, { knownModels: settings.knownModels });
  if (settings.embeddings) provider.embed = (call, context) => openAIEmbed(endpoint, call, context);
  return markTakesAbortSignalLike(provider);
}
