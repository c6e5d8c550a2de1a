import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { ImagePart, Message } from '../../spec/message';

/** A Chat Completions content part. */
export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } };

/** A tool call in an assistant message of the request history. */
export interface OpenAIRequestToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One message of a Chat Completions request. */
export type OpenAIRequestMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAIContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAIRequestToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

function base64FromBytes(bytes: Uint8Array): string {
  // btoa takes a binary string; build it in slices so large images do not overflow the call stack.
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}

/** An image part as the URL OpenAI accepts: an `https:` URL as is, anything else as a `data:` URL. */
export function openAIImageUrl(part: ImagePart, provider: string): string {
  if (typeof part.image === 'string' && /^(https?:|data:)/i.test(part.image)) return part.image;
  if (!part.mediaType) {
    throw new InvalidRequestError(`${provider}: an image given as bytes or base64 needs a mediaType (such as image/png)`, { provider });
  }
  const data = typeof part.image === 'string' ? part.image : base64FromBytes(part.image);
  return `data:${part.mediaType};base64,${data}`;
}

/** Converts the conversation to Chat Completions messages. */
export function convertToOpenAIMessages(messages: Message[], provider: string): OpenAIRequestMessage[] {
  return messages.map((message): OpenAIRequestMessage => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user':
        if (typeof message.content === 'string') return { role: 'user', content: message.content };
        return {
          role: 'user',
          content: message.content.map((part): OpenAIContentPart =>
            part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image_url', image_url: { url: openAIImageUrl(part, provider) } },
          ),
        };
      case 'assistant': {
        if (typeof message.content === 'string') return { role: 'assistant', content: message.content };
        let text = '';
        const toolCalls: OpenAIRequestToolCall[] = [];
        for (const part of message.content) {
          if (part.type === 'text') text += part.text;
          else if (part.type === 'tool-call') {
            toolCalls.push({
              id: part.toolCallId,
              type: 'function',
              function: { name: part.toolName, arguments: typeof part.arguments === 'string' ? part.arguments : JSON.stringify(part.arguments ?? {}) },
            });
          }
          // Reasoning is not replayed: Chat Completions has no standard field for it in requests.
        }
        const converted: OpenAIRequestMessage = { role: 'assistant', content: text.length > 0 || toolCalls.length === 0 ? text : null };
        if (toolCalls.length > 0) converted.tool_calls = toolCalls;
        return converted;
      }
      case 'tool':
        return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
      default:
        throw new InvalidRequestError(`${provider}: unknown message role ${JSON.stringify((message as { role?: unknown }).role)}`, { provider });
    }
  });
}
