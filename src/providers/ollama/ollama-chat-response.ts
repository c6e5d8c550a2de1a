import { InvalidResponseError } from '../../errors/invalid-response-error';
import { createProviderError } from '../../http/provider-error';
import type { ProviderChatCall, ProviderChatResult } from '../../spec/chat';
import type { OllamaChatChunk } from './ollama-api-types';
import { mapOllamaFinishReason } from './ollama-finish-reason';
import { convertOllamaToolCall } from './ollama-tool-calls';
import { convertOllamaUsage } from './ollama-usage';

/** Normalises a non-streaming `/api/chat` answer; `message.thinking` becomes `reasoning`. */
export function parseOllamaChatResponse(response: OllamaChatChunk, call: ProviderChatCall, provider: string, model: string): ProviderChatResult {
  if (typeof response !== 'object' || response === null) {
    throw new InvalidResponseError(`${provider}: chat response is not an object`, { provider, model });
  }
  if (typeof response.error === 'string') throw createProviderError({ provider, model, body: response });
  if (response.done !== true) {
    throw new InvalidResponseError(`${provider}: chat response is not done (truncated response)`, { provider, model });
  }
  const text = response.message?.content ?? '';
  const toolCalls = (response.message?.tool_calls ?? []).map(convertOllamaToolCall);
  const result: ProviderChatResult = {
    text,
    toolCalls,
    finishReason: mapOllamaFinishReason(response.done_reason, toolCalls.length > 0),
    usage: convertOllamaUsage(response, call.messages, text),
    model: response.model ?? model,
  };
  if (response.message?.thinking) result.reasoning = response.message.thinking;
  if (response.done_reason !== undefined) result.rawFinishReason = response.done_reason;
  return result;
}
