import type { ToolCall } from '../../spec/tool';
import { generateToolCallId } from '../shared/generate-tool-call-id';
import { parseToolArguments } from '../shared/tool-arguments';
import type { OllamaToolCall } from './ollama-api-types';

/**
 * Ollama sends each call whole, with arguments as an object and (on most versions) no id; an id is made
 * here so tool results can answer it. Arguments sent as a JSON string are parsed.
 */
export function convertOllamaToolCall(call: OllamaToolCall): ToolCall {
  const raw = call.function?.arguments;
  const parsed: unknown = typeof raw === 'string' ? parseToolArguments(raw) : (raw ?? {});
  return {
    id: call.id || generateToolCallId(),
    name: call.function?.name ?? '',
    arguments: parsed,
    rawArguments: typeof raw === 'string' ? raw : JSON.stringify(parsed),
  };
}
