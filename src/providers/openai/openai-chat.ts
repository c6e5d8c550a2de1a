import { InvalidResponseError } from '../../errors/invalid-response-error';
import type { ProviderChatCall, ProviderChatResult } from '../../spec/chat';
import type { ProviderCallContext } from '../../spec/provider';
import type { ToolCall } from '../../spec/tool';
import { estimateUsage } from '../shared/estimate-usage';
import { generateToolCallId } from '../shared/generate-tool-call-id';
import { parseToolArguments } from '../shared/tool-arguments';
import { readOpenAIContent, readOpenAIReasoning } from './openai-content';
import type { OpenAIEndpoint } from './openai-endpoint';
import { mapOpenAIFinishReason } from './openai-finish-reason';
import { postOpenAIJson } from './openai-request';
import { buildOpenAIChatBody } from './openai-request-body';
import { normalizeOpenAIUsage } from './openai-usage';

interface ChatCompletionToolCall {
  id?: string;
  function?: { name?: string; arguments?: string | Record<string, unknown> };
}

interface ChatCompletion {
  id?: string;
  model?: string;
  choices?: Array<{ message?: Record<string, unknown> & { tool_calls?: ChatCompletionToolCall[] | null }; finish_reason?: string | null }>;
  usage?: unknown;
  x_groq?: { usage?: unknown };
}

function readToolCalls(raw: ChatCompletionToolCall[] | null | undefined): ToolCall[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((call) => {
    const args = call.function?.arguments;
    // A few servers send arguments as an object instead of a JSON string.
    const rawArguments = typeof args === 'string' ? args : args === undefined || args === null ? '' : JSON.stringify(args);
    return { id: call.id || generateToolCallId(), name: call.function?.name ?? '', arguments: parseToolArguments(rawArguments), rawArguments };
  });
}

/** One non-streaming Chat Completions call. */
export function openAIChat(endpoint: OpenAIEndpoint, call: ProviderChatCall, context: ProviderCallContext): Promise<ProviderChatResult> {
  let completion: Promise<ChatCompletion>;
  try {
    completion = postOpenAIJson<ChatCompletion>(endpoint, '/chat/completions', buildOpenAIChatBody(call, endpoint, false), context, call.model);
  } catch (error) {
    return Promise.reject(error);
  }
  // A continuation, not an async frame (with the request body in it) kept alive while the provider answers.
  return completion.then((answer) => readChatCompletion(endpoint, call, answer));
}

function readChatCompletion(endpoint: OpenAIEndpoint, call: ProviderChatCall, completion: ChatCompletion): ProviderChatResult {
  const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
  if (!choice || typeof choice.message !== 'object' || choice.message === null) {
    throw new InvalidResponseError(`${endpoint.provider}: chat completion has no choices[0].message`, { provider: endpoint.provider, model: call.model });
  }
  const message = choice.message;
  const content = readOpenAIContent(message.content);
  const reasoning = readOpenAIReasoning(message) + content.reasoning;
  const toolCalls = readToolCalls(message.tool_calls);
  const usage =
    normalizeOpenAIUsage(completion.usage) ??
    normalizeOpenAIUsage(completion.x_groq?.usage) ??
    estimateUsage(call.messages, content.text.length + reasoning.length + toolCalls.reduce((sum, tool) => sum + tool.rawArguments.length, 0));
  const result: ProviderChatResult = {
    text: content.text,
    toolCalls,
    finishReason: mapOpenAIFinishReason(choice.finish_reason, toolCalls.length > 0),
    usage,
  };
  if (reasoning.length > 0) result.reasoning = reasoning;
  if (typeof choice.finish_reason === 'string') result.rawFinishReason = choice.finish_reason;
  if (completion.id) result.responseId = completion.id;
  if (completion.model) result.model = completion.model;
  return result;
}
