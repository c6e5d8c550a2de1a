import { InvalidResponseError } from '../../errors/invalid-response-error';
import type { ToolCall } from '../../spec/tool';

/** Builds a complete tool call; Cohere sends `""` for a call without arguments, which means `{}`. */
export function parseCohereToolCall(id: string, name: string, rawArguments: string, provider: string, model?: string): ToolCall {
  if (rawArguments.trim() === '') return { id, name, arguments: {}, rawArguments };
  try {
    return { id, name, arguments: JSON.parse(rawArguments) as unknown, rawArguments };
  } catch (error) {
    throw new InvalidResponseError(`${provider}: arguments of tool call ${name} are not valid JSON (${rawArguments.slice(0, 80)})`, {
      provider,
      model,
      cause: error,
    });
  }
}
