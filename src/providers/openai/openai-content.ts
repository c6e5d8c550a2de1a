/** Text and reasoning found in one `content` value (a message or a delta). */
export interface OpenAIContentPieces {
  /** Answer text. */
  text: string;
  /** Reasoning text. */
  reasoning: string;
}

/**
 * Reads `content`, which is a string on most servers and, on Mistral's reasoning models, an array of
 * typed parts: `{ type: 'text', text }` and `{ type: 'thinking', thinking: [{ type: 'text', text }] }`.
 */
export function readOpenAIContent(content: unknown): OpenAIContentPieces {
  if (typeof content === 'string') return { text: content, reasoning: '' };
  const pieces: OpenAIContentPieces = { text: '', reasoning: '' };
  if (!Array.isArray(content)) return pieces;
  for (const part of content as Array<Record<string, unknown>>) {
    if (part?.type === 'text' && typeof part.text === 'string') pieces.text += part.text;
    else if (part?.type === 'thinking') {
      const thinking = part.thinking;
      if (typeof thinking === 'string') pieces.reasoning += thinking;
      else if (Array.isArray(thinking)) {
        for (const inner of thinking as Array<Record<string, unknown>>) if (typeof inner?.text === 'string') pieces.reasoning += inner.text;
      }
    }
  }
  return pieces;
}

/** Reasoning text from the field a server uses: `reasoning_content` (DeepSeek, xAI) or `reasoning` (Groq, OpenRouter). */
export function readOpenAIReasoning(holder: Record<string, unknown>): string {
  const value = holder.reasoning_content ?? holder.reasoning;
  return typeof value === 'string' ? value : '';
}
