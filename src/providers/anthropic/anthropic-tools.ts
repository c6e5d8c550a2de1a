import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { JsonSchema, ToolChoice, ToolDefinition } from '../../spec/tool';
import { toJsonSchema } from '../shared/to-json-schema';

/** A tool as the Messages API takes it. */
export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: JsonSchema;
}

/** `tool_choice` as the Messages API takes it. */
export type AnthropicToolChoice = { type: 'auto' } | { type: 'any' } | { type: 'none' } | { type: 'tool'; name: string };

/** Tool definitions with `input_schema`; the root must be an object schema, as the API demands. */
export function convertAnthropicTools(tools: ToolDefinition[], provider: string): AnthropicTool[] {
  return tools.map((tool) => {
    const schema = toJsonSchema(tool.parameters);
    if (schema.type !== undefined && schema.type !== 'object') {
      throw new InvalidRequestError(`${provider}: tool "${tool.name}" parameters must be an object schema (got type "${String(schema.type)}")`, { provider });
    }
    const { $schema: _ignored, ...inputSchema } = schema;
    return {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      input_schema: { type: 'object', ...inputSchema },
    };
  });
}

/** Maps the portable tool choice: `required` is Anthropic's `any`. */
export function convertAnthropicToolChoice(choice: ToolChoice): AnthropicToolChoice {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: choice.name };
}
