import type { LLMError } from '../errors/llm-error';
import type { ToolCall } from './tool';
import type { FinishReason, Usage } from './usage';

/** Ids and model the provider announced at the start of a stream. */
export interface ResponseMetadataPart {
  /** Discriminator. */
  type: 'response-metadata';
  /** Provider response id. */
  responseId?: string;
  /** Model the provider says is serving. */
  model?: string;
}

/** A piece of answer text. */
export interface TextDeltaPart {
  /** Discriminator. */
  type: 'text-delta';
  /** The new text. */
  text: string;
}

/** A piece of reasoning text. */
export interface ReasoningDeltaPart {
  /** Discriminator. */
  type: 'reasoning-delta';
  /** The new reasoning text. */
  text: string;
}

/** A fragment of a tool call's arguments as it streams. */
export interface ToolCallDeltaPart {
  /** Discriminator. */
  type: 'tool-call-delta';
  /** Call id. */
  id: string;
  /** Tool name. */
  name: string;
  /** The new fragment of the JSON arguments. */
  argumentsDelta: string;
}

/** A tool call, complete and parsed. */
export interface ToolCallStreamPart {
  /** Discriminator. */
  type: 'tool-call';
  /** The complete call. */
  toolCall: ToolCall;
}

/** Usage reported by the provider (may arrive before `finish`). */
export interface UsagePart {
  /** Discriminator. */
  type: 'usage';
  /** Token counts. */
  usage: Usage;
}

/** The stream finished cleanly. Always the last part of a successful stream. */
export interface FinishPart {
  /** Discriminator. */
  type: 'finish';
  /** Normalised finish reason. */
  finishReason: FinishReason;
  /** The provider's own finish reason string. */
  rawFinishReason?: string;
  /** Final token usage. */
  usage: Usage;
}

/** The stream failed; always the last part of a failed stream. Never produced by provider adapters. */
export interface ErrorPart {
  /** Discriminator. */
  type: 'error';
  /** What went wrong. */
  error: LLMError;
}

/** Where a stream switched provider mid-answer (`streamFallback: 'continue'`). */
export interface StreamSplice {
  /** Characters of answer text sent before the splice (the continuation starts here). */
  textOffset: number;
  /** Content parts sent before the splice. */
  contentParts: number;
  /** `provider:model` that failed. */
  from: string;
  /** `provider:model` that continued. */
  to: string;
  /** Class of the error that caused the splice. */
  errorClass: string;
  /** Its message. */
  errorMessage: string;
}

/** Emitted between the parts of two providers when a stream continued elsewhere after a failure. */
export interface SplicePart extends StreamSplice {
  /** Discriminator. */
  type: 'splice';
}

/** What a provider adapter's stream yields. Adapters throw `LLMError`s instead of yielding error parts. */
export type ProviderStreamPart =
  | ResponseMetadataPart
  | TextDeltaPart
  | ReasoningDeltaPart
  | ToolCallDeltaPart
  | ToolCallStreamPart
  | UsagePart
  | FinishPart;

/** What `llm.stream()` yields. */
export type StreamPart = ProviderStreamPart | ErrorPart | SplicePart;
