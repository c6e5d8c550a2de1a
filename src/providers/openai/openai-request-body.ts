import type { ProviderChatCall } from '../../spec/chat';
import type { ToolChoice } from '../../spec/tool';
import { collectProviderOptions } from '../shared/merge-provider-options';
import { toFunctionTool } from '../shared/function-tool';
import { toJsonSchema } from '../shared/to-json-schema';
import { convertToOpenAIMessages } from './openai-messages';
import type { OpenAIChatQuirks } from './openai-quirks';

/** What the body builder needs to know about the adapter. */
export interface OpenAIRequestTarget {
  /** Provider instance id (`openai`, `groq`, `my-vllm`), for errors and `providerOptions[id]`. */
  provider: string;
  /** Wire-format key also read from `providerOptions` (`openai` or `openai-compatible`). */
  wireFormat: string;
  /** Server quirks. */
  quirks: OpenAIChatQuirks;
}

function toolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/** Builds the Chat Completions request body; `providerOptions` are merged last, as the escape hatch. */
export function buildOpenAIChatBody(call: ProviderChatCall, target: OpenAIRequestTarget, stream: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { model: call.model, messages: convertToOpenAIMessages(call.messages, target.provider) };
  if (stream) {
    body.stream = true;
    if (target.quirks.streamOptions) body.stream_options = { include_usage: true };
  }
  if (call.temperature !== undefined) body.temperature = call.temperature;
  if (call.topP !== undefined) body.top_p = call.topP;
  if (call.maxTokens !== undefined) body[target.quirks.maxTokensField] = call.maxTokens;
  if (call.stop !== undefined && call.stop.length > 0) body.stop = call.stop;
  if (call.seed !== undefined) body.seed = call.seed;
  if (call.tools !== undefined && call.tools.length > 0) {
    body.tools = call.tools.map(toFunctionTool);
  }
  if (call.toolChoice !== undefined) body.tool_choice = toolChoice(call.toolChoice);
  const format = call.responseFormat;
  if (format?.type === 'json') body.response_format = { type: 'json_object' };
  else if (format?.type === 'json-schema') {
    body.response_format = target.quirks.jsonSchema
      ? {
          type: 'json_schema',
          json_schema: {
            name: format.name ?? 'response',
            schema: toJsonSchema(format.schema),
            ...(format.strict !== undefined ? { strict: format.strict } : {}),
          },
        }
      : { type: 'json_object' };
  }
  Object.assign(body, collectProviderOptions(call.providerOptions, target));
  return body;
}
