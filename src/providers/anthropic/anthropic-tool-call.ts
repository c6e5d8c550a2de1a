import type { ToolCall } from '../../spec/tool';
import { parseToolArguments } from '../shared/tool-arguments';

/**
 * A tool call from its raw JSON arguments. Empty arguments mean `{}`; arguments that do not parse (a call
 * cut off by max_tokens) are kept as the raw string rather than failing the whole answer.
 */
export function createAnthropicToolCall(id: string, name: string, rawArguments: string): ToolCall {
  const raw = rawArguments.trim().length === 0 ? '{}' : rawArguments;
  return { id, name, arguments: parseToolArguments(raw), rawArguments: raw };
}
