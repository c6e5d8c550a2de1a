import type { FinishReason } from '../../spec/usage';

/** Maps Anthropic's `stop_reason` onto the portable finish reasons. */
export function mapAnthropicStopReason(stopReason: string | null | undefined, answeredThroughJsonTool = false): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      // A forced `json` tool call is the answer itself, not a request to run a tool.
      return answeredThroughJsonTool ? 'stop' : 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      // pause_turn (a server tool paused a long turn) and anything new.
      return 'other';
  }
}
