import type { ProviderChatCall, ProviderChatResult } from './chat';
import type { ProviderEmbedCall, ProviderEmbedResult } from './embedding';
import type { ModelInfo } from './model-info';
import type { ProviderStreamPart } from './stream';

/** Per-call things the manager hands to an adapter. */
export interface ProviderCallContext {
  /** The fetch to use (the manager's pooled transport in Node, `globalThis.fetch` elsewhere). */
  fetch: typeof globalThis.fetch;
  /**
   * Aborts the HTTP request, at the socket. A real `AbortSignal`, except for this library's own adapters on
   * a transport that takes any abort-signal-like object (the Node pooled fetch): those get the call's
   * deadline, which has `aborted`, `reason`, `addEventListener` and `removeEventListener` (see
   * docs/runtimes/node.md).
   */
  signal?: AbortSignal;
  /** API key for this call (a user's own key); overrides the adapter's configured key. */
  apiKey?: string;
  /** Extra HTTP headers for this call. */
  headers?: Record<string, string>;
}

/**
 * A provider adapter: a plain object made by a factory such as `createOpenAI(options)`. Adapters throw
 * `LLMError` subclasses for every failure, including errors that arrive in the middle of a stream.
 */
export interface LanguageModelProvider {
  /** Instance id used in model refs (`openai`, `groq`, `my-vllm`). Unique within a manager. */
  readonly id: string;
  /** Wire format the adapter speaks (`openai`, `anthropic`, `google`, `ollama`, `cohere`, `openai-compatible`, `mock`). */
  readonly wireFormat: string;
  /** Runs on a local server: calls cost nothing, need no key and never leave the machine. */
  readonly local: boolean;
  /** Model used when a request names only the provider (`openai` or `openai:default`). */
  readonly defaultModel?: string;
  /** Embedding model used when an embed request names only the provider. */
  readonly defaultEmbeddingModel?: string;
  /** Whether the adapter has a key of its own (managed key); false means only BYOK keys can use it. */
  readonly hasApiKey: boolean;
  /** Base URL requests go to (for health and discovery reports). */
  readonly baseUrl: string;
  /** Known models with capabilities and prices (static catalogue; `listModels` asks the server). */
  readonly knownModels?: readonly ModelInfo[];
  /** One non-streaming chat call. */
  chat(call: ProviderChatCall, context: ProviderCallContext): Promise<ProviderChatResult>;
  /**
   * One streaming chat call. The request is sent when iteration starts; ending the iteration early
   * (`return()`) aborts the upstream request. A stream that ends without its terminal event throws.
   */
  stream(call: ProviderChatCall, context: ProviderCallContext): AsyncIterable<ProviderStreamPart>;
  /** Embeddings, for providers that have them. */
  embed?(call: ProviderEmbedCall, context: ProviderCallContext): Promise<ProviderEmbedResult>;
  /** Lists the models the server offers (also the cheapest call that proves a key works). */
  listModels?(context: ProviderCallContext): Promise<ModelInfo[]>;
}
