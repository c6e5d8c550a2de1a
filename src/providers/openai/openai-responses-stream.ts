import { InvalidResponseError } from '../../errors/invalid-response-error';
import { parseProviderJson } from '../../http/post-json';
import { createProviderError } from '../../http/provider-error';
import { batched, type BatchedIterable } from '../../http/part-batches';
import type { ProviderChatCall } from '../../spec/chat';
import type { ProviderCallContext } from '../../spec/provider';
import type { ProviderStreamPart } from '../../spec/stream';
import { estimateUsage } from '../shared/estimate-usage';
import { generateToolCallId } from '../shared/generate-tool-call-id';
import { partBatchesOfEvents } from '../shared/part-batches-of-events';
import { parseToolArguments } from '../shared/tool-arguments';
import type { OpenAIEndpoint } from './openai-endpoint';
import { responsesFinishReason, type OpenAIResponseObject } from './openai-responses-chat';
import { openOpenAIEventStream } from './openai-request';
import { buildOpenAIResponsesBody } from './openai-responses-request';
import { normalizeOpenAIResponsesUsage } from './openai-usage';

interface ResponsesEvent {
  type?: string;
  delta?: string;
  item_id?: string;
  item?: Record<string, any>;
  response?: OpenAIResponseObject;
  error?: unknown;
}

interface PendingFunctionCall {
  callId: string;
  name: string;
  arguments: string;
  emitted: boolean;
}

/**
 * One streaming `POST /responses` call. Events are dispatched on their JSON `type` (the `event:` name
 * repeats it). The stream ends at `response.completed` / `response.incomplete`; `[DONE]` is accepted too.
 * An `error` event or `response.failed` throws; a body that ends before a terminal event never finishes.
 * A JSON answer instead of an event stream throws the error it carries, as on the Chat Completions path.
 */
export function openAIResponsesStream(endpoint: OpenAIEndpoint, call: ProviderChatCall, context: ProviderCallContext): BatchedIterable<ProviderStreamPart> {
  return batched(() => openAIResponsesStreamBatches(endpoint, call, context));
}

/** `openAIResponsesStream` in batches: the parts of every event one network read completed. */
async function* openAIResponsesStreamBatches(endpoint: OpenAIEndpoint, call: ProviderChatCall, context: ProviderCallContext): AsyncGenerator<ProviderStreamPart[]> {
  const provider = endpoint.provider;
  const model = call.model;
  const events = await openOpenAIEventStream(endpoint, '/responses', buildOpenAIResponsesBody(call, endpoint, true), context, model);

  const calls = new Map<string, PendingFunctionCall>();
  let outputCharacters = 0;
  let announced = false;
  let terminal = undefined as OpenAIResponseObject | undefined;
  yield* partBatchesOfEvents(events, provider, context.signal, (event, parts) => {
    const data = event.data.trim();
    if (data === '[DONE]') return true;
    if (data.length === 0) return false;
    const payload = parseProviderJson<ResponsesEvent>(data, provider, model);
    const type = payload?.type ?? event.event;
    switch (type) {
      case 'error':
        // Nested (`{ type: 'error', error: { code, message } }`) or flat (`{ type: 'error', code, message }`).
        throw createProviderError({ provider, model, body: payload });
      case 'response.failed':
        throw createProviderError({ provider, model, body: { error: payload.response?.error ?? { message: 'response failed' } } });
      case 'response.created':
        if (!announced && payload.response) {
          announced = true;
          const metadata: ProviderStreamPart = { type: 'response-metadata' };
          if (payload.response.id) metadata.responseId = payload.response.id;
          if (payload.response.model) metadata.model = payload.response.model;
          parts.push(metadata);
        }
        break;
      case 'response.output_text.delta':
        if (typeof payload.delta === 'string' && payload.delta.length > 0) {
          outputCharacters += payload.delta.length;
          parts.push({ type: 'text-delta', text: payload.delta });
        }
        break;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        if (typeof payload.delta === 'string' && payload.delta.length > 0) {
          outputCharacters += payload.delta.length;
          parts.push({ type: 'reasoning-delta', text: payload.delta });
        }
        break;
      case 'response.output_item.added':
        if (payload.item?.type === 'function_call' && typeof payload.item.id === 'string') {
          calls.set(payload.item.id, { callId: payload.item.call_id || generateToolCallId(), name: payload.item.name ?? '', arguments: '', emitted: false });
        }
        break;
      case 'response.function_call_arguments.delta': {
        const pending = payload.item_id === undefined ? undefined : calls.get(payload.item_id);
        if (pending && typeof payload.delta === 'string' && payload.delta.length > 0) {
          pending.arguments += payload.delta;
          outputCharacters += payload.delta.length;
          parts.push({ type: 'tool-call-delta', id: pending.callId, name: pending.name, argumentsDelta: payload.delta });
        }
        break;
      }
      case 'response.output_item.done': {
        const item = payload.item;
        if (item?.type !== 'function_call') break;
        const pending = calls.get(item.id) ?? { callId: item.call_id || generateToolCallId(), name: item.name ?? '', arguments: '', emitted: false };
        // The finished item carries the authoritative arguments.
        const rawArguments = typeof item.arguments === 'string' ? item.arguments : pending.arguments;
        if (!pending.emitted) {
          pending.emitted = true;
          calls.set(item.id, pending);
          parts.push({ type: 'tool-call', toolCall: { id: pending.callId, name: item.name ?? pending.name, arguments: parseToolArguments(rawArguments), rawArguments } });
        }
        break;
      }
      case 'response.completed':
      case 'response.incomplete':
        terminal = payload.response ?? {};
        break;
    }
    return terminal !== undefined;
  });
  if (!terminal) {
    throw new InvalidResponseError(`${provider}: the response stream ended before response.completed`, { provider, model });
  }
  const hasToolCalls = calls.size > 0;
  const finish = responsesFinishReason(terminal, hasToolCalls);
  const reported = normalizeOpenAIResponsesUsage(terminal.usage);
  const last: ProviderStreamPart[] = [];
  if (reported) last.push({ type: 'usage', usage: reported });
  last.push({ type: 'finish', finishReason: finish.finishReason, rawFinishReason: finish.raw, usage: reported ?? estimateUsage(call.messages, outputCharacters) });
  yield last;
}
