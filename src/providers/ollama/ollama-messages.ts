import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { Message } from '../../spec/message';
import { toOllamaImage } from './ollama-images';

/** A message as `/api/chat` takes it. */
export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  images?: string[];
  tool_calls?: Array<{ function: { name: string; arguments: unknown } }>;
  tool_name?: string;
}

/**
 * Converts our messages to Ollama's. Tool results are matched by tool name (`tool_name`), which is
 * filled from the assistant's earlier call when the tool message does not give it.
 */
export function convertToOllamaMessages(messages: Message[], provider: string): OllamaMessage[] {
  const toolNames = new Map<string, string>();
  return messages.map<OllamaMessage>((message, index) => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user': {
        if (typeof message.content === 'string') return { role: 'user', content: message.content };
        let content = '';
        const images: string[] = [];
        for (const part of message.content) {
          if (part.type === 'text') content += content === '' ? part.text : `\n${part.text}`;
          else images.push(toOllamaImage(part, provider, index));
        }
        return images.length > 0 ? { role: 'user', content, images } : { role: 'user', content };
      }
      case 'assistant': {
        if (typeof message.content === 'string') return { role: 'assistant', content: message.content };
        let content = '';
        const toolCalls: Array<{ function: { name: string; arguments: unknown } }> = [];
        for (const part of message.content) {
          if (part.type === 'text') content += part.text;
          else if (part.type === 'tool-call') {
            toolNames.set(part.toolCallId, part.toolName);
            toolCalls.push({ function: { name: part.toolName, arguments: part.arguments ?? {} } });
          }
          // Earlier reasoning is not replayed: Ollama templates drop it anyway.
        }
        return toolCalls.length > 0 ? { role: 'assistant', content, tool_calls: toolCalls } : { role: 'assistant', content };
      }
      case 'tool': {
        const toolName = message.toolName ?? toolNames.get(message.toolCallId);
        return toolName === undefined ? { role: 'tool', content: message.content } : { role: 'tool', content: message.content, tool_name: toolName };
      }
      default:
        throw new InvalidRequestError(`${provider}: messages[${index}] has unknown role ${String((message as { role?: unknown }).role)}`, {
          provider,
        });
    }
  });
}
