import type { FinishReason } from '../../spec/usage';

/**
 * Maps `done_reason`. Ollama says `stop` even when the model called tools, so a turn with tool calls is
 * reported as `tool-calls`. Old servers omit `done_reason` on a normal end.
 */
export function mapOllamaFinishReason(reason: string | undefined, madeToolCalls: boolean): FinishReason {
  if (reason === 'length') return 'length';
  if (reason === undefined || reason === 'stop') return madeToolCalls ? 'tool-calls' : 'stop';
  return 'other';
}
