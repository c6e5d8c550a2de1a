import { InvalidResponseError } from '../../errors/invalid-response-error';
import { createProviderError } from '../../http/provider-error';
import { parseProviderJson } from '../../http/post-json';
import type { ProviderStreamPart } from '../../spec/stream';
import { generateToolCallId } from '../shared/generate-tool-call-id';
import { partBatchesOfEvents } from '../shared/part-batches-of-events';
import type { CohereStreamEvent } from './cohere-api-types';
import { mapCohereFinishReason } from './cohere-finish-reason';
import { parseCohereToolCall } from './cohere-tool-call';
import { convertCohereUsage } from './cohere-usage';

interface OpenToolCall {
  id: string;
  name: string;
  rawArguments: string;
}

/**
 * Turns a Cohere v2 chat SSE body into batches of stream parts (the parts of every event one network read
 * completed). Events are dispatched on the JSON `type` (equal to the SSE event name). The stream is
 * complete only after `message-end`; anything else is a truncation and throws. Tool calls are announced
 * by `tool-call-start`, grow through `tool-call-delta` and are emitted whole at `tool-call-end`.
 */
export async function* readCohereStreamBatches(
  body: ReadableStream<Uint8Array>,
  provider: string,
  model: string,
  signal?: AbortSignal,
): AsyncGenerator<ProviderStreamPart[]> {
  const openCalls = new Map<number, OpenToolCall>();
  let callCount = 0;

  const finishCall = (index: number): ProviderStreamPart | undefined => {
    const open = openCalls.get(index);
    if (!open) return undefined;
    openCalls.delete(index);
    return { type: 'tool-call', toolCall: parseCohereToolCall(open.id, open.name, open.rawArguments) };
  };

  const ended = yield* partBatchesOfEvents(body, provider, signal, (sse, parts) => {
    if (sse.data.trim() === '' || sse.data.trim() === '[DONE]') return false;
    const event = parseProviderJson<CohereStreamEvent>(sse.data, provider, model);
    const type = event.type ?? sse.event;
    const delta = event.delta;
    switch (type) {
      case 'message-start':
        parts.push({ type: 'response-metadata', ...(event.id !== undefined ? { responseId: event.id } : {}), model });
        break;
      case 'content-start':
      case 'content-delta': {
        const content = delta?.message?.content;
        if (content?.text) parts.push({ type: 'text-delta', text: content.text });
        if (content?.thinking) parts.push({ type: 'reasoning-delta', text: content.thinking });
        break;
      }
      case 'tool-plan-delta': {
        const plan = delta?.message?.tool_plan;
        if (plan) parts.push({ type: 'reasoning-delta', text: plan });
        break;
      }
      case 'tool-call-start': {
        const call = delta?.message?.tool_calls;
        const index = event.index ?? callCount;
        const open: OpenToolCall = {
          id: call?.id || generateToolCallId(),
          name: call?.function?.name ?? '',
          rawArguments: call?.function?.arguments ?? '',
        };
        callCount++;
        openCalls.set(index, open);
        if (open.rawArguments !== '') parts.push({ type: 'tool-call-delta', id: open.id, name: open.name, argumentsDelta: open.rawArguments });
        break;
      }
      case 'tool-call-delta': {
        const open = openCalls.get(event.index ?? callCount - 1);
        const fragment = delta?.message?.tool_calls?.function?.arguments;
        if (!open) throw new InvalidResponseError(`${provider}: tool-call-delta for a tool call that was never started`, { provider, model });
        if (fragment) {
          open.rawArguments += fragment;
          parts.push({ type: 'tool-call-delta', id: open.id, name: open.name, argumentsDelta: fragment });
        }
        break;
      }
      case 'tool-call-end': {
        const part = finishCall(event.index ?? callCount - 1);
        if (part) parts.push(part);
        break;
      }
      case 'message-end': {
        // A call left open by a server that skipped tool-call-end is still a complete call here.
        for (const index of [...openCalls.keys()]) parts.push(finishCall(index)!);
        const usage = convertCohereUsage(delta?.usage);
        const rawFinishReason = delta?.finish_reason;
        parts.push({ type: 'usage', usage });
        parts.push({
          type: 'finish',
          finishReason: mapCohereFinishReason(rawFinishReason),
          ...(rawFinishReason !== undefined ? { rawFinishReason } : {}),
          usage,
        });
        return true;
      }
      case 'error':
        throw createProviderError({ provider, model, body: event });
      case undefined:
        // A payload without a type that carries a message is an error envelope sent mid-stream.
        if (typeof event.message === 'string') throw createProviderError({ provider, model, body: event });
        break;
      default:
        // citation-start/-end, content-end, debug: nothing to normalise.
        break;
    }
    return false;
  });
  if (ended) return;
  throw new InvalidResponseError(`${provider}: the stream ended before message-end (truncated response)`, { provider, model });
}
