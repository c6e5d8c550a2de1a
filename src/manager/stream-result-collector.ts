import { TextBuilder } from '../http/text-builder';
import type { ProviderChatResult } from '../spec/chat';
import type { ProviderStreamPart, StreamPart } from '../spec/stream';
import type { ToolCall } from '../spec/tool';
import type { Usage } from '../spec/usage';

type FinishPart = Extract<ProviderStreamPart, { type: 'finish' }>;

/**
 * Folds stream parts into the fields of a chat result as they pass. Keeping the parts themselves until
 * the end would hold one object per token alive for the whole stream (see TextBuilder).
 */
export class StreamResultCollector {
  #text = new TextBuilder();
  #reasoning = new TextBuilder();
  #toolCalls: ToolCall[] = [];
  #responseId: string | undefined;
  #model: string | undefined;
  #finish: FinishPart | undefined;

  /** Takes in a batch of parts; other part types (splices, usage, errors) are ignored. */
  add(parts: readonly StreamPart[]): void {
    for (const part of parts) {
      switch (part.type) {
        case 'text-delta': this.#text.append(part.text); break;
        case 'reasoning-delta': this.#reasoning.append(part.text); break;
        case 'tool-call': this.#toolCalls.push(part.toolCall); break;
        case 'response-metadata': this.#responseId ??= part.responseId; this.#model ??= part.model; break;
        case 'finish': this.#finish = part; break;
      }
    }
  }

  /** The result so far (complete once the finish part was added). */
  result(): ProviderChatResult {
    const finish = this.#finish;
    const usage: Usage = finish?.usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: true };
    const result: ProviderChatResult = { text: this.#text.toString(), toolCalls: this.#toolCalls, finishReason: finish?.finishReason ?? 'other', usage };
    if (this.#reasoning.length > 0) result.reasoning = this.#reasoning.toString();
    if (finish?.rawFinishReason) result.rawFinishReason = finish.rawFinishReason;
    if (this.#responseId) result.responseId = this.#responseId;
    if (this.#model) result.model = this.#model;
    return result;
  }
}

/** Folds a whole list of parts (a cached stream) into the fields of a chat result. */
export function collectParts(parts: readonly ProviderStreamPart[]): ProviderChatResult {
  const collector = new StreamResultCollector();
  collector.add(parts);
  return collector.result();
}
