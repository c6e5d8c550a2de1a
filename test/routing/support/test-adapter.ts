import { readServerSentEvents, requestJson, sendProviderRequest, parseProviderJson, createProviderError } from '../../../src/http';
import { InvalidResponseError } from '../../../src/errors/invalid-response-error';
import type { ProviderChatCall, ProviderChatResult } from '../../../src/spec/chat';
import type { ProviderStreamPart } from '../../../src/spec/stream';
import type { RoutingCandidate } from '../../../src/routing/candidate';

/**
 * A tiny OpenAI-Chat-Completions-style adapter for routing tests: real HTTP through the shared http
 * layer against the loopback replay server, so faults arrive as the typed errors real adapters throw.
 */
export function createTestAdapter(id: string, baseUrl: string) {
  const headers = { authorization: 'Bearer test-key' };
  return {
    id,
    async chat(call: ProviderChatCall, signal?: AbortSignal): Promise<ProviderChatResult> {
      const body = await requestJson<any>({ url: `${baseUrl}/v1/chat/completions`, fetch: globalThis.fetch, headers, body: { model: call.model, messages: call.messages }, signal, provider: id, model: call.model });
      const choice = body?.choices?.[0];
      if (!choice) throw new InvalidResponseError(`${id}: response has no choices`, { provider: id, model: call.model });
      const usage = { inputTokens: body.usage?.prompt_tokens ?? 0, outputTokens: body.usage?.completion_tokens ?? 0, totalTokens: body.usage?.total_tokens ?? 0 };
      return { text: choice.message?.content ?? '', toolCalls: [], finishReason: 'stop', usage, model: body.model };
    },
    async *stream(call: ProviderChatCall, signal?: AbortSignal): AsyncGenerator<ProviderStreamPart> {
      const response = await sendProviderRequest({ url: `${baseUrl}/v1/chat/completions`, fetch: globalThis.fetch, headers, body: { model: call.model, messages: call.messages, stream: true }, signal, provider: id, model: call.model });
      let finished = false;
      let finishReason: string | undefined;
      for await (const event of readServerSentEvents(response.body!, id, signal)) {
        if (event.data === '[DONE]') {
          finished = true;
          break;
        }
        const chunk = parseProviderJson<any>(event.data, id, call.model);
        if (chunk.error) throw createProviderError({ provider: id, model: call.model, body: chunk });
        const delta = chunk.choices?.[0]?.delta;
        if (delta?.content) yield { type: 'text-delta', text: delta.content };
        if (chunk.choices?.[0]?.finish_reason) finishReason = chunk.choices[0].finish_reason;
        if (chunk.usage) yield { type: 'usage', usage: { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens, totalTokens: chunk.usage.total_tokens } };
      }
      if (!finished) throw new InvalidResponseError(`${id}: stream ended without [DONE]`, { provider: id, model: call.model });
      yield { type: 'finish', finishReason: finishReason === 'length' ? 'length' : 'stop', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } };
    },
  };
}

/** A candidate with sensible capabilities for tests. */
export function testCandidate(provider: string, model: string, extra: Partial<RoutingCandidate> = {}): RoutingCandidate {
  return {
    provider,
    model,
    keySource: 'managed',
    local: false,
    capabilities: { tools: true, vision: false, json: true, embedding: false, reasoning: false },
    ...extra,
  };
}

/** An OpenAI chat completion body. */
export function completionBody(text: string, model = 'gpt-test'): string {
  return JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
}

/** OpenAI chat completion stream events for `pieces`, with [DONE]. */
export function streamEvents(pieces: string[], model = 'gpt-test'): string[] {
  const chunks = pieces.map((text) => ({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: text }, finish_reason: null }] }));
  chunks.push({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] } as any);
  return [...chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`), 'data: [DONE]\n\n'];
}
