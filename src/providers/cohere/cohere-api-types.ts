// The slice of Cohere's v2 wire format this adapter reads. Everything is optional: the server is not trusted.

/** A content block of an assistant message. */
export interface CohereContentBlock {
  type?: 'text' | 'thinking' | string;
  text?: string;
  thinking?: string;
}

/** A tool call as Cohere sends it (arguments are a JSON string, possibly empty). */
export interface CohereToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

/** `usage` of a chat response or of `message-end`. */
export interface CohereUsage {
  billed_units?: { input_tokens?: number; output_tokens?: number };
  tokens?: { input_tokens?: number; output_tokens?: number };
  cached_tokens?: number;
}

/** Non-streaming `/v2/chat` response. */
export interface CohereChatResponse {
  id?: string;
  finish_reason?: string;
  message?: {
    role?: string;
    content?: CohereContentBlock[];
    tool_plan?: string;
    tool_calls?: CohereToolCall[];
  };
  usage?: CohereUsage;
}

/** One `/v2/chat` stream event (the SSE `data:` payload). */
export interface CohereStreamEvent {
  type?: string;
  id?: string;
  index?: number;
  message?: string;
  delta?: {
    message?: {
      content?: CohereContentBlock;
      tool_plan?: string;
      tool_calls?: CohereToolCall;
    };
    finish_reason?: string;
    usage?: CohereUsage;
    error?: string;
  };
}

/** `/v2/embed` response with `embedding_types: ['float']`. */
export interface CohereEmbedResponse {
  id?: string;
  embeddings?: { float?: number[][] };
  meta?: { billed_units?: { input_tokens?: number } };
}

/** One entry of `GET /v1/models`. */
export interface CohereModelEntry {
  name?: string;
  endpoints?: string[];
  features?: string[] | null;
  context_length?: number;
  is_deprecated?: boolean;
}

/** `GET /v1/models` page. */
export interface CohereModelsResponse {
  models?: CohereModelEntry[];
  next_page_token?: string;
}
