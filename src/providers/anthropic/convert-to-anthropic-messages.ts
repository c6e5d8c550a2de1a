import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { ImagePart, Message } from '../../spec/message';
import { isHttpUrl, toInlineImage } from '../shared/image-data';
import type { AnthropicContentBlock, AnthropicImageBlock, AnthropicMessage, AnthropicTextBlock } from './anthropic-api-types';

/** The Messages API split: system prompt at the top level, the rest as alternating user/assistant turns. */
export interface AnthropicPrompt {
  /** System messages, in order, as text blocks (undefined when there are none). */
  system?: AnthropicTextBlock[];
  /** User and assistant turns; tool results travel inside user turns. */
  messages: AnthropicMessage[];
}

/**
 * Reasoning parts carry Anthropic's `signature`; a part marked `redacted` holds the encrypted
 * `redacted_thinking` data in `signature` and is sent back verbatim.
 */
interface ReplayableReasoning {
  type: 'reasoning';
  text: string;
  signature?: string;
  redacted?: boolean;
}

/** Converts the portable conversation into Anthropic's system + messages shape. */
export function convertToAnthropicMessages(messages: Message[], provider: string): AnthropicPrompt {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];

  // Anthropic wants strictly alternating roles: a tool result and the user text after it share one turn.
  const push = (role: 'user' | 'assistant', blocks: AnthropicContentBlock[]): void => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };

  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
        if (message.content.length > 0) system.push({ type: 'text', text: message.content });
        break;
      case 'user': {
        const parts = typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content;
        const blocks: AnthropicContentBlock[] = [];
        for (const part of parts) {
          if (part.type === 'text') {
            if (part.text.length > 0) blocks.push({ type: 'text', text: part.text });
          } else if (part.type === 'image') {
            blocks.push(convertImage(part, provider, index));
          } else {
            throw new InvalidRequestError(`${provider}: messages[${index}] has an unsupported user part type "${(part as { type: string }).type}"`, { provider });
          }
        }
        push('user', blocks);
        break;
      }
      case 'assistant': {
        const parts = typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content;
        const blocks: AnthropicContentBlock[] = [];
        for (const part of parts) {
          if (part.type === 'text') {
            if (part.text.length > 0) blocks.push({ type: 'text', text: part.text });
          } else if (part.type === 'tool-call') {
            blocks.push({ type: 'tool_use', id: part.toolCallId, name: part.toolName, input: part.arguments ?? {} });
          } else if (part.type === 'reasoning') {
            const reasoning = part as ReplayableReasoning;
            // Thinking without its signature is rejected by the API, so it cannot be replayed; drop it.
            if (reasoning.redacted && reasoning.signature) blocks.push({ type: 'redacted_thinking', data: reasoning.signature });
            else if (reasoning.signature) blocks.push({ type: 'thinking', thinking: reasoning.text, signature: reasoning.signature });
          } else {
            throw new InvalidRequestError(`${provider}: messages[${index}] has an unsupported assistant part type "${(part as { type: string }).type}"`, { provider });
          }
        }
        push('assistant', blocks);
        break;
      }
      case 'tool':
        push('user', [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content }]);
        break;
      default:
        throw new InvalidRequestError(`${provider}: messages[${index}] has an unknown role "${(message as { role: string }).role}"`, { provider });
    }
  });

  if (turns.length === 0) {
    throw new InvalidRequestError(`${provider}: the conversation needs at least one user or assistant message besides the system prompt`, { provider });
  }
  // A trailing assistant turn is a prefill, and the API rejects a prefill that ends in whitespace.
  const last = turns.at(-1)!;
  if (last.role === 'assistant') {
    const tail = last.content.at(-1);
    if (tail?.type === 'text') tail.text = tail.text.trimEnd();
  }
  return system.length > 0 ? { system, messages: turns } : { messages: turns };
}

function convertImage(part: ImagePart, provider: string, index: number): AnthropicImageBlock {
  if (typeof part.image === 'string' && isHttpUrl(part.image)) return { type: 'image', source: { type: 'url', url: part.image } };
  const { mediaType, data } = toInlineImage(part, provider, index);
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data } };
}
