/** What a model can do. */
export interface ModelCapabilities {
  /** Accepts tool definitions and makes tool calls. */
  tools: boolean;
  /** Accepts image input. */
  vision: boolean;
  /** Supports JSON mode or JSON Schema output. */
  json: boolean;
  /** Is an embedding model. */
  embedding: boolean;
  /** Produces reasoning / thinking. */
  reasoning: boolean;
}

/** Price of a model in USD per million tokens. */
export interface ModelPricing {
  /** Per million input tokens. */
  inputPerMillion: number;
  /** Per million output tokens. */
  outputPerMillion: number;
  /** Per million cached input tokens, when the provider discounts them. */
  cachedInputPerMillion?: number;
}

/** A model as listed by `llm.models()`. */
export interface ModelInfo {
  /** Reference to use in requests: `provider:model`. */
  id: string;
  /** Provider id. */
  provider: string;
  /** The provider's own model id. */
  model: string;
  /** Context window in tokens, when known. */
  contextWindow?: number;
  /** Maximum output tokens, when known. */
  maxOutputTokens?: number;
  /** Capabilities, as far as known (unknown ones are false). */
  capabilities: ModelCapabilities;
  /** Pricing, when known. Local models cost nothing. */
  pricing?: ModelPricing;
  /** Whether the model runs on a local server (free, private). */
  local: boolean;
}
