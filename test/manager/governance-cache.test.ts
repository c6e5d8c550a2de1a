// The response cache through createLLMManager: hits cost nothing and are in the ledger, users never see
// each other's answers, bypass skips it, identical concurrent calls share one provider call, and streams
// replay from it with the same parts.
import { describe, expect, it } from 'vitest';
import { createLLMManager, type StreamPart } from 'llm-switchyard';
import { createMockProvider } from 'llm-switchyard/testing';
import { createPaidMock, paidPricing, paidRequest } from '../support/paid-mock';

const question = (content: string) => [{ role: 'user' as const, content }];

describe('response cache through the manager', () => {
  it('a second identical call is a hit: cached, cost 0, and a cached usage record at zero cost', async () => {
    const paid = createPaidMock();
    const llm = createLLMManager({ providers: [paid], pricing: paidPricing, cache: {} });
    try {
      const first = await llm.chat(paidRequest('alice'));
      const second = await llm.chat(paidRequest('alice'));
      expect(first).toMatchObject({ cached: false });
      expect(first.cost.usd).toBeGreaterThan(0);
      expect(second).toMatchObject({ cached: true, text: first.text, cost: { usd: 0 } });
      expect(second.requestId).not.toBe(first.requestId);
      expect(paid.calls).toHaveLength(1);
      const records = await llm.usage.recent({ userId: 'alice' });
      expect(records).toHaveLength(2);
      expect(records.find((record) => record.cached)).toMatchObject({ cached: true, costMicroUsd: 0, status: 'success', requestId: second.requestId });
      expect(records.find((record) => !record.cached)?.costMicroUsd).toBeGreaterThan(0);
    } finally {
      await llm.close();
    }
  });

  it("a caller changing its result never changes the cached answer that later hits get", async () => {
    const mock = createMockProvider({
      replies: () => ({ text: 'calling', toolCalls: [{ id: 'call_1', name: 'lookup', arguments: { city: 'Oslo' }, rawArguments: '{"city":"Oslo"}' }] }),
    });
    const llm = createLLMManager({ providers: [mock], cache: {} });
    try {
      const first = await llm.chat({ messages: question('weather?'), userId: 'u' });
      (first.toolCalls[0]!.arguments as { city: string }).city = 'changed by the first caller';
      first.usage.inputTokens = -1;
      const second = await llm.chat({ messages: question('weather?'), userId: 'u' });
      expect(second).toMatchObject({ cached: true, toolCalls: [{ name: 'lookup', arguments: { city: 'Oslo' } }] });
      expect(second.usage.inputTokens).toBeGreaterThan(0);
      second.toolCalls.push({ id: 'call_2', name: 'extra', arguments: {}, rawArguments: '{}' });
      second.usage.outputTokens = -5;
      const third = await llm.chat({ messages: question('weather?'), userId: 'u' });
      expect(third.toolCalls).toHaveLength(1);
      expect(third.toolCalls[0]!.arguments).toEqual({ city: 'Oslo' });
      expect(third.usage.outputTokens).toBeGreaterThanOrEqual(0);
      expect(mock.calls).toHaveLength(1);
    } finally {
      await llm.close();
    }
  });

  it('user A never gets user B\'s answer', async () => {
    const mock = createMockProvider({ replies: (record) => ({ text: `answer #${record.index}` }) });
    const llm = createLLMManager({ providers: [mock], cache: {} });
    try {
      const forA = await llm.chat({ messages: question('same question'), userId: 'a' });
      const forB = await llm.chat({ messages: question('same question'), userId: 'b' });
      const againA = await llm.chat({ messages: question('same question'), userId: 'a' });
      const againB = await llm.chat({ messages: question('same question'), userId: 'b' });
      expect(forB).toMatchObject({ cached: false, text: 'answer #1' });
      expect(againA).toMatchObject({ cached: true, text: forA.text });
      expect(againB).toMatchObject({ cached: true, text: forB.text });
      expect(forA.text).not.toBe(forB.text);
      expect(mock.calls).toHaveLength(2);
    } finally {
      await llm.close();
    }
  });

  it("cache: 'bypass' goes to the provider and leaves the cached answer alone", async () => {
    const mock = createMockProvider({ replies: (record) => ({ text: `answer #${record.index}` }) });
    const llm = createLLMManager({ providers: [mock], cache: {} });
    try {
      await llm.chat({ messages: question('q'), userId: 'u' });
      const bypassed = await llm.chat({ messages: question('q'), userId: 'u', cache: 'bypass' });
      expect(bypassed).toMatchObject({ cached: false, text: 'answer #1' });
      expect(mock.calls).toHaveLength(2);
      expect(await llm.chat({ messages: question('q'), userId: 'u' })).toMatchObject({ cached: true, text: 'answer #0' });
    } finally {
      await llm.close();
    }
  });

  it('100 identical concurrent calls make exactly 1 provider call', async () => {
    const mock = createMockProvider({ latencyMs: 20, replies: (record) => ({ text: `answer #${record.index}` }) });
    const llm = createLLMManager({ providers: [mock], cache: {}, limits: { concurrency: false } });
    try {
      const results = await Promise.all(Array.from({ length: 100 }, () => llm.chat({ messages: question('popular question'), userId: 'u' })));
      expect(mock.calls).toHaveLength(1);
      expect(new Set(results.map((result) => result.text))).toEqual(new Set(['answer #0']));
      expect(new Set(results.map((result) => result.requestId)).size).toBe(100);
    } finally {
      await llm.close();
    }
  });

  it('100 identical concurrent calls under the default concurrency limits still make exactly 1 provider call', async () => {
    const mock = createMockProvider({ latencyMs: 5 });
    const llm = createLLMManager({ providers: [mock], cache: {} });
    try {
      await Promise.all(Array.from({ length: 100 }, () => llm.chat({ messages: question('popular question'), userId: 'u' })));
      expect(mock.calls).toHaveLength(1);
    } finally {
      await llm.close();
    }
  });

  it('a stream replays from the cache with the same parts, reasoning and tool calls included', async () => {
    const mock = createMockProvider({
      replies: [{ text: 'The weather is fine.', reasoning: 'Look it up first.', toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }], usage: { inputTokens: 9, outputTokens: 12 } }],
    });
    const llm = createLLMManager({ providers: [mock], cache: {} });
    const request = { messages: question('weather in Oslo?'), userId: 'u', tools: [{ name: 'weather', parameters: { type: 'object' as const, properties: { city: { type: 'string' } } } }] };
    try {
      const firstParts: StreamPart[] = [];
      const first = llm.stream(request);
      for await (const part of first) firstParts.push(part);
      const firstResult = await first.result;
      const replayedParts: StreamPart[] = [];
      const replayed = llm.stream(request);
      for await (const part of replayed) replayedParts.push(part);
      const replayedResult = await replayed.result;

      expect(mock.calls).toHaveLength(1);
      expect(replayedParts).toEqual(firstParts);
      expect(replayedParts.map((part) => part.type)).toEqual(expect.arrayContaining(['reasoning-delta', 'text-delta', 'tool-call', 'finish']));
      expect(replayedResult).toMatchObject({ cached: true, text: firstResult.text, reasoning: firstResult.reasoning, toolCalls: firstResult.toolCalls, cost: { usd: 0 } });
      expect(firstResult.cached).toBe(false);
      const records = await llm.usage.recent({ userId: 'u' });
      expect(records.filter((record) => record.cached)).toEqual([expect.objectContaining({ costMicroUsd: 0, requestId: replayedResult.requestId })]);
    } finally {
      await llm.close();
    }
  });

  it('a request that cannot be keyed fails as InvalidRequestError, once the keying code has loaded too, and gives its slot back', async () => {
    const mock = createMockProvider({ replies: () => ({ text: 'fine' }) });
    // One slot per user and no queue: a slot the failed calls kept would make the last call fail at once.
    const llm = createLLMManager({ providers: [mock], cache: {}, limits: { concurrency: { perUser: 1, queueTimeoutMs: 0 } } });
    const unkeyable = { messages: question('q'), userId: 'u', providerOptions: { mock: { weight: Number.NaN } } };
    try {
      // The first keys before the keying code has loaded (a promise), the second after (no promise).
      for (let attempt = 0; attempt < 2; attempt++) {
        await expect(llm.chat(unkeyable)).rejects.toMatchObject({ name: 'InvalidRequestError', message: expect.stringContaining('must be a finite number to be cached') });
      }
      const stream = llm.stream(unkeyable);
      const parts: StreamPart[] = [];
      for await (const part of stream) parts.push(part);
      expect(parts).toEqual([expect.objectContaining({ type: 'error', error: expect.objectContaining({ name: 'InvalidRequestError' }) })]);
      await expect(stream.result).rejects.toMatchObject({ name: 'InvalidRequestError' });
      expect(mock.calls).toHaveLength(0);
      await expect(llm.chat({ messages: question('q'), userId: 'u' })).resolves.toMatchObject({ text: 'fine', cached: false });
    } finally {
      await llm.close();
    }
  });
});
