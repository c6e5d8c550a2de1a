import type { ProviderChatCall } from '../../spec/chat';
import { providerOptionSources } from '../shared/merge-provider-options';
import { toJsonSchema } from '../shared/to-json-schema';
import { convertToOllamaMessages } from './ollama-messages';
import { prepareOllamaTools } from './ollama-tools';

/**
 * Builds the `/api/chat` body. Sampling settings go in `options` (`num_predict` is the output limit).
 * `providerOptions.ollama` / `providerOptions[<instance id>]` are merged last; their `options` object is
 * merged into ours rather than replacing it (so `{ ollama: { options: { num_ctx: 8192 }, think: true } }` works).
 */
export function buildOllamaChatBody(
  call: ProviderChatCall,
  model: string,
  stream: boolean,
  provider: string,
  keepAlive: string | number | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = { model, messages: convertToOllamaMessages(call.messages, provider), stream };
  const tools = prepareOllamaTools(call.tools, call.toolChoice, provider);
  if (tools) body.tools = tools;
  const format = call.responseFormat;
  if (format?.type === 'json') body.format = 'json';
  else if (format?.type === 'json-schema') body.format = toJsonSchema(format.schema);
  const options: Record<string, unknown> = {};
  if (call.temperature !== undefined) options.temperature = call.temperature;
  if (call.topP !== undefined) options.top_p = call.topP;
  if (call.maxTokens !== undefined) options.num_predict = call.maxTokens;
  if (call.stop !== undefined && call.stop.length > 0) options.stop = call.stop;
  if (call.seed !== undefined) options.seed = call.seed;
  if (keepAlive !== undefined) body.keep_alive = keepAlive;
  // Each source's `options` is merged into ours, so the wire key's and the instance key's both apply.
  for (const extra of providerOptionSources(call.providerOptions, { wireFormat: 'ollama', provider })) {
    const { options: extraOptions, ...rest } = extra as { options?: Record<string, unknown> };
    Object.assign(body, rest);
    if (extraOptions && typeof extraOptions === 'object') Object.assign(options, extraOptions);
  }
  if (Object.keys(options).length > 0) body.options = options;
  return body;
}
