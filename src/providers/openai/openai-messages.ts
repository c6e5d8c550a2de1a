import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { Message } from '../../spec/message';
import { toImageUrl } from '../shared/image-data';
import { stringifyToolArguments } from '../shared/tool-arguments';

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

/** Converts the conversation to Chat Completions messages. */
export function convertToOpenAIMessages(messages: Message[], provider: string): OpenAIRequestMessage[] {
  return messages.map((message, index): OpenAIRequestMessage => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user':
        if (typeof message.content === 'string') return { role: 'user', content: message.content };
        return {
          role: 'user',
          content: message.content.map((part): OpenAIContentPart =>
            part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image_url', image_url: { url: toImageUrl(part, provider, index) } },
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
              function: { name: part.toolName, arguments: stringifyToolArguments(part.arguments) },
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
