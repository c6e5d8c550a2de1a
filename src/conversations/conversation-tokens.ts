import type { Message } from '../spec/message';

// Roughly four characters per token for English text across common tokenizers, plus a few tokens of
// per-message framing (role markers). Used only when the provider did not report a count.
const charactersPerToken = 4;
const messageOverheadTokens = 4;
const imageTokens = 85;

function partCharacters(part: unknown): number {
  if (typeof part !== 'object' || part === null) return 0;
  const record = part as Record<string, unknown>;
  switch (record.type) {
    case 'text':
    case 'reasoning':
      return String(record.text ?? '').length;
    case 'tool-call':
      return String(record.toolName ?? '').length + JSON.stringify(record.arguments ?? null).length;
    default:
      return 0;
  }
}

/** Estimated token count of one message, for context budgeting when no measured count is stored. */
export function estimateMessageTokens(message: Message): number {
  const content: unknown = message.content;
  if (typeof content === 'string') return messageOverheadTokens + Math.ceil(content.length / charactersPerToken);
  let characters = 0;
  let images = 0;
  for (const part of content as unknown[]) {
    if ((part as { type?: string }).type === 'image') images += 1;
    else characters += partCharacters(part);
  }
  return messageOverheadTokens + Math.ceil(characters / charactersPerToken) + images * imageTokens;
}
