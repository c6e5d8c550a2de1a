import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { ProviderChatCall } from '../../spec/chat';
import { collectProviderOptions, mergeProviderOptions } from '../shared/merge-provider-options';
import { toJsonSchema } from '../shared/to-json-schema';
import { convertToAnthropicMessages } from './convert-to-anthropic-messages';
import { convertAnthropicToolChoice, convertAnthropicTools, type AnthropicTool, type AnthropicToolChoice } from './anthropic-tools';

/** Name of the tool whose input carries the answer when JSON output is asked for. */
export const anthropicJsonToolName = 'json';

/** Output budget when the caller sets none: the Messages API requires `max_tokens`. */
export const anthropicDefaultMaxTokens = 4096;

/** The body to send and how to read the answer back. */
export interface AnthropicRequestPlan {
  /** JSON body for `POST /v1/messages`. */
  body: Record<string, unknown>;
  /** Set when JSON output goes through the forced `json` tool: that tool's input is the answer text. */
  jsonToolName?: string;
}

/** What the builder needs besides the call. */
export interface AnthropicRequestSettings {
  /** Provider instance id (its `providerOptions` key is merged after `anthropic`). */
  providerId: string;
  /** Whether to ask for SSE. */
  stream: boolean;
  /** `max_tokens` when the call sets none. */
  defaultMaxTokens: number;
}

/**
 * Builds the Messages request. JSON output: Anthropic has no JSON mode, so the answer is requested as the
 * input of a tool named `json` (whose schema is the caller's schema, or any object), forced through
 * `tool_choice`; with extended thinking, which forbids forced tools, the tool is offered with `auto` and
 * the system prompt asks for it.
 */
export function buildAnthropicRequest(call: ProviderChatCall, settings: AnthropicRequestSettings): AnthropicRequestPlan {
  const provider = settings.providerId;
  const extra = collectProviderOptions(call.providerOptions, { wireFormat: 'anthropic', provider });
  const { system, messages } = convertToAnthropicMessages(call.messages, provider);
  const thinking = extra.thinking as { type?: string; budget_tokens?: number } | undefined;
  const thinkingEnabled = thinking !== undefined && thinking !== null && thinking.type !== 'disabled';

  let maxTokens = call.maxTokens ?? settings.defaultMaxTokens;
  // The thinking budget is spent out of max_tokens and must be below it.
  if (call.maxTokens === undefined && thinkingEnabled && typeof thinking.budget_tokens === 'number') {
    maxTokens = thinking.budget_tokens + settings.defaultMaxTokens;
  }

  const body: Record<string, unknown> = { model: call.model, max_tokens: maxTokens };
  const systemBlocks = system ? [...system] : [];
  if (call.temperature !== undefined) body.temperature = call.temperature;
  if (call.topP !== undefined) body.top_p = call.topP;
  if (call.stop && call.stop.length > 0) body.stop_sequences = call.stop;

  const tools: AnthropicTool[] = call.tools && call.tools.length > 0 ? convertAnthropicTools(call.tools, provider) : [];
  let toolChoice: AnthropicToolChoice | undefined = tools.length > 0 && call.toolChoice ? convertAnthropicToolChoice(call.toolChoice) : undefined;
  let jsonToolName: string | undefined;

  const format = call.responseFormat;
  if (format && format.type !== 'text') {
    if (tools.some((tool) => tool.name === anthropicJsonToolName)) {
      throw new InvalidRequestError(`${provider}: a tool named "${anthropicJsonToolName}" clashes with JSON output, which uses that name; rename the tool`, { provider });
    }
    const schema = format.type === 'json-schema' ? toJsonSchema(format.schema) : { type: 'object', additionalProperties: true };
    const { $schema: _ignored, ...inputSchema } = schema;
    const hasOwnTools = tools.length > 0;
    tools.push({
      name: anthropicJsonToolName,
      description: `Respond with the answer as JSON${format.type === 'json-schema' && format.name ? ` (${format.name})` : ''}. Always call this tool to give your final answer.`,
      input_schema: { type: 'object', ...inputSchema },
    });
    jsonToolName = anthropicJsonToolName;
    if (thinkingEnabled) {
      toolChoice = { type: 'auto' };
      systemBlocks.push({ type: 'text', text: `Give your final answer by calling the "${anthropicJsonToolName}" tool.` });
    } else {
      // With the caller's own tools the model may still call those; otherwise the json tool is the answer.
      toolChoice = hasOwnTools ? { type: 'any' } : { type: 'tool', name: anthropicJsonToolName };
    }
  }

  if (systemBlocks.length > 0) body.system = systemBlocks;
  body.messages = messages;
  if (tools.length > 0) body.tools = tools;
  if (toolChoice) body.tool_choice = toolChoice;
  if (settings.stream) body.stream = true;

  mergeProviderOptions(body, extra);
  return jsonToolName ? { body, jsonToolName } : { body };
}
