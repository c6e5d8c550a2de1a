import type { ToolChoice, ToolDefinition } from '../../spec/tool';
import { selectNamedTool, toFunctionTool, type FunctionTool } from '../shared/function-tool';

/**
 * Tools and `tool_choice` for the request body. Cohere knows only `REQUIRED` and `NONE`; forcing one named
 * tool is done by sending only that tool with `REQUIRED`.
 */
export function prepareCohereTools(
  tools: ToolDefinition[] | undefined,
  toolChoice: ToolChoice | undefined,
  provider: string,
): { tools?: FunctionTool[]; tool_choice?: 'REQUIRED' | 'NONE' } {
  if (!tools || tools.length === 0) return {};
  let selected = tools;
  let choice: 'REQUIRED' | 'NONE' | undefined;
  if (toolChoice === 'none') choice = 'NONE';
  else if (toolChoice === 'required') choice = 'REQUIRED';
  else if (typeof toolChoice === 'object') {
    selected = selectNamedTool(tools, toolChoice.name, provider);
    choice = 'REQUIRED';
  }
  const converted = selected.map(toFunctionTool);
  return choice === undefined ? { tools: converted } : { tools: converted, tool_choice: choice };
}
