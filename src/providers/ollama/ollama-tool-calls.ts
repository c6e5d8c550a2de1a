import type { ToolCall } from '../../spec/tool';
import type { OllamaToolCall } from './ollama-api-types';

/**
 * Ollama sends each call whole, with arguments as an object and (on most versions) no id; an id is made
 * here so tool results can answer it. Arguments sent as a JSON string are parsed.
 */
export function convertOllamaToolCall(call: OllamaToolCall): ToolCall {
  const raw = call.function?.arguments;
  let parsed: unknown = raw ?? {};
  if (typeof raw === 'string') {
    try {
      parsed = raw.trim() === '' ? {} : (JSON.parse(raw) as unknown);
    } catch {
      parsed = raw;
    }
  }
  return {
    id: call.id ?? `call_${crypto.randomUUID().replace(/-/g, '').slice(0, 24)}`,
    name: call.function?.name ?? '',
    arguments: parsed,
    rawArguments: typeof raw === 'string' ? raw : JSON.stringify(parsed),
  };
}
