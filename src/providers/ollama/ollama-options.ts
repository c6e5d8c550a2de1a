import type { ModelInfo } from '../../spec/model-info';

/** Options of `createOllama`. */
export interface OllamaProviderOptions {
  /** Server root, `http://localhost:11434` by default (no `/api` suffix). */
  baseUrl?: string;
  /** Instance id used in model refs (`ollama:llama3.2`); `ollama` by default. */
  id?: string;
  /** Chat model used when a request names only the provider; `llama3.2` by default. */
  defaultModel?: string;
  /** Embedding model used when an embed request names only the provider; `nomic-embed-text` by default. */
  defaultEmbeddingModel?: string;
  /** Bearer token, for an Ollama behind an authenticating proxy. A local server needs none. */
  apiKey?: string;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** `keep_alive` sent with chat and embed requests (`"5m"`, `"1h"`, `0` to unload at once). */
  keepAlive?: string | number;
  /**
   * Ask `/api/show` about every model `listModels` finds, for its capabilities (tools, vision, thinking,
   * embedding) and context window. One extra local request per model; true by default.
   */
  inspectModels?: boolean;
  /** Static catalogue reported as `knownModels` (none by default: a local server serves what is pulled). */
  knownModels?: readonly ModelInfo[];
}
