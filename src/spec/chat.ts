import type { Message } from './message';
import type { JsonSchema, ToolCall, ToolChoice, ToolDefinition, StandardJsonSchemaLike } from './tool';
import type { FinishReason, Usage } from './usage';

/** How the model must shape its answer. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json' }
  | {
      /** Discriminator. */
      type: 'json-schema';
      /** The schema the answer must match (JSON Schema, or a zod 4.2+ or other Standard JSON Schema object). */
      schema: JsonSchema | StandardJsonSchemaLike;
      /** Schema name, where the provider wants one. */
      name?: string;
      /** Ask for strict schema adherence where supported. */
      strict?: boolean;
    };

/** Generation settings shared by the public request and the provider call. */
export interface GenerationSettings {
  /** The conversation, oldest first. */
  messages: Message[];
  /** Functions the model may call. */
  tools?: ToolDefinition[];
  /** Whether and which tool the model must call. */
  toolChoice?: ToolChoice;
  /** Plain text (default), any JSON object, or JSON matching a schema. */
  responseFormat?: ResponseFormat;
  /** Sampling temperature. */
  temperature?: number;
  /** Nucleus sampling. */
  topP?: number;
  /** Upper bound on output tokens. */
  maxTokens?: number;
  /** Sequences that end generation. */
  stop?: string[];
  /** Seed for providers that support deterministic sampling. */
  seed?: number;
  /**
   * Escape hatch: extra body fields per provider id or wire format, merged into the request body as is,
   * e.g. `{ openai: { logprobs: true }, anthropic: { thinking: { type: 'enabled', budget_tokens: 1024 } } }`.
   */
  providerOptions?: Record<string, Record<string, unknown>>;
}

/** The call a provider adapter receives: one concrete model, settings already validated. */
export interface ProviderChatCall extends GenerationSettings {
  /** The provider's own model id (without the `provider:` prefix). */
  model: string;
}

/** What a provider adapter returns from a non-streaming call. */
export interface ProviderChatResult {
  /** Concatenated text output. */
  text: string;
  /** Reasoning text, where the provider exposes it. */
  reasoning?: string;
  /** Tool calls, in the order the model made them. */
  toolCalls: ToolCall[];
  /** Normalised finish reason. */
  finishReason: FinishReason;
  /** The provider's own finish reason string. */
  rawFinishReason?: string;
  /** Token usage as reported (or estimated, flagged). */
  usage: Usage;
  /** Provider response id. */
  responseId?: string;
  /** Model the provider says served the call (may differ from the one asked for). */
  model?: string;
}
