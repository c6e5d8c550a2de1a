import { requestJson } from '../../http/post-json';
import type { ProviderChatCall, ProviderChatResult } from '../../spec/chat';
import type { ProviderCallContext } from '../../spec/provider';
import type { ToolCall } from '../../spec/tool';
import type { GoogleResponse } from './google-api-types';
import { googleFetch, googleHeaders, googleModelPath, type GoogleConfig } from './google-config';
import { buildGoogleRequest } from './google-request-body';
import { createGoogleResponseProcessor } from './google-response-processor';

/** One `POST /models/{model}:generateContent`. */
export async function googleChat(config: GoogleConfig, call: ProviderChatCall, context: ProviderCallContext): Promise<ProviderChatResult> {
  const body = buildGoogleRequest(call, { providerId: config.providerId, lookupSignature: config.signatures.lookup });
  const response = await requestJson<GoogleResponse>({
    url: `${config.baseUrl}/${googleModelPath(call.model)}:generateContent`,
    fetch: googleFetch(context),
    headers: googleHeaders(config, context),
    body,
    signal: context.signal,
    provider: config.providerId,
    model: call.model,
  });
  return parseGoogleResponse(config, call.model, response);
}

/** Normalises a whole `GenerateContentResponse` with the same rules as the stream. */
export function parseGoogleResponse(config: GoogleConfig, model: string, response: GoogleResponse): ProviderChatResult {
  const processor = createGoogleResponseProcessor({ provider: config.providerId, model, rememberSignature: config.signatures.remember });
  const parts = [...processor.accept(response), ...processor.close()];
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  const result: ProviderChatResult = { text: '', toolCalls, finishReason: 'other', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } };
  for (const part of parts) {
    if (part.type === 'text-delta') text += part.text;
    else if (part.type === 'reasoning-delta') reasoning += part.text;
    else if (part.type === 'tool-call') toolCalls.push(part.toolCall);
    else if (part.type === 'response-metadata') {
      if (part.responseId) result.responseId = part.responseId;
      if (part.model) result.model = part.model;
    } else if (part.type === 'finish') {
      result.finishReason = part.finishReason;
      result.usage = part.usage;
      if (part.rawFinishReason) result.rawFinishReason = part.rawFinishReason;
    }
  }
  result.text = text;
  if (reasoning) result.reasoning = reasoning;
  return result;
}
