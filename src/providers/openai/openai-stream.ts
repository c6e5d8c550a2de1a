import { InvalidResponseError } from '../../errors/invalid-response-error';
import { parseProviderJson } from '../../http/post-json';
import { createProviderError } from '../../http/provider-error';
import { batched, type BatchedIterable } from '../../http/part-batches';
import type { ProviderChatCall } from '../../spec/chat';
import type { ProviderCallContext } from '../../spec/provider';
import type { ProviderStreamPart } from '../../spec/stream';
import type { Usage } from '../../spec/usage';
import { estimateUsage } from '../shared/estimate-usage';
import { partBatchesOfEvents } from '../shared/part-batches-of-events';
import { generateToolCallId } from '../shared/generate-tool-call-id';
import { parseToolArguments } from '../shared/tool-arguments';
import { readOpenAIContent, readOpenAIReasoning } from './openai-content';
import type { OpenAIEndpoint } from './openai-endpoint';
import { errorFromOpenAIPayload } from './openai-error';
import { mapOpenAIFinishReason } from './openai-finish-reason';
import { openOpenAIEventStream } from './openai-request';
import { buildOpenAIChatBody } from './openai-request-body';
import { normalizeOpenAIUsage } from './openai-usage';

interface ToolCallDelta {
  index?: number;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | Record<string, unknown> | null };
}

interface ChatCompletionChunk {
  id?: string;
  model?: string;
  choices?: Array<{ index?: number; delta?: Record<string, unknown> & { tool_calls?: ToolCallDelta[] | null }; finish_reason?: string | null }>;
  usage?: unknown;
  x_groq?: { usage?: unknown };
}

interface PendingToolCall {
  id: string;
  /** The id was made up here because the server sent none (yet). */
  generatedId: boolean;
  name: string;
  arguments: string;
  emitted: boolean;
}

/** Accumulates one streamed response: text length, tool calls by index, finish reason and usage. */
function createStreamState() {
  const toolCalls: PendingToolCall[] = [];
  const toolCallsByIndex = new Map<number, PendingToolCall>();
  return {
    toolCalls,
    outputCharacters: 0,
    rawFinishReason: undefined as string | undefined,
    usage: undefined as Usage | undefined,
    announced: false,

    /** Applies one tool-call fragment; returns the delta part to emit, if the fragment carried arguments. */
    applyToolCallDelta(fragment: ToolCallDelta, position: number): ProviderStreamPart | undefined {
      // Fragments are keyed by `index` (which may start at 1); Mistral sends whole calls without one.
      const index = typeof fragment.index === 'number' ? fragment.index : position;
      const id = typeof fragment.id === 'string' && fragment.id.length > 0 ? fragment.id : undefined;
      let current = toolCallsByIndex.get(index);
      if (current && id !== undefined && id !== current.id) {
        if (current.generatedId && current.arguments.length === 0) {
          current.id = id;
          current.generatedId = false;
        } else if (current.arguments.length > 0) {
          // Some servers reuse index 0 for every call; a new id with the old call complete starts a new one.
          current = undefined;
        }
      }
      if (!current) {
        current = { id: id ?? generateToolCallId(), generatedId: id === undefined, name: '', arguments: '', emitted: false };
        toolCallsByIndex.set(index, current);
        toolCalls.push(current);
      }
      const name = fragment.function?.name;
      if (typeof name === 'string' && name.length > 0 && current.name.length === 0) current.name = name;
      const raw = fragment.function?.arguments;
      const argumentsDelta = typeof raw === 'string' ? raw : raw && typeof raw === 'object' ? JSON.stringify(raw) : '';
      if (argumentsDelta.length === 0) return undefined;
      current.arguments += argumentsDelta;
      this.outputCharacters += argumentsDelta.length;
      return { type: 'tool-call-delta', id: current.id, name: current.name, argumentsDelta };
    },

    /** Appends the complete tool calls not yet emitted. */
    completeToolCalls(parts: ProviderStreamPart[]): void {
      for (const call of toolCalls) {
        if (call.emitted) continue;
        call.emitted = true;
        parts.push({
          type: 'tool-call',
          toolCall: { id: call.id, name: call.name, arguments: parseToolArguments(call.arguments), rawArguments: call.arguments },
        });
      }
    },
  };
}

type StreamState = ReturnType<typeof createStreamState>;

/** Appends the parts of one chunk to `parts` (a plain loop: a generator per chunk costs more than the chunk). */
function appendPartsOfChunk(chunk: ChatCompletionChunk, state: StreamState, parts: ProviderStreamPart[]): void {
  if (!state.announced && ((typeof chunk.id === 'string' && chunk.id) || (typeof chunk.model === 'string' && chunk.model))) {
    state.announced = true;
    const metadata: ProviderStreamPart = { type: 'response-metadata' };
    if (chunk.id) metadata.responseId = chunk.id;
    if (chunk.model) metadata.model = chunk.model;
    parts.push(metadata);
  }
  // Usage may ride on the finish chunk, on a trailing `choices: []` chunk, or under Groq's `x_groq`.
  const usage = normalizeOpenAIUsage(chunk.usage) ?? normalizeOpenAIUsage(chunk.x_groq?.usage);
  if (usage) state.usage = usage;
  if (!Array.isArray(chunk.choices)) return;
  for (const choice of chunk.choices) {
    // Only the first choice is followed (n > 1 is not supported).
    if (!choice || (choice.index !== undefined && choice.index !== 0)) continue;
    const delta = choice.delta;
    if (delta && typeof delta === 'object') {
      const content = readOpenAIContent(delta.content);
      const reasoning = readOpenAIReasoning(delta) + content.reasoning;
      if (reasoning.length > 0) {
        state.outputCharacters += reasoning.length;
        parts.push({ type: 'reasoning-delta', text: reasoning });
      }
      if (content.text.length > 0) {
        state.outputCharacters += content.text.length;
        parts.push({ type: 'text-delta', text: content.text });
      }
      if (Array.isArray(delta.tool_calls)) {
        for (let position = 0; position < delta.tool_calls.length; position++) {
          const fragment = delta.tool_calls[position];
          if (!fragment || typeof fragment !== 'object') continue;
          const part = state.applyToolCallDelta(fragment, position);
          if (part) parts.push(part);
        }
      }
    }
    if (typeof choice.finish_reason === 'string' && choice.finish_reason.length > 0) {
      // xAI repeats the finish chunk; the first one counts.
      state.rawFinishReason ??= choice.finish_reason;
      state.completeToolCalls(parts);
    }
  }
}

/**
 * One streaming Chat Completions call. The `finish` part is held back until `[DONE]` or the end of the
 * body, because usage may come after `finish_reason`. A body that ends with neither `[DONE]` nor a
 * `finish_reason` is incomplete and never finishes cleanly: a dropped connection throws `NetworkError`,
 * a body that simply stops throws `InvalidResponseError` (both retryable).
 */
export function openAIStream(endpoint: OpenAIEndpoint, call: ProviderChatCall, context: ProviderCallContext): BatchedIterable<ProviderStreamPart> {
  return batched(() => openAIStreamBatches(endpoint, call, context));
}

/** `openAIStream` in batches: the parts of every event one network read completed. */
async function* openAIStreamBatches(endpoint: OpenAIEndpoint, call: ProviderChatCall, context: ProviderCallContext): AsyncGenerator<ProviderStreamPart[]> {
  const provider = endpoint.provider;
  const model = call.model;
  const events = await openOpenAIEventStream(endpoint, '/chat/completions', buildOpenAIChatBody(call, endpoint, true), context, model);
  const state = createStreamState();
  const done = yield* partBatchesOfEvents(events, provider, context.signal, (event, parts) => {
    const data = event.data.trim();
    if (data === '[DONE]') return true;
    if (data.length === 0) return false;
    const payload = parseProviderJson<ChatCompletionChunk>(data, provider, model);
    const payloadError = errorFromOpenAIPayload(payload, provider, model);
    if (payloadError) throw payloadError;
    if (event.event === 'error') throw createProviderError({ provider, model, body: payload });
    appendPartsOfChunk(payload, state, parts);
    return false;
  });
  if (!done && state.rawFinishReason === undefined) {
    // The connection closed cleanly but the response is incomplete (a proxy timeout, a crashed worker).
    throw new InvalidResponseError(`${provider}: the stream ended before it finished (no finish_reason and no [DONE])`, { provider, model });
  }
  const last: ProviderStreamPart[] = [];
  state.completeToolCalls(last);
  const usage = state.usage ?? estimateUsage(call.messages, state.outputCharacters);
  if (state.usage) last.push({ type: 'usage', usage });
  const finish: ProviderStreamPart = {
    type: 'finish',
    finishReason: mapOpenAIFinishReason(state.rawFinishReason, state.toolCalls.length > 0),
    usage,
  };
  if (state.rawFinishReason !== undefined) finish.rawFinishReason = state.rawFinishReason;
  last.push(finish);
  yield last;
}
