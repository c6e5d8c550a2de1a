import { InvalidResponseError } from '../../errors/invalid-response-error';
import { createProviderError } from '../../http/provider-error';
import { parseProviderJson } from '../../http/post-json';
import type { ServerSentEvent } from '../../http/server-sent-events';
import type { ProviderStreamPart } from '../../spec/stream';
import { generateToolCallId } from '../shared/generate-tool-call-id';
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
 * Turns Cohere v2 chat SSE events into stream parts. Events are dispatched on the JSON `type` (equal to the
 * SSE event name). The stream is complete only after `message-end`; anything else is a truncation and
 * throws. Tool calls are announced by `tool-call-start`, grow through `tool-call-delta` and are emitted
 * whole at `tool-call-end`.
 */
export async function* readCohereStream(
  events: AsyncIterable<ServerSentEvent>,
  provider: string,
  model: string,
): AsyncGenerator<ProviderStreamPart> {
  const openCalls = new Map<number, OpenToolCall>();
  let callCount = 0;

  const finishCall = (index: number): ProviderStreamPart | undefined => {
    const open = openCalls.get(index);
    if (!open) return undefined;
    openCalls.delete(index);
    return { type: 'tool-call', toolCall: parseCohereToolCall(open.id, open.name, open.rawArguments) };
  };

  for await (const sse of events) {
    if (sse.data.trim() === '' || sse.data.trim() === '[DONE]') continue;
    const event = parseProviderJson<CohereStreamEvent>(sse.data, provider, model);
    const type = event.type ?? sse.event;
    const delta = event.delta;
    switch (type) {
      case 'message-start':
        yield { type: 'response-metadata', ...(event.id !== undefined ? { responseId: event.id } : {}), model };
        break;
      case 'content-start':
      case 'content-delta': {
        const content = delta?.message?.content;
        if (content?.text) yield { type: 'text-delta', text: content.text };
        if (content?.thinking) yield { type: 'reasoning-delta', text: content.thinking };
        break;
      }
      case 'tool-plan-delta': {
        const plan = delta?.message?.tool_plan;
        if (plan) yield { type: 'reasoning-delta', text: plan };
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
        if (open.rawArguments !== '') yield { type: 'tool-call-delta', id: open.id, name: open.name, argumentsDelta: open.rawArguments };
        break;
      }
      case 'tool-call-delta': {
        const open = openCalls.get(event.index ?? callCount - 1);
        const fragment = delta?.message?.tool_calls?.function?.arguments;
        if (!open) throw new InvalidResponseError(`${provider}: tool-call-delta for a tool call that was never started`, { provider, model });
        if (fragment) {
          open.rawArguments += fragment;
          yield { type: 'tool-call-delta', id: open.id, name: open.name, argumentsDelta: fragment };
        }
        break;
      }
      case 'tool-call-end': {
        const part = finishCall(event.index ?? callCount - 1);
        if (part) yield part;
        break;
      }
      case 'message-end': {
        // A call left open by a server that skipped tool-call-end is still a complete call here.
        for (const index of [...openCalls.keys()]) yield finishCall(index)!;
        const usage = convertCohereUsage(delta?.usage);
        const rawFinishReason = delta?.finish_reason;
        yield { type: 'usage', usage };
        yield {
          type: 'finish',
          finishReason: mapCohereFinishReason(rawFinishReason),
          ...(rawFinishReason !== undefined ? { rawFinishReason } : {}),
          usage,
        };
        return;
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
  }
  throw new InvalidResponseError(`${provider}: the stream ended before message-end (truncated response)`, { provider, model });
}
