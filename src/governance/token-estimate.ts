import type { Message } from '../spec/message';
import type { ToolDefinition } from '../spec/tool';

/**
 * Rough token counts, for admission (reserving rate-limit tokens and budget before a call) and for usage
 * records when a provider reports none (those records carry `estimated: true`). About four characters per
 * token for English text and JSON; a fixed overhead per message for role markers; images at a flat price.
 */

/** Characters per token assumed for text. */
export const charactersPerToken = 4;
/** Tokens added per message for role and separators. */
export const tokensPerMessage = 4;
/** Tokens added once per request for the reply's priming. */
export const tokensPerRequest = 3;
/** Tokens counted per image (a typical high-detail tile set; providers vary). */
export const tokensPerImage = 1000;
/** Tokens added per tool definition besides its JSON. */
export const tokensPerTool = 8;

/** Tokens in a piece of text (at least 1 for non-empty text). */
export function estimateTextTokens(text: string): number {
  return estimateTokensOfLength(text.length);
}

/** Tokens in text of `characters` characters (at least 1 when there are any). */
export function estimateTokensOfLength(characters: number): number {
  if (characters === 0) return 0;
  return Math.ceil(characters / charactersPerToken);
}

function jsonLength(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    // Circular or exotic values (a zod schema): count something rather than fail admission.
    return 200;
  }
}

function estimateMessageTokens(message: Message): number {
  let tokens = tokensPerMessage;
  if (message.role === 'tool') {
    tokens += estimateTextTokens(message.content) + estimateTextTokens(message.toolCallId);
    if (message.toolName !== undefined) tokens += estimateTextTokens(message.toolName);
    return tokens;
  }
  if (typeof message.content === 'string') return tokens + estimateTextTokens(message.content);
  for (const part of message.content) {
    if (part.type === 'text' || part.type === 'reasoning') tokens += estimateTextTokens(part.text);
    else if (part.type === 'image') tokens += tokensPerImage;
    else if (part.type === 'tool-call') {
      tokens += estimateTextTokens(part.toolName) + Math.ceil(jsonLength(part.arguments) / charactersPerToken) + tokensPerMessage;
    }
  }
  return tokens;
}

/** Estimated prompt tokens of a chat request: messages plus tool definitions. */
export function estimateChatTokens(request: { messages: readonly Message[]; tools?: readonly ToolDefinition[] }): number {
  let tokens = tokensPerRequest;
  for (const message of request.messages) tokens += estimateMessageTokens(message);
  for (const tool of request.tools ?? []) {
    const parameters = '_zod' in tool.parameters ? {} : tool.parameters;
    tokens += tokensPerTool + estimateTextTokens(tool.name) + estimateTextTokens(tool.description ?? '');
    tokens += Math.ceil(jsonLength(parameters) / charactersPerToken);
  }
  return tokens;
}

/** Estimated tokens of embedding input. */
export function estimateEmbeddingTokens(input: readonly string[]): number {
  let tokens = 0;
  for (const text of input) tokens += estimateTextTokens(text);
  return tokens;
}

/**
 * Usage for a call the provider reported nothing for (a local server, an aborted stream): prompt estimated
 * from the request, output from the text and tool-call arguments produced so far. Flagged `estimated`.
 */
export function estimateUsage(
  request: { messages: readonly Message[]; tools?: readonly ToolDefinition[] },
  output: { text?: string; reasoning?: string; toolCallArguments?: readonly string[] },
): { inputTokens: number; outputTokens: number; totalTokens: number; reasoningTokens?: number; estimated: true } {
  const inputTokens = estimateChatTokens(request);
  const reasoningTokens = estimateTextTokens(output.reasoning ?? '');
  let outputTokens = estimateTextTokens(output.text ?? '') + reasoningTokens;
  for (const argumentsText of output.toolCallArguments ?? []) outputTokens += estimateTextTokens(argumentsText);
  const usage: { inputTokens: number; outputTokens: number; totalTokens: number; reasoningTokens?: number; estimated: true } = {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens,
    estimated: true,
  };
  if (reasoningTokens > 0) usage.reasoningTokens = reasoningTokens;
  return usage;
}
