import type { ToolChoice, ToolDefinition } from '../../spec/tool';
import { selectNamedTool, toFunctionTool, type FunctionTool } from '../shared/function-tool';

/**
 * Ollama has no `tool_choice`: `none` sends no tools, a named tool sends only that tool, and `required`
 * cannot be enforced (the model may still answer in text).
 */
export function prepareOllamaTools(tools: ToolDefinition[] | undefined, toolChoice: ToolChoice | undefined, provider: string): FunctionTool[] | undefined {
  if (!tools || tools.length === 0 || toolChoice === 'none') return undefined;
  const selected = typeof toolChoice === 'object' ? selectNamedTool(tools, toolChoice.name, provider) : tools;
  return selected.map(toFunctionTool);
}
