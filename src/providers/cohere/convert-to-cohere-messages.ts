import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { Message } from '../../spec/message';
import { toImageUrl } from '../shared/image-data';
import { stringifyToolArguments } from '../shared/tool-arguments';

/** A message as `/v2/chat` takes it. */
export type CohereMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | Array<{ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }> }
  | {
      role: 'assistant';
      content?: string;
      tool_plan?: string;
      tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
    }
  | { role: 'tool'; tool_call_id: string; content: string };

/**
 * Converts our messages to Cohere v2 messages. Reasoning the assistant produced before a tool call goes
 * back as `tool_plan` (Cohere's name for it); other reasoning is not replayed.
 */
export function convertToCohereMessages(messages: Message[], provider: string): CohereMessage[] {
  return messages.map<CohereMessage>((message, index) => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user':
        if (typeof message.content === 'string') return { role: 'user', content: message.content };
        return {
          role: 'user',
          content: message.content.map((part) =>
            part.type === 'text'
              ? { type: 'text' as const, text: part.text }
              : { type: 'image_url' as const, image_url: { url: toImageUrl(part, provider, index) } },
          ),
        };
      case 'assistant': {
        if (typeof message.content === 'string') return { role: 'assistant', content: message.content };
        let text = '';
        let reasoning = '';
        const toolCalls: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> = [];
        for (const part of message.content) {
          if (part.type === 'text') text += part.text;
          else if (part.type === 'reasoning') reasoning += part.text;
          else {
            toolCalls.push({
              id: part.toolCallId,
              type: 'function',
              function: { name: part.toolName, arguments: stringifyToolArguments(part.arguments) },
            });
          }
        }
        const converted: CohereMessage = { role: 'assistant' };
        if (text !== '') converted.content = text;
        if (toolCalls.length > 0) {
          converted.tool_calls = toolCalls;
          if (reasoning !== '') converted.tool_plan = reasoning;
        }
        return converted;
      }
      case 'tool':
        return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
      default:
        throw new InvalidRequestError(`${provider}: messages[${index}] has unknown role ${String((message as { role?: unknown }).role)}`, {
          provider,
        });
    }
  });
}
