// The default storage loads in the background. This file imports nothing of the memory storage, so its
// module really is still loading while the test's calls run.
import { describe, expect, it } from 'vitest';
import { createLLMManager, type UsageRecord } from 'llm-switchyard';
import { createMockProvider } from 'llm-switchyard/testing';

describe('the default storage, before its module has loaded', () => {
  it('loses nothing when the host makes more calls than the writer buffers before ever yielding to the loader', async () => {
    const overflowed: UsageRecord[] = [];
    const llm = createLLMManager({
      providers: [createMockProvider()],
      limits: { concurrency: false },
      usage: { batchSize: 10, maxBufferedRecords: 50, onOverflow: (records) => overflowed.push(...records) },
    });
    let loaderRan = false;
    setImmediate(() => (loaderRan = true));
    // Sequential calls resolved through microtasks only: no macrotask (and so no module load) runs until
    // the loop ends, and 400 finished calls are 8 times the writer's buffer.
    for (let index = 0; index < 400; index++) await llm.chat({ model: 'mock:small', messages: [{ role: 'user', content: `call ${index}` }] });
    expect(loaderRan).toBe(false);
    await llm.usage.flush();
    const summary = await llm.usage.summary({ from: 0, to: Date.now() + 1, groupBy: [] });
    expect(overflowed).toEqual([]);
    expect(summary.totals.requests).toBe(400);
    await llm.close();
  });
});
