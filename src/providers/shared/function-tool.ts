import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { JsonSchema, ToolDefinition } from '../../spec/tool';
import { toJsonSchema } from './to-json-schema';

/** A tool in the Chat Completions function format, shared by OpenAI, compatible servers, Cohere v2 and Ollama. */
export interface FunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters: JsonSchema };
}

/** A tool definition in the function format; zod parameters are converted to JSON Schema. */
export function toFunctionTool(tool: ToolDefinition): FunctionTool {
  return {
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: toJsonSchema(tool.parameters),
    },
  };
}

/**
 * The one tool a `{ name }` tool choice names, for APIs that cannot force a named tool and send only that
 * tool instead. A name that is not among the tools is refused.
 */
export function selectNamedTool(tools: ToolDefinition[], name: string, provider: string): ToolDefinition[] {
  const selected = tools.filter((tool) => tool.name === name);
  if (selected.length === 0) {
    throw new InvalidRequestError(`${provider}: toolChoice names "${name}", which is not among the tools`, { provider });
  }
  return selected;
}
