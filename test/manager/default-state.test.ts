// The default state store loads in the background. This file imports nothing of the memory state, so its
// module really is still loading when the first calls are admitted.
import { describe, expect, it } from 'vitest';
import { createLLMManager } from 'llm-switchyard';
import { createMockProvider } from 'llm-switchyard/testing';

describe('the default state store, before its module has loaded', () => {
  it('admits calls made at once, holding the concurrency limit, and answers as the memory store', async () => {
    const llm = createLLMManager({ providers: [createMockProvider()], limits: { concurrency: { global: 1, perUser: 1 } } });
    expect(llm.state.kind).toBe('memory');
    const calls = ['a', 'b', 'c'].map((userId) => llm.chat({ model: 'mock:small', userId, messages: [{ role: 'user', content: userId }] }));
    const results = await Promise.all(calls);
    expect(results.map((result) => result.finishReason)).toEqual(['stop', 'stop', 'stop']);
    await expect(llm.state.acquireSlots({ holderId: 'h', slots: [{ key: 'pool', limit: 1 }], leaseMs: 1000 })).resolves.toMatchObject({ acquired: true });
    await llm.close();
  });
});
