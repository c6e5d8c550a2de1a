/**
 * How a Chat Completions server departs from OpenAI's own behaviour. The OpenAI adapter and every
 * OpenAI-compatible preset share one implementation parameterised by these.
 */
export interface OpenAIChatQuirks {
  /** Send `stream_options: { include_usage: true }` on streams (some servers reject unknown fields). */
  streamOptions: boolean;
  /** Body field for the output-token cap: OpenAI wants `max_completion_tokens`, most others `max_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Accepts `response_format: { type: 'json_schema' }`; otherwise JSON Schema requests fall back to `json_object`. */
  jsonSchema: boolean;
  /**
   * Where the server reports usage on streams: a trailing `choices: []` chunk (OpenAI, xAI, Azure), the
   * finish chunk (DeepSeek, Mistral), `x_groq.usage` (Groq), or nowhere (some local servers). Informational:
   * the stream reader accepts every placement and waits for `[DONE]` or the end of the body before finishing.
   */
  usagePlacement: 'trailing-chunk' | 'finish-chunk' | 'x-groq' | 'none';
  /** The server may send SSE comments such as `: keep-alive` while a request is queued (ignored). */
  keepAliveComments: boolean;
}

/** OpenAI's own behaviour. */
export const openAIQuirks: OpenAIChatQuirks = {
  streamOptions: true,
  maxTokensField: 'max_completion_tokens',
  jsonSchema: true,
  usagePlacement: 'trailing-chunk',
  keepAliveComments: false,
};

/** A conservative default for an unknown OpenAI-compatible server. */
export const genericCompatibleQuirks: OpenAIChatQuirks = {
  streamOptions: true,
  maxTokensField: 'max_tokens',
  jsonSchema: true,
  usagePlacement: 'trailing-chunk',
  keepAliveComments: false,
};
