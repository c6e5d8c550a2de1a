import type { ProviderChatCall } from '../../spec/chat';
import { collectProviderOptions } from '../shared/merge-provider-options';
import { toJsonSchema } from '../shared/to-json-schema';
import { convertToCohereMessages } from './convert-to-cohere-messages';
import { prepareCohereTools } from './cohere-tools';

/** Builds the `/v2/chat` body. `providerOptions.cohere` and `providerOptions[<instance id>]` are merged last. */
export function buildCohereChatBody(call: ProviderChatCall, model: string, stream: boolean, provider: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model,
    messages: convertToCohereMessages(call.messages, provider),
    stream,
    ...prepareCohereTools(call.tools, call.toolChoice, provider),
  };
  const format = call.responseFormat;
  if (format?.type === 'json') body.response_format = { type: 'json_object' };
  else if (format?.type === 'json-schema') body.response_format = { type: 'json_object', json_schema: toJsonSchema(format.schema) };
  if (call.temperature !== undefined) body.temperature = call.temperature;
  if (call.topP !== undefined) body.p = call.topP;
  if (call.maxTokens !== undefined) body.max_tokens = call.maxTokens;
  if (call.stop !== undefined && call.stop.length > 0) body.stop_sequences = call.stop;
  if (call.seed !== undefined) body.seed = call.seed;
  Object.assign(body, collectProviderOptions(call.providerOptions, { wireFormat: 'cohere', provider }));
  return body;
}
