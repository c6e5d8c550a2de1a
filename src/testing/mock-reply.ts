import { ConfigurationError } from '../errors/configuration-error';
import type { LLMError } from '../errors/llm-error';
import type { ProviderChatCall, ProviderChatResult } from '../spec/chat';
import type { Message } from '../spec/message';
import type { ProviderStreamPart } from '../spec/stream';
import type { ToolCall } from '../spec/tool';
import type { FinishReason, Usage } from '../spec/usage';
import { createMockError } from './mock-errors';
import type { MockReply } from './mock-provider-options';

/** A reply with every default filled in. */
export interface PlannedReply {
  result: ProviderChatResult & { responseId: string; model: string };
  latencyMs: number;
  partDelayMs: number;
  chunks?: number;
  failAfterParts?: number;
  failWith?: LLMError;
}

function messageText(message: Message): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => (part.type === 'text' || part.type === 'reasoning' ? part.text : '')).join('');
}

/** About four characters a token, never below one for a non-empty text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The default answer: the last user message, echoed. */
export function echoReply(call: ProviderChatCall): MockReply {
  const lastUser = [...call.messages].reverse().find((message) => message.role === 'user');
  return { text: lastUser ? `Echo: ${messageText(lastUser)}` : 'Echo: (no user message)' };
}

/** Fills in ids, usage, finish reason and timing of a scripted reply, and checks its shape. */
export function planReply(
  reply: MockReply,
  call: ProviderChatCall,
  context: { provider: string; model: string; index: number; latencyMs: number; partDelayMs: number },
): PlannedReply {
  const where = `mock provider ${context.provider}, reply for call #${context.index}`;
  if (typeof reply !== 'object' || reply === null) throw new ConfigurationError(`${where}: a reply must be an object`, { provider: context.provider });
  if (reply.text !== undefined && typeof reply.text !== 'string') throw new ConfigurationError(`${where}: text must be a string`, { provider: context.provider });
  if (reply.chunks !== undefined && !(Number.isInteger(reply.chunks) && reply.chunks > 0)) {
    throw new ConfigurationError(`${where}: chunks must be a positive integer`, { provider: context.provider });
  }
  if (reply.failAfterParts !== undefined && !(Number.isInteger(reply.failAfterParts) && reply.failAfterParts >= 0)) {
    throw new ConfigurationError(`${where}: failAfterParts must be a non-negative integer`, { provider: context.provider });
  }
  const text = reply.text ?? '';
  const toolCalls: ToolCall[] = (reply.toolCalls ?? []).map((toolCall, position) => {
    if (typeof toolCall?.name !== 'string' || toolCall.name === '') {
      throw new ConfigurationError(`${where}: toolCalls[${position}] needs a name`, { provider: context.provider });
    }
    const args = toolCall.arguments ?? {};
    return { id: toolCall.id ?? `mock-call-${context.index}-${position}`, name: toolCall.name, arguments: args, rawArguments: JSON.stringify(args) };
  });
  const inputTokens = reply.usage?.inputTokens ?? estimateTokens(call.messages.map(messageText).join(''));
  const outputTokens =
    reply.usage?.outputTokens ?? estimateTokens(text + (reply.reasoning ?? '') + toolCalls.map((toolCall) => toolCall.name + toolCall.rawArguments).join(''));
  const usage: Usage = { ...reply.usage, inputTokens, outputTokens, totalTokens: reply.usage?.totalTokens ?? inputTokens + outputTokens };
  const finishReason: FinishReason = reply.finishReason ?? (toolCalls.length > 0 ? 'tool-calls' : 'stop');
  const result: PlannedReply['result'] = {
    text,
    toolCalls,
    finishReason,
    usage,
    responseId: reply.responseId ?? `mock-response-${context.index}`,
    model: reply.model ?? context.model,
  };
  if (reply.reasoning !== undefined) result.reasoning = reply.reasoning;
  if (reply.rawFinishReason !== undefined) result.rawFinishReason = reply.rawFinishReason;
  const planned: PlannedReply = {
    result,
    latencyMs: reply.latencyMs ?? context.latencyMs,
    partDelayMs: reply.partDelayMs ?? context.partDelayMs,
  };
  if (reply.chunks !== undefined) planned.chunks = reply.chunks;
  if (reply.failAfterParts !== undefined) {
    planned.failAfterParts = reply.failAfterParts;
    planned.failWith = createMockError(reply.failWith ?? { error: 'network', message: 'network failure (connection dropped mid-stream)' }, context.provider, result.model);
  }
  return planned;
}

/** Splits text into `count` nearly equal deltas (by code point), or word by word without a count. */
export function splitText(text: string, count?: number): string[] {
  if (text === '') return [];
  if (count === undefined) return text.match(/\s*\S+|\s+/g) ?? [text];
  const characters = Array.from(text);
  const size = Math.ceil(characters.length / Math.min(count, characters.length));
  const pieces: string[] = [];
  for (let offset = 0; offset < characters.length; offset += size) pieces.push(characters.slice(offset, offset + size).join(''));
  return pieces;
}

/** Every part of the stream for a planned reply, finish included, in the order real adapters emit them. */
export function streamPartsOf(planned: PlannedReply): ProviderStreamPart[] {
  const { result } = planned;
  const parts: ProviderStreamPart[] = [{ type: 'response-metadata', responseId: result.responseId, model: result.model }];
  for (const piece of splitText(result.reasoning ?? '', planned.chunks)) parts.push({ type: 'reasoning-delta', text: piece });
  for (const piece of splitText(result.text, planned.chunks)) parts.push({ type: 'text-delta', text: piece });
  for (const toolCall of result.toolCalls) {
    parts.push({ type: 'tool-call-delta', id: toolCall.id, name: toolCall.name, argumentsDelta: toolCall.rawArguments });
    parts.push({ type: 'tool-call', toolCall });
  }
  parts.push({ type: 'usage', usage: result.usage });
  parts.push({
    type: 'finish',
    finishReason: result.finishReason,
    ...(result.rawFinishReason !== undefined ? { rawFinishReason: result.rawFinishReason } : {}),
    usage: result.usage,
  });
  return parts;
}
