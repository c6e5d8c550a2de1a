import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { JsonSchema, ToolChoice, ToolDefinition } from '../../spec/tool';
import { toJsonSchema } from '../shared/to-json-schema';

/** A tool as `/api/chat` takes it. */
export interface OllamaTool {
  type: 'function';
  function: { name: string; description?: string; parameters: JsonSchema };
}

/**
 * Ollama has no `tool_choice`: `none` sends no tools, a named tool sends only that tool, and `required`
 * cannot be enforced (the model may still answer in text).
 */
export function prepareOllamaTools(tools: ToolDefinition[] | undefined, toolChoice: ToolChoice | undefined, provider: string): OllamaTool[] | undefined {
  if (!tools || tools.length === 0 || toolChoice === 'none') return undefined;
  let selected = tools;
  if (typeof toolChoice === 'object') {
    selected = tools.filter((tool) => tool.name === toolChoice.name);
    if (selected.length === 0) {
      throw new InvalidRequestError(`${provider}: toolChoice names "${toolChoice.name}", which is not among the tools`, { provider });
    }
  }
  return selected.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: toJsonSchema(tool.parameters),
    },
  }));
}
