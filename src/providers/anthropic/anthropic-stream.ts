import { toAbortSignal } from '../../http/abort-source';
import { anySignal } from '../../http/any-signal';
import { InvalidResponseError } from '../../errors/invalid-response-error';
import { parseProviderJson, sendProviderRequest } from '../../http/post-json';
import { batched, type BatchedIterable } from '../../http/part-batches';
import type { ProviderChatCall } from '../../spec/chat';
import type { ProviderCallContext } from '../../spec/provider';
import type { ProviderStreamPart } from '../../spec/stream';
import { generateToolCallId } from '../shared/generate-tool-call-id';
import { partBatchesOfEvents } from '../shared/part-batches-of-events';
import type { AnthropicStreamEvent, AnthropicUsage } from './anthropic-api-types';
import { anthropicFetch, anthropicHeaders, type AnthropicConfig } from './anthropic-config';
import { anthropicStreamError } from './anthropic-error';
import { mapAnthropicStopReason } from './anthropic-finish-reason';
import { buildAnthropicRequest } from './anthropic-request-body';
import { createAnthropicToolCall } from './anthropic-tool-call';
import { convertAnthropicUsage, mergeAnthropicUsage } from './anthropic-usage';

const knownEvents = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'error']);

/** What the stream remembers about one open content block. */
interface OpenBlock {
  type: string;
  id?: string;
  name?: string;
  /** Accumulated `partial_json` of a tool_use block. */
  json: string;
  /** `input` sent whole in `content_block_start` (some compatible servers never stream it). */
  startInput?: unknown;
}

/**
 * Streams `POST /messages` with `stream: true`. Events are dispatched on their `event:` name (falling back
 * to the JSON `type` when a server omits it); `ping` and unknown events are ignored. The stream finishes
 * only on `message_stop`: a body that ends before it throws, and `event: error` throws its typed error.
 */
export function anthropicStream(config: AnthropicConfig, call: ProviderChatCall, context: ProviderCallContext): BatchedIterable<ProviderStreamPart> {
  return batched(() => anthropicStreamBatches(config, call, context));
}

/** `anthropicStream` in batches: the parts of every event one network read completed. */
async function* anthropicStreamBatches(config: AnthropicConfig, call: ProviderChatCall, context: ProviderCallContext): AsyncGenerator<ProviderStreamPart[]> {
  const provider = config.providerId;
  const plan = buildAnthropicRequest(call, { providerId: provider, stream: true, defaultMaxTokens: config.defaultMaxTokens });
  const jsonToolName = plan.jsonToolName;
  // Our own controller lets an early `return()` by the consumer abort the upstream request.
  const controller = new AbortController();
  const signal = context.signal ? anySignal([toAbortSignal(context.signal), controller.signal]) : controller.signal;
  let finished = false;
  try {
    const response = await sendProviderRequest({
      url: `${config.baseUrl}/messages`,
      fetch: anthropicFetch(context),
      headers: anthropicHeaders(config, context),
      body: plan.body,
      signal,
      provider,
      model: call.model,
    });
    if (!response.body) throw new InvalidResponseError(`${provider}: streaming response has no body`, { provider, model: call.model });

    const blocks = new Map<number, OpenBlock>();
    let usage: AnthropicUsage = {};
    let stopReason: string | null | undefined;
    let jsonAnswered = false;
    let ownToolCalls = 0;
    // In JSON mode, prose around the json tool call is held back: it is emitted only if no json call came.
    let heldText = '';

    const stopped = yield* partBatchesOfEvents(response.body, provider, signal, (event, parts) => {
      // Like the official SDK: ping and event names we do not know are skipped without parsing.
      if (event.event !== undefined && !knownEvents.has(event.event)) return false;
      const payload = parseProviderJson<AnthropicStreamEvent>(event.data, provider, call.model);
      const name = event.event ?? payload.type;
      switch (name) {
        case 'error':
          throw anthropicStreamError(payload, provider, call.model);
        case 'message_start': {
          const message = payload.message ?? {};
          usage = mergeAnthropicUsage(usage, message.usage);
          parts.push({ type: 'response-metadata', responseId: message.id, model: message.model });
          break;
        }
        case 'content_block_start': {
          const block = payload.content_block;
          if (!block || payload.index === undefined) break;
          // A tool_use block always has an id from Anthropic; an id is made up only for a compatible server that omits it.
          blocks.set(payload.index, { type: block.type, id: block.type === 'tool_use' ? block.id || generateToolCallId() : block.id, name: block.name, json: '', startInput: block.input });
          if (block.type === 'text' && block.text) {
            if (jsonToolName) heldText += block.text;
            else parts.push({ type: 'text-delta', text: block.text });
          } else if (block.type === 'thinking' && block.thinking) {
            parts.push({ type: 'reasoning-delta', text: block.thinking });
          }
          break;
        }
        case 'content_block_delta': {
          const delta = payload.delta;
          const block = payload.index === undefined ? undefined : blocks.get(payload.index);
          if (!delta) break;
          if (delta.type === 'text_delta' && delta.text) {
            if (jsonToolName) heldText += delta.text;
            else parts.push({ type: 'text-delta', text: delta.text });
          } else if (delta.type === 'thinking_delta' && delta.thinking) {
            parts.push({ type: 'reasoning-delta', text: delta.thinking });
          } else if (delta.type === 'input_json_delta' && block && delta.partial_json) {
            block.json += delta.partial_json;
            // Server tools (server_tool_use) stream their input too, but they are not ours to run.
            if (block.type !== 'tool_use') break;
            if (jsonToolName !== undefined && block.name === jsonToolName) parts.push({ type: 'text-delta', text: delta.partial_json });
            else parts.push({ type: 'tool-call-delta', id: block.id ?? '', name: block.name ?? '', argumentsDelta: delta.partial_json });
          }
          // signature_delta and citations_delta carry nothing the portable stream has a place for.
          break;
        }
        case 'content_block_stop': {
          const block = payload.index === undefined ? undefined : blocks.get(payload.index);
          if (!block || block.type !== 'tool_use') break;
          let raw = block.json;
          if (raw.trim() === '' && isNonEmptyObject(block.startInput)) raw = JSON.stringify(block.startInput);
          if (jsonToolName !== undefined && block.name === jsonToolName) {
            jsonAnswered = true;
            // The input arrived whole at the start, so no delta carried it: emit it now as the text.
            if (block.json.trim() === '' && raw.trim() !== '') parts.push({ type: 'text-delta', text: raw });
          } else {
            ownToolCalls++;
            parts.push({ type: 'tool-call', toolCall: createAnthropicToolCall(block.id ?? '', block.name ?? '', raw) });
          }
          break;
        }
        case 'message_delta':
          usage = mergeAnthropicUsage(usage, payload.usage);
          if (payload.delta?.stop_reason !== undefined) stopReason = payload.delta.stop_reason;
          break;
        case 'message_stop': {
          if (jsonToolName && !jsonAnswered && heldText) parts.push({ type: 'text-delta', text: heldText });
          const finalUsage = convertAnthropicUsage(usage);
          parts.push({ type: 'usage', usage: finalUsage });
          finished = true;
          parts.push({
            type: 'finish',
            finishReason: mapAnthropicStopReason(stopReason, jsonAnswered && ownToolCalls === 0),
            ...(stopReason ? { rawFinishReason: stopReason } : {}),
            usage: finalUsage,
          });
          return true;
        }
        default:
          break;
      }
      return false;
    });
    if (stopped) return;
    throw new InvalidResponseError(`${provider}: stream ended before message_stop (truncated response)`, { provider, model: call.model });
  } finally {
    if (!finished) controller.abort();
  }
}

function isNonEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}
