import { charactersPerToken } from '../../governance/token-estimate';
import type { Message } from '../../spec/message';
import type { Usage } from '../../spec/usage';

// Text the conversation carries: text, reasoning, tool results, and tool calls' names and arguments.
function conversationCharacters(messages: readonly Message[]): number {
  let characters = 0;
  for (const message of messages) {
    if (typeof message.content === 'string') {
      characters += message.content.length;
      continue;
    }
    for (const part of message.content) {
      if (part.type === 'text' || part.type === 'reasoning') characters += part.text.length;
      else if (part.type === 'tool-call') characters += JSON.stringify(part.arguments ?? {}).length + part.toolName.length;
    }
  }
  return characters;
}

/**
 * Prompt tokens of a conversation at the governance ratio (about four characters a token), without the
 * per-message overhead admission adds: this stands in for a count the server left out of its answer.
 */
export function estimatePromptTokens(messages: readonly Message[]): number {
  return Math.ceil(conversationCharacters(messages) / charactersPerToken);
}

/** A flagged estimate for a call the server reported no usage for (some local and proxy servers). */
export function estimateUsage(messages: readonly Message[], outputCharacters: number): Usage {
  const inputTokens = estimatePromptTokens(messages);
  const outputTokens = Math.ceil(outputCharacters / charactersPerToken);
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, estimated: true };
}
