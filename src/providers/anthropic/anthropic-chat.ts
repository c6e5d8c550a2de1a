import { requestJson } from '../../http/post-json';
import type { ProviderChatCall, ProviderChatResult } from '../../spec/chat';
import type { ReasoningPart } from '../../spec/message';
import type { ProviderCallContext } from '../../spec/provider';
import type { ToolCall } from '../../spec/tool';
import { generateToolCallId } from '../shared/generate-tool-call-id';
import type { AnthropicResponse } from './anthropic-api-types';
import { anthropicFetch, anthropicHeaders, type AnthropicConfig } from './anthropic-config';
import { mapAnthropicStopReason } from './anthropic-finish-reason';
import { buildAnthropicRequest } from './anthropic-request-body';
import { createAnthropicToolCall } from './anthropic-tool-call';
import { convertAnthropicUsage } from './anthropic-usage';

/** Reasoning as Anthropic returns it, signature included, ready to be sent back in the next turn. */
export type AnthropicReasoningPart = ReasoningPart & {
  /** True for a `redacted_thinking` block: `signature` then holds its encrypted `data` and `text` is empty. */
  redacted?: boolean;
};

/** A chat result plus the thinking blocks with their signatures (needed to continue a tool loop with thinking on). */
export interface AnthropicChatResult extends ProviderChatResult {
  /** Thinking and redacted-thinking blocks in order; put them first in the assistant message you send back. */
  reasoningParts: AnthropicReasoningPart[];
}

/** One non-streaming `POST /messages`. */
export async function anthropicChat(config: AnthropicConfig, call: ProviderChatCall, context: ProviderCallContext): Promise<AnthropicChatResult> {
  const plan = buildAnthropicRequest(call, { providerId: config.providerId, stream: false, defaultMaxTokens: config.defaultMaxTokens });
  const response = await requestJson<AnthropicResponse>({
    url: `${config.baseUrl}/messages`,
    fetch: anthropicFetch(context),
    headers: anthropicHeaders(config, context),
    body: plan.body,
    signal: context.signal,
    provider: config.providerId,
    model: call.model,
  });
  return parseAnthropicResponse(response, plan.jsonToolName);
}

/** Normalises a Messages response; with `jsonToolName` the forced tool's input becomes the text. */
export function parseAnthropicResponse(response: AnthropicResponse, jsonToolName?: string): AnthropicChatResult {
  let text = '';
  let jsonText: string | undefined;
  const reasoning: string[] = [];
  const reasoningParts: AnthropicReasoningPart[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of response.content ?? []) {
    switch (block.type) {
      case 'text':
        text += block.text ?? '';
        break;
      case 'thinking':
        reasoning.push(block.thinking ?? '');
        reasoningParts.push({ type: 'reasoning', text: block.thinking ?? '', signature: block.signature });
        break;
      case 'redacted_thinking':
        reasoningParts.push({ type: 'reasoning', text: '', signature: block.data, redacted: true });
        break;
      case 'tool_use': {
        const raw = JSON.stringify(block.input ?? {});
        if (jsonToolName !== undefined && block.name === jsonToolName) jsonText = raw;
        else toolCalls.push(createAnthropicToolCall(block.id || generateToolCallId(), block.name ?? '', raw));
        break;
      }
      default:
        // Server tools (web search, web fetch, code execution) run at Anthropic; their blocks, including
        // tool-level errors such as web_fetch_tool_result_error, are context for the text, not calls for us.
        break;
    }
  }
  const answeredThroughJsonTool = jsonText !== undefined && toolCalls.length === 0;
  const result: AnthropicChatResult = {
    text: jsonText ?? text,
    toolCalls,
    finishReason: mapAnthropicStopReason(response.stop_reason, answeredThroughJsonTool),
    usage: convertAnthropicUsage(response.usage),
    reasoningParts,
  };
  if (reasoning.length > 0) result.reasoning = reasoning.join('');
  if (response.stop_reason) result.rawFinishReason = response.stop_reason;
  if (response.id) result.responseId = response.id;
  if (response.model) result.model = response.model;
  return result;
}
