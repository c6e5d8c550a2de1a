import { InvalidResponseError } from '../../errors/invalid-response-error';
import type { ProviderChatResult } from '../../spec/chat';
import { generateToolCallId } from '../shared/generate-tool-call-id';
import type { CohereChatResponse } from './cohere-api-types';
import { mapCohereFinishReason } from './cohere-finish-reason';
import { parseCohereToolCall } from './cohere-tool-call';
import { convertCohereUsage } from './cohere-usage';

/**
 * Normalises a non-streaming `/v2/chat` answer. Thinking blocks and the `tool_plan` (the model's note on
 * why it calls tools) become `reasoning`; text blocks become `text`.
 */
export function parseCohereChatResponse(response: CohereChatResponse, provider: string, model: string): ProviderChatResult {
  if (typeof response !== 'object' || response === null || typeof response.message !== 'object' || response.message === null) {
    throw new InvalidResponseError(`${provider}: chat response has no message`, { provider, model });
  }
  let text = '';
  let reasoning = response.message.tool_plan ?? '';
  for (const block of response.message.content ?? []) {
    if (block.type === 'text') text += block.text ?? '';
    else if (block.type === 'thinking') reasoning += block.thinking ?? '';
  }
  const toolCalls = (response.message.tool_calls ?? []).map((call) =>
    parseCohereToolCall(call.id || generateToolCallId(), call.function?.name ?? '', call.function?.arguments ?? ''),
  );
  const result: ProviderChatResult = {
    text,
    toolCalls,
    finishReason: mapCohereFinishReason(response.finish_reason),
    usage: convertCohereUsage(response.usage),
    model,
  };
  if (reasoning !== '') result.reasoning = reasoning;
  if (response.finish_reason !== undefined) result.rawFinishReason = response.finish_reason;
  if (response.id !== undefined) result.responseId = response.id;
  return result;
}
