import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { JsonSchema, ToolChoice, ToolDefinition } from '../../spec/tool';
import { toJsonSchema } from '../shared/to-json-schema';

/** A tool as `/v2/chat` takes it. */
export interface CohereTool {
  type: 'function';
  function: { name: string; description?: string; parameters: JsonSchema };
}

/**
 * Tools and `tool_choice` for the request body. Cohere knows only `REQUIRED` and `NONE`; forcing one named
 * tool is done by sending only that tool with `REQUIRED`.
 */
export function prepareCohereTools(
  tools: ToolDefinition[] | undefined,
  toolChoice: ToolChoice | undefined,
  provider: string,
): { tools?: CohereTool[]; tool_choice?: 'REQUIRED' | 'NONE' } {
  if (!tools || tools.length === 0) return {};
  let selected = tools;
  let choice: 'REQUIRED' | 'NONE' | undefined;
  if (toolChoice === 'none') choice = 'NONE';
  else if (toolChoice === 'required') choice = 'REQUIRED';
  else if (typeof toolChoice === 'object') {
    selected = tools.filter((tool) => tool.name === toolChoice.name);
    if (selected.length === 0) {
      throw new InvalidRequestError(`${provider}: toolChoice names "${toolChoice.name}", which is not among the tools`, { provider });
    }
    choice = 'REQUIRED';
  }
  const converted = selected.map<CohereTool>((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: toJsonSchema(tool.parameters),
    },
  }));
  return choice === undefined ? { tools: converted } : { tools: converted, tool_choice: choice };
}
