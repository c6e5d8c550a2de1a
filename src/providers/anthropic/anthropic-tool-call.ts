import type { ToolCall } from '../../spec/tool';

/**
 * A tool call from its raw JSON arguments. Empty arguments mean `{}`; arguments that do not parse (a call
 * cut off by max_tokens) are kept as the raw string rather than failing the whole answer.
 */
export function createAnthropicToolCall(id: string, name: string, rawArguments: string): ToolCall {
  const raw = rawArguments.trim().length === 0 ? '{}' : rawArguments;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = raw;
  }
  return { id, name, arguments: parsed, rawArguments: raw };
}
