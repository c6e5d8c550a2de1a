// The slice of Ollama's native API this adapter reads. Everything is optional: the server is not trusted.

/** A tool call; Ollama sends the arguments as an object, usually without an id. */
export interface OllamaToolCall {
  id?: string;
  function?: { index?: number; name?: string; arguments?: unknown };
}

/** One `/api/chat` object: the whole answer (`stream: false`) or one NDJSON line. */
export interface OllamaChatChunk {
  model?: string;
  created_at?: string;
  message?: {
    role?: string;
    content?: string;
    thinking?: string;
    tool_calls?: OllamaToolCall[];
  };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  /** Present instead of everything else when the server failed. */
  error?: string;
}

/** `/api/embed` response. */
export interface OllamaEmbedResponse {
  model?: string;
  embeddings?: number[][];
  prompt_eval_count?: number;
}

/** One entry of `/api/tags`. */
export interface OllamaTagEntry {
  name?: string;
  model?: string;
  details?: { family?: string; families?: string[] | null; parameter_size?: string };
}

/** `/api/tags` response. */
export interface OllamaTagsResponse {
  models?: OllamaTagEntry[];
}

/** The part of `/api/show` this adapter reads. */
export interface OllamaShowResponse {
  capabilities?: string[];
  model_info?: Record<string, unknown>;
}
