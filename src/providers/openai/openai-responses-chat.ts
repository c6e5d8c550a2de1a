import { InvalidResponseError } from '../../errors/invalid-response-error';
import { createProviderError } from '../../http/provider-error';
import type { ProviderChatCall, ProviderChatResult } from '../../spec/chat';
import type { ProviderCallContext } from '../../spec/provider';
import type { ToolCall } from '../../spec/tool';
import type { FinishReason } from '../../spec/usage';
import { estimateUsage } from '../shared/estimate-usage';
import { generateToolCallId } from '../shared/generate-tool-call-id';
import { parseToolArguments } from '../shared/tool-arguments';
import type { OpenAIEndpoint } from './openai-endpoint';
import { postOpenAIJson } from './openai-request';
import { buildOpenAIResponsesBody } from './openai-responses-request';
import { normalizeOpenAIResponsesUsage } from './openai-usage';

/** The parts of a Responses API `response` object the adapter reads. */
export interface OpenAIResponseObject {
  id?: string;
  model?: string;
  status?: string;
  error?: unknown;
  incomplete_details?: { reason?: string } | null;
  output?: Array<Record<string, any>>;
  usage?: unknown;
}

/** Finish reason of a finished response: `incomplete` says why; function calls mean `tool-calls`. */
export function responsesFinishReason(response: OpenAIResponseObject, hasToolCalls: boolean): { finishReason: FinishReason; raw: string } {
  const reason = response.incomplete_details?.reason;
  if (response.status === 'incomplete') {
    const finishReason = reason === 'max_output_tokens' ? 'length' : reason === 'content_filter' ? 'content-filter' : 'other';
    return { finishReason, raw: reason ?? 'incomplete' };
  }
  if (response.status === 'failed') return { finishReason: 'error', raw: 'failed' };
  return { finishReason: hasToolCalls ? 'tool-calls' : 'stop', raw: response.status ?? 'completed' };
}

/** Text, reasoning summaries and function calls of a response's `output` items (built-in tool items are skipped). */
export function readResponsesOutput(output: OpenAIResponseObject['output']): { text: string; reasoning: string; toolCalls: ToolCall[] } {
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const item of Array.isArray(output) ? output : []) {
    if (item?.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content) if (part?.type === 'output_text' && typeof part.text === 'string') text += part.text;
    } else if (item?.type === 'reasoning') {
      for (const part of Array.isArray(item.summary) ? item.summary : []) if (typeof part?.text === 'string') reasoning += part.text;
    } else if (item?.type === 'function_call') {
      const rawArguments = typeof item.arguments === 'string' ? item.arguments : '';
      toolCalls.push({ id: item.call_id || generateToolCallId(), name: item.name ?? '', arguments: parseToolArguments(rawArguments), rawArguments });
    }
  }
  return { text, reasoning, toolCalls };
}

/** One non-streaming `POST /responses` call. */
export async function openAIResponsesChat(endpoint: OpenAIEndpoint, call: ProviderChatCall, context: ProviderCallContext): Promise<ProviderChatResult> {
  const provider = endpoint.provider;
  const response = await postOpenAIJson<OpenAIResponseObject>(endpoint, '/responses', buildOpenAIResponsesBody(call, endpoint, false), context, call.model);
  if (response?.status === 'failed') throw createProviderError({ provider, model: call.model, body: { error: response.error ?? { message: 'response failed' } } });
  if (!Array.isArray(response?.output)) throw new InvalidResponseError(`${provider}: response has no output list`, { provider, model: call.model });
  const { text, reasoning, toolCalls } = readResponsesOutput(response.output);
  const finish = responsesFinishReason(response, toolCalls.length > 0);
  const result: ProviderChatResult = {
    text,
    toolCalls,
    finishReason: finish.finishReason,
    rawFinishReason: finish.raw,
    usage: normalizeOpenAIResponsesUsage(response.usage) ?? estimateUsage(call.messages, text.length + reasoning.length),
  };
  if (reasoning.length > 0) result.reasoning = reasoning;
  if (response.id) result.responseId = response.id;
  if (response.model) result.model = response.model;
  return result;
}
