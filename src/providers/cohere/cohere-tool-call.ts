import type { ToolCall } from '../../spec/tool';
import { parseToolArguments } from '../shared/tool-arguments';

/**
 * Builds a complete tool call. Cohere sends `""` for a call without arguments, which means `{}`; arguments
 * that are not JSON are kept as the raw string, as every adapter does.
 */
export function parseCohereToolCall(id: string, name: string, rawArguments: string): ToolCall {
  return { id, name, arguments: parseToolArguments(rawArguments), rawArguments };
}
