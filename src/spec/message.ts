/** A piece of text inside a message. */
export interface TextPart {
  /** Discriminator. */
  type: 'text';
  /** The text. */
  text: string;
}

/** An image inside a user message. */
export interface ImagePart {
  /** Discriminator. */
  type: 'image';
  /** An `https:` URL, a `data:` URL, or raw bytes / base64 when `mediaType` is given. */
  image: string | Uint8Array;
  /** MIME type such as `image/png`; required for raw bytes and plain base64. */
  mediaType?: string;
}

/** A tool call the assistant made earlier in the conversation. */
export interface ToolCallPart {
  /** Discriminator. */
  type: 'tool-call';
  /** The call id the provider assigned; tool messages answer it. */
  toolCallId: string;
  /** Name of the called tool. */
  toolName: string;
  /** Parsed arguments. */
  arguments: unknown;
}

/** Reasoning the assistant produced earlier (sent back to providers that want it). */
export interface ReasoningPart {
  /** Discriminator. */
  type: 'reasoning';
  /** The reasoning text. */
  text: string;
  /** Provider signature that must accompany replayed reasoning (Anthropic `signature`). */
  signature?: string;
}

/** Instructions for the model. Providers that take a separate system prompt receive them there. */
export interface SystemMessage {
  /** Discriminator. */
  role: 'system';
  /** The instructions. */
  content: string;
}

/** What the user said. */
export interface UserMessage {
  /** Discriminator. */
  role: 'user';
  /** Plain text, or text and image parts. */
  content: string | Array<TextPart | ImagePart>;
}

/** What the assistant answered earlier: text, reasoning and tool calls. */
export interface AssistantMessage {
  /** Discriminator. */
  role: 'assistant';
  /** Plain text, or parts. */
  content: string | Array<TextPart | ToolCallPart | ReasoningPart>;
}

/** The result of one tool call, answering `toolCallId`. */
export interface ToolMessage {
  /** Discriminator. */
  role: 'tool';
  /** Id of the tool call this answers. */
  toolCallId: string;
  /** Name of the tool (Gemini and Cohere need it; filled from the call when omitted). */
  toolName?: string;
  /** The tool's output, as text (JSON-encode structured results). */
  content: string;
}

/** One message of a conversation. */
export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;
