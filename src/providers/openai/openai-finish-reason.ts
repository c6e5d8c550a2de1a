import type { FinishReason } from '../../spec/usage';

/** Maps a Chat Completions `finish_reason` to the normalised finish reason. */
export function mapOpenAIFinishReason(raw: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (raw) {
    case 'stop':
    case 'end_turn':
    case 'eos':
      // Some compatible servers say `stop` even when the turn ended in tool calls.
      return hasToolCalls ? 'tool-calls' : 'stop';
    case 'length':
    case 'model_length':
    case 'max_tokens':
      return 'length';
    case 'tool_calls':
    case 'function_call':
    case 'tool_use':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    case 'error':
      return 'error';
    case null:
    case undefined:
      return hasToolCalls ? 'tool-calls' : 'other';
    default:
      return 'other';
  }
}
