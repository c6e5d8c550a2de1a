import { InvalidRequestError } from '../../errors/invalid-request-error';
import { isHttpUrl, parseBase64DataUrl } from '../../providers/shared/image-data';
import { toJsonSchema } from '../../providers/shared/to-json-schema';
import type { ProviderChatCall } from '../../spec/chat';
import type { ImagePart, Message } from '../../spec/message';
import type { AISDKCallOptions, AISDKFilePart, AISDKMessage } from './ai-sdk-types';

function toFilePart(part: ImagePart, provider: string, index: number): AISDKFilePart {
  if (typeof part.image !== 'string') {
    if (!part.mediaType) throw new InvalidRequestError(`${provider}: messages[${index}] image bytes need a mediaType`, { provider });
    return { type: 'file', data: part.image, mediaType: part.mediaType };
  }
  // The AI SDK downloads URLs its model cannot take itself; `image/*` lets it detect the exact type.
  if (isHttpUrl(part.image)) return { type: 'file', data: new URL(part.image), mediaType: part.mediaType ?? 'image/*' };
  const dataUrl = parseBase64DataUrl(part.image);
  if (dataUrl) return { type: 'file', data: dataUrl.data, mediaType: dataUrl.mediaType ?? part.mediaType ?? 'image/*' };
  if (!part.mediaType) {
    throw new InvalidRequestError(`${provider}: messages[${index}] image is neither a URL nor a data: URL, so it needs a mediaType`, { provider });
  }
  return { type: 'file', data: part.image, mediaType: part.mediaType };
}

/** Our conversation as the AI SDK's provider-level prompt. */
export function toAISDKPrompt(messages: readonly Message[], provider: string): AISDKMessage[] {
  const toolNames = new Map<string, string>();
  return messages.map((message, index): AISDKMessage => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user':
        return {
          role: 'user',
          content: typeof message.content === 'string'
            ? [{ type: 'text', text: message.content }]
            : message.content.map((part) => (part.type === 'text' ? { type: 'text', text: part.text } : toFilePart(part, provider, index))),
        };
      case 'assistant':
        return {
          role: 'assistant',
          content: typeof message.content === 'string'
            ? [{ type: 'text', text: message.content }]
            : message.content.map((part) => {
                if (part.type === 'tool-call') {
                  toolNames.set(part.toolCallId, part.toolName);
                  return { type: 'tool-call', toolCallId: part.toolCallId, toolName: part.toolName, input: part.arguments };
                }
                return part.type === 'reasoning' ? { type: 'reasoning', text: part.text } : { type: 'text', text: part.text };
              }),
        };
      case 'tool': {
        const toolName = message.toolName ?? toolNames.get(message.toolCallId);
        if (toolName === undefined) {
          throw new InvalidRequestError(`${provider}: messages[${index}] answers tool call "${message.toolCallId}", which no earlier assistant message made`, { provider });
        }
        return { role: 'tool', content: [{ type: 'tool-result', toolCallId: message.toolCallId, toolName, output: { type: 'text', value: message.content } }] };
      }
    }
  });
}

/** Our provider call as AI SDK call options (without the abort signal and headers). */
export function toAISDKCallOptions(call: ProviderChatCall, provider: string): AISDKCallOptions {
  const options: AISDKCallOptions = { prompt: toAISDKPrompt(call.messages, provider) };
  if (call.maxTokens !== undefined) options.maxOutputTokens = call.maxTokens;
  if (call.temperature !== undefined) options.temperature = call.temperature;
  if (call.topP !== undefined) options.topP = call.topP;
  if (call.stop !== undefined) options.stopSequences = call.stop;
  if (call.seed !== undefined) options.seed = call.seed;
  if (call.tools && call.tools.length > 0) {
    options.tools = call.tools.map((tool) => {
      const definition: NonNullable<AISDKCallOptions['tools']>[number] = { type: 'function', name: tool.name, inputSchema: toJsonSchema(tool.parameters) };
      if (tool.description !== undefined) definition.description = tool.description;
      return definition;
    });
  }
  if (call.toolChoice !== undefined) {
    options.toolChoice = typeof call.toolChoice === 'string' ? { type: call.toolChoice } : { type: 'tool', toolName: call.toolChoice.name };
  }
  const format = call.responseFormat;
  if (format?.type === 'json') options.responseFormat = { type: 'json' };
  else if (format?.type === 'json-schema') {
    options.responseFormat = { type: 'json', schema: toJsonSchema(format.schema), ...(format.name !== undefined ? { name: format.name } : {}) };
  }
  // AI SDK models read only their own key (`openai`, `anthropic`, …), so the whole record can pass through.
  if (call.providerOptions) options.providerOptions = call.providerOptions;
  return options;
}
