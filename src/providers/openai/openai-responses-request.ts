import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { ProviderChatCall } from '../../spec/chat';
import type { Message } from '../../spec/message';
import { toImageUrl } from '../shared/image-data';
import { collectProviderOptions } from '../shared/merge-provider-options';
import { toJsonSchema } from '../shared/to-json-schema';
import { stringifyToolArguments } from '../shared/tool-arguments';
import type { OpenAIRequestTarget } from './openai-request-body';

/** Converts the conversation to Responses API input items (messages, function calls and their outputs). */
export function convertToOpenAIResponsesInput(messages: Message[], provider: string): unknown[] {
  const items: unknown[] = [];
  for (const [index, message] of messages.entries()) {
    switch (message.role) {
      case 'system':
        items.push({ role: 'system', content: message.content });
        break;
      case 'user':
        items.push({
          role: 'user',
          content:
            typeof message.content === 'string'
              ? message.content
              : message.content.map((part) => (part.type === 'text' ? { type: 'input_text', text: part.text } : { type: 'input_image', image_url: toImageUrl(part, provider, index) })),
        });
        break;
      case 'assistant': {
        if (typeof message.content === 'string') {
          items.push({ role: 'assistant', content: message.content });
          break;
        }
        const text = message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
        if (text.length > 0) items.push({ role: 'assistant', content: text });
        for (const part of message.content) {
          if (part.type !== 'tool-call') continue;
          items.push({ type: 'function_call', call_id: part.toolCallId, name: part.toolName, arguments: stringifyToolArguments(part.arguments) });
        }
        break;
      }
      case 'tool':
        items.push({ type: 'function_call_output', call_id: message.toolCallId, output: message.content });
        break;
    }
  }
  return items;
}

/** Builds a `POST /responses` body. The Responses API has no stop sequences or seed; asking for them is an error. */
export function buildOpenAIResponsesBody(call: ProviderChatCall, target: OpenAIRequestTarget, stream: boolean): Record<string, unknown> {
  const provider = target.provider;
  if (call.stop !== undefined && call.stop.length > 0) {
    throw new InvalidRequestError(`${provider}: stop is not supported by the Responses API`, { provider, model: call.model });
  }
  if (call.seed !== undefined) throw new InvalidRequestError(`${provider}: seed is not supported by the Responses API`, { provider, model: call.model });
  const body: Record<string, unknown> = { model: call.model, input: convertToOpenAIResponsesInput(call.messages, provider) };
  if (stream) body.stream = true;
  if (call.temperature !== undefined) body.temperature = call.temperature;
  if (call.topP !== undefined) body.top_p = call.topP;
  if (call.maxTokens !== undefined) body.max_output_tokens = call.maxTokens;
  if (call.tools !== undefined && call.tools.length > 0) {
    body.tools = call.tools.map((tool) => ({
      type: 'function',
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: toJsonSchema(tool.parameters),
    }));
  }
  if (call.toolChoice !== undefined) {
    body.tool_choice = typeof call.toolChoice === 'string' ? call.toolChoice : { type: 'function', name: call.toolChoice.name };
  }
  const format = call.responseFormat;
  if (format?.type === 'json') body.text = { format: { type: 'json_object' } };
  else if (format?.type === 'json-schema') {
    body.text = {
      format: {
        type: 'json_schema',
        name: format.name ?? 'response',
        schema: toJsonSchema(format.schema),
        ...(format.strict !== undefined ? { strict: format.strict } : {}),
      },
    };
  }
  Object.assign(body, collectProviderOptions(call.providerOptions, target));
  return body;
}
