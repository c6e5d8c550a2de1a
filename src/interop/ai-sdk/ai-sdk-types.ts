/**
 * The slice of the Vercel AI SDK's model specification (`@ai-sdk/provider`, LanguageModelV3 and
 * EmbeddingModelV3, as `ai@6` uses) that the adapter calls, declared structurally so the library never
 * imports the AI SDK at runtime. V2 models (`ai@5`) fit too: their flat usage and string finish reason
 * are read as well.
 */

/** A JSON Schema object. */
export type AISDKJsonSchema = Record<string, unknown>;

/** One message of the AI SDK's provider-level prompt. */
export type AISDKMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: Array<AISDKTextPart | AISDKFilePart> }
  | { role: 'assistant'; content: Array<AISDKTextPart | AISDKReasoningPart | AISDKToolCallPart> }
  | { role: 'tool'; content: AISDKToolResultPart[] };

export interface AISDKTextPart {
  type: 'text';
  text: string;
}

export interface AISDKReasoningPart {
  type: 'reasoning';
  text: string;
}

export interface AISDKFilePart {
  type: 'file';
  /** Bytes, base64, or a URL. */
  data: Uint8Array | string | URL;
  mediaType: string;
}

export interface AISDKToolCallPart {
  type: 'tool-call';
  toolCallId: string;
  toolName: string;
  /** Parsed arguments. */
  input: unknown;
}

export interface AISDKToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  toolName: string;
  output: { type: 'text'; value: string };
}

/** What `doGenerate` and `doStream` take. */
export interface AISDKCallOptions {
  prompt: AISDKMessage[];
  maxOutputTokens?: number;
  temperature?: number;
  stopSequences?: string[];
  topP?: number;
  responseFormat?: { type: 'text' } | { type: 'json'; schema?: AISDKJsonSchema; name?: string; description?: string };
  seed?: number;
  tools?: Array<{ type: 'function'; name: string; description?: string; inputSchema: AISDKJsonSchema; strict?: boolean }>;
  toolChoice?: { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; toolName: string };
  abortSignal?: AbortSignal;
  headers?: Record<string, string | undefined>;
  providerOptions?: Record<string, Record<string, unknown>>;
}

/** V3 usage (nested) or V2 usage (flat numbers). */
export interface AISDKUsage {
  inputTokens?: number | { total?: number; noCache?: number; cacheRead?: number; cacheWrite?: number };
  outputTokens?: number | { total?: number; text?: number; reasoning?: number };
  totalTokens?: number;
  reasoningTokens?: number;
  cachedInputTokens?: number;
}

/** V3 finish reason (`{ unified, raw }`) or V2 (a string). */
export type AISDKFinishReason = string | { unified: string; raw?: string };

/** Content of a `doGenerate` result (the kinds the adapter reads; others are skipped). */
export type AISDKContent =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'tool-call'; toolCallId: string; toolName: string; input: string; providerExecuted?: boolean }
  | { type: string; [key: string]: unknown };

export interface AISDKGenerateResult {
  content: AISDKContent[];
  finishReason: AISDKFinishReason;
  usage: AISDKUsage;
  response?: { id?: string; modelId?: string; timestamp?: Date };
}

/** Stream parts (the kinds the adapter reads; others are skipped). */
export type AISDKStreamPart =
  | { type: 'text-delta'; id?: string; delta: string }
  | { type: 'reasoning-delta'; id?: string; delta: string }
  | { type: 'tool-input-start'; id: string; toolName: string; providerExecuted?: boolean }
  | { type: 'tool-input-delta'; id: string; delta: string }
  | { type: 'tool-call'; toolCallId: string; toolName: string; input: string; providerExecuted?: boolean }
  | { type: 'response-metadata'; id?: string; modelId?: string }
  | { type: 'finish'; usage: AISDKUsage; finishReason: AISDKFinishReason }
  | { type: 'error'; error: unknown }
  | { type: string; [key: string]: unknown };

/**
 * An AI SDK language model (`openai('gpt-4o')`, `anthropic('claude-…')`, `MockLanguageModelV3`). The option
 * parameters are typed `never` so that any version's exact option types fit; the adapter passes
 * `AISDKCallOptions`, which is the common subset of V2 and V3.
 */
export interface AISDKLanguageModel {
  readonly specificationVersion: 'v3' | 'v2';
  /** `openai.chat`, `anthropic.messages`, … */
  readonly provider: string;
  readonly modelId: string;
  doGenerate(options: never): PromiseLike<AISDKGenerateResult>;
  doStream(options: never): PromiseLike<{ stream: ReadableStream<AISDKStreamPart> }>;
}

/** What the adapter actually passes to `doEmbed`. */
export interface AISDKEmbedOptions {
  values: string[];
  abortSignal?: AbortSignal;
  headers?: Record<string, string | undefined>;
  providerOptions?: Record<string, Record<string, unknown>>;
}

/** An AI SDK embedding model (`openai.embedding('text-embedding-3-small')`, `MockEmbeddingModelV3`). */
export interface AISDKEmbeddingModel {
  readonly specificationVersion: 'v3' | 'v2';
  readonly provider: string;
  readonly modelId: string;
  readonly maxEmbeddingsPerCall?: PromiseLike<number | undefined> | number | undefined;
  /** Takes `AISDKEmbedOptions` (typed `never` so every version's exact option type fits). */
  doEmbed(options: never): PromiseLike<{ embeddings: number[][]; usage?: { tokens: number } }>;
}

/** An AI SDK provider (`createOpenAI(...)`, `MockProviderV3`): models made by id. */
export interface AISDKProvider {
  languageModel(modelId: string): AISDKLanguageModel;
  embeddingModel?(modelId: string): AISDKEmbeddingModel;
  textEmbeddingModel?(modelId: string): AISDKEmbeddingModel;
}
