import type { Attempt, KeySource } from '../spec/attempt';
import type { ProviderChatResult } from '../spec/chat';
import type { ChatResult, Cost, RoutingExplanation } from '../spec/result';

/** The candidate that served a call. */
export interface ServedBy {
  /** Provider id. */
  provider: string;
  /** Model asked for. */
  model: string;
  /** Whose key paid. */
  keySource: KeySource;
}

/** Where the routing explanation comes from: the selector builds it on first read. */
export interface ExplanationSource {
  /** The explanation (may be a lazy getter). */
  explanation: RoutingExplanation;
}

// The fields are written out, never spread: adding properties to a spread copy makes V8 build a fresh
// hidden class for every result (about 12 µs a call on Node 20, measured), and one shape keeps every
// result the same. `routing` is built when first read (scoring every candidate costs more than the call
// under `priority`) yet stays an own enumerable field: its getter and setter are shared by all results
// and find the selection under a hidden symbol. A getter in an object literal would be a new function
// pair per result and turn it into a ~1.1 KB dictionary-mode object (measured: 257 B this way).
const selectionKey = Symbol('llm-switchyard.selection');
const routingProperty: PropertyDescriptor = {
  get(this: { [selectionKey]: ExplanationSource }) { return this[selectionKey].explanation; },
  set(this: { [selectionKey]: ExplanationSource }, explanation: RoutingExplanation) { this[selectionKey].explanation = explanation; },
  enumerable: true,
  configurable: true,
};

/** The public result of a call served by a provider. */
export function toChatResult(
  value: ProviderChatResult, served: ServedBy, attempts: Attempt[], routing: ExplanationSource, cost: Cost, startedAt: number, requestId: string,
): ChatResult {
  const result = {
    text: value.text, reasoning: value.reasoning, toolCalls: value.toolCalls, finishReason: value.finishReason,
    rawFinishReason: value.rawFinishReason, usage: value.usage, responseId: value.responseId,
    provider: served.provider, model: value.model ?? served.model, keySource: served.keySource, cached: false, attempts,
  } as ChatResult;
  Object.defineProperty(result, selectionKey, { value: routing, writable: false, enumerable: false, configurable: false });
  Object.defineProperty(result, 'routing', routingProperty);
  result.cost = cost;
  result.latencyMs = performance.now() - startedAt;
  result.requestId = requestId;
  return result;
}

// A cached answer is handed to many callers: each gets its own usage and tool calls, so one caller
// changing its result never changes what the next hit (or the entry itself) says.
const ownUsage = (usage: ProviderChatResult['usage']): ProviderChatResult['usage'] => ({ ...usage });
const ownToolCalls = (toolCalls: ProviderChatResult['toolCalls']): ProviderChatResult['toolCalls'] =>
  toolCalls.length === 0 ? [] : structuredClone(toolCalls);

/** The public result of a call answered from the response cache. */
export function toCachedChatResult(
  value: ProviderChatResult, provider: string, model: string, routing: RoutingExplanation, cost: Cost, startedAt: number, requestId: string,
): ChatResult {
  return {
    text: value.text, reasoning: value.reasoning, toolCalls: ownToolCalls(value.toolCalls), finishReason: value.finishReason,
    rawFinishReason: value.rawFinishReason, usage: ownUsage(value.usage), responseId: value.responseId,
    provider, model, keySource: 'managed', cached: true, attempts: [], routing, cost, latencyMs: performance.now() - startedAt, requestId,
  };
}

/** Only the provider's fields of a result (what the response cache keeps), not shared with the result. */
export function providerChatFields(value: ProviderChatResult): ProviderChatResult {
  return {
    text: value.text, reasoning: value.reasoning, toolCalls: ownToolCalls(value.toolCalls), finishReason: value.finishReason,
    rawFinishReason: value.rawFinishReason, usage: ownUsage(value.usage), responseId: value.responseId, model: value.model,
  };
}
