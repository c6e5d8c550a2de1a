// The usage ledger through createLLMManager stays exact under random aborts (before, during and after
// streaming) and a storage that fails at random: after close(), one record per upstream request the
// providers saw, no duplicates, the right status each, and the recorded cost equals the credit spent.
import { describe, expect, it } from 'vitest';
import { AbortedError, createLLMManager, LLMError, type ChatResult, type UsageRecord } from 'llm-switchyard';
import { createCreditLedger, creditAccount } from 'llm-switchyard/governance';
import { createMockProvider, type MockChatCallRecord, type MockResponse } from 'llm-switchyard/testing';
import { createMemoryState } from '../../src/state/memory';
import { createMemoryStorage } from '../../src/storage/memory';
import { createFlakyStorage, seededRandom } from '../support/flaky-storage';

type Outcome = 'success' | 'error';
interface ProviderCall {
  tag: string;
  provider: string;
  scripted: Outcome;
}
interface RequestPlan {
  tag: string;
  userId: string;
  kind: 'chat' | 'stream';
  interrupt: 'none' | 'abort-signal' | 'consumer-break';
  abortAfterMs: number;
  breakAfterParts: number;
}

const tagOf = (record: MockChatCallRecord) => {
  const message = record.call.messages.find((entry) => entry.role === 'user');
  return typeof message?.content === 'string' ? message.content.split(' ')[0]! : '';
};

async function runScenario(seed: number) {
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const providerCalls: ProviderCall[] = [];

  // The paid provider fails a third of the time, in every way that leads to a retry or a fallback.
  const script = (provider: string, failureRate: number) => (record: MockChatCallRecord): MockResponse => {
    const roll = random();
    const words = between(3, 12);
    const text = Array.from({ length: words }, (_, index) => `word${index}`).join(' ');
    const timing = { latencyMs: between(0, 4), partDelayMs: between(0, 2) };
    let response: MockResponse;
    let scripted: Outcome = 'error';
    if (roll < failureRate * 0.4) response = { error: 'server', retryAfterMs: 1, latencyMs: timing.latencyMs };
    else if (roll < failureRate * 0.7) response = { error: 'overloaded', retryAfterMs: 1, latencyMs: timing.latencyMs };
    else if (roll < failureRate) response = { text, ...timing, failAfterParts: between(1, words) };
    else {
      response = { text, ...timing };
      scripted = 'success';
    }
    providerCalls.push({ tag: tagOf(record), provider, scripted });
    return response;
  };
  const paid = createMockProvider({ id: 'paid', local: false, apiKey: 'sk-test-paid-0000', replies: script('paid', 0.35) });
  const local = createMockProvider({ id: 'local', replies: script('local', 0.1) });

  const state = createMemoryState();
  const inner = createMemoryStorage();
  const flaky = createFlakyStorage(inner, { random: seededRandom(seed + 1), failureRate: 0.3, failFirstWrite: true });
  const tagByRequestId = new Map<string, string>();
  const llm = createLLMManager({
    providers: [paid, local],
    state,
    storage: flaky.storage,
    credits: {},
    pricing: { overrides: { 'paid:*': { inputPerMillion: 3, outputPerMillion: 15 } } },
    routing: { fallback: ['paid:big', 'local:small'], maxRetries: 1 },
    usage: { batchSize: 7, flushIntervalMs: 5 },
    limits: { concurrency: { perUser: 4 } },
    hooks: { onRequest: (event) => tagByRequestId.set(event.requestId, String(event.metadata?.tag)) },
  });

  const users = ['ana', 'ben', 'cy'];
  const ledger = createCreditLedger({ state });
  const grant = 1_000_000_000;
  for (const user of users) await ledger.add({ account: creditAccount('user', user), kind: 'grant', amountMicroUsd: grant, entryId: `grant-${user}` });

  const plans: RequestPlan[] = Array.from({ length: 90 }, (_, index) => {
    const kind = random() < 0.6 ? 'stream' : 'chat';
    const roll = random();
    const interrupt = roll < 0.3 ? 'abort-signal' : kind === 'stream' && roll < 0.5 ? 'consumer-break' : 'none';
    return { tag: `req${index}`, userId: users[index % users.length]!, kind, interrupt, abortAfterMs: between(0, 12), breakAfterParts: between(0, 6) };
  });

  const finished = new Map<string, ChatResult>();
  const failures = new Map<string, unknown>();
  await Promise.all(plans.map(async (plan) => {
    const controller = new AbortController();
    if (plan.interrupt === 'abort-signal') setTimeout(() => controller.abort(), plan.abortAfterMs);
    const request = { messages: [{ role: 'user' as const, content: `${plan.tag} tell me something` }], userId: plan.userId, maxTokens: 64, signal: controller.signal, metadata: { tag: plan.tag } };
    try {
      if (plan.kind === 'chat') {
        finished.set(plan.tag, await llm.chat(request));
        return;
      }
      const stream = llm.stream(request);
      let parts = 0;
      for await (const part of stream) {
        if (part.type === 'error') throw part.error;
        parts += 1;
        if (plan.interrupt === 'consumer-break' && parts > plan.breakAfterParts) break;
      }
      finished.set(plan.tag, await stream.result);
    } catch (error) {
      failures.set(plan.tag, error);
    }
  }));
  await llm.close();
  return { plans, providerCalls, paid, local, inner, flaky, state, users, grant, tagByRequestId, finished, failures };
}

describe('every stream attempt is booked', () => {
  // Regression: a stream read to its end was never booked (the accounting generator stayed suspended at
  // its finish part, so no usage record was written and the credit hold was never debited).
  it('a stream read to its end leaves one success record and debits its cost', async () => {
    const state = createMemoryState();
    const paid = createMockProvider({ id: 'paid', local: false, apiKey: 'sk-test-paid-0000', replies: [{ text: 'streamed answer', usage: { inputTokens: 10, outputTokens: 4 } }] });
    const llm = createLLMManager({ providers: [paid], state, credits: {}, pricing: { overrides: { 'paid:*': { inputPerMillion: 3, outputPerMillion: 15 } } } });
    await createCreditLedger({ state }).add({ account: creditAccount('user', 'reader'), kind: 'grant', amountMicroUsd: 1_000_000, entryId: 'g' });
    const result = await llm.stream({ model: 'paid:big', messages: [{ role: 'user', content: 'stream please' }], userId: 'reader', maxTokens: 20 }).collect();
    expect(result.cost.usd).toBe(0.00009);
    await llm.close();
    expect(await llm.storage.recentUsage({ userId: 'reader' })).toEqual([expect.objectContaining({ status: 'success', costMicroUsd: 90, inputTokens: 10, outputTokens: 4 })]);
    expect(await state.balance(creditAccount('user', 'reader'))).toMatchObject({ balance: 1_000_000 - 90, reserved: 0 });
  });

  it('the cost is settled and the record queued before the finish part reaches the reader', async () => {
    const state = createMemoryState();
    const paid = createMockProvider({ id: 'paid', local: false, apiKey: 'sk-test-paid-0000', replies: [{ text: 'streamed answer', usage: { inputTokens: 10, outputTokens: 4 } }] });
    const llm = createLLMManager({ providers: [paid], state, credits: {}, pricing: { overrides: { 'paid:*': { inputPerMillion: 3, outputPerMillion: 15 } } } });
    await createCreditLedger({ state }).add({ account: creditAccount('user', 'reader'), kind: 'grant', amountMicroUsd: 1_000_000, entryId: 'g' });
    const stream = llm.stream({ model: 'paid:big', messages: [{ role: 'user', content: 'stream please' }], userId: 'reader', maxTokens: 20 });
    let atFinish: unknown;
    for await (const part of stream) {
      // A reader may stop here for good: nothing after the finish part may be needed for the books.
      if (part.type === 'finish') {
        atFinish = await state.balance(creditAccount('user', 'reader'));
        break;
      }
    }
    expect(atFinish).toMatchObject({ balance: 1_000_000 - 90, reserved: 0 });
    await llm.close();
    expect(await llm.storage.recentUsage({ userId: 'reader' })).toEqual([expect.objectContaining({ status: 'success', costMicroUsd: 90 })]);
  });
});

// These fail too until the stream-booking bug above is fixed: every stream read to its end lacks its record.
describe('ledger exactness after random aborts and storage failures', () => {
  for (const seed of [7, 2024]) {
    it(`one record per provider attempt, unique ids, correct statuses, cost equals credit spent (seed ${seed})`, async () => {
      const run = await runScenario(seed);
      const records: UsageRecord[] = await run.inner.recentUsage({ limit: 10_000 });
      // The storage really failed, both before and after writing, and nothing was lost or doubled.
      expect(run.flaky.failedAfter).toBeGreaterThan(0);
      const attempts = run.paid.calls.length + run.local.calls.length;
      expect(run.providerCalls).toHaveLength(attempts);
      expect(records).toHaveLength(attempts);
      expect(new Set(records.map((record) => record.id)).size).toBe(records.length);

      // Record by record, per request, in attempt order: the provider that was called and what it did.
      let aborted = 0;
      for (const plan of run.plans) {
        const calls = run.providerCalls.filter((call) => call.tag === plan.tag);
        const own = records.filter((record) => run.tagByRequestId.get(record.requestId!) === plan.tag).sort((a, b) => a.attemptNumber - b.attemptNumber);
        expect(own.map((record) => record.provider), plan.tag).toEqual(calls.map((call) => call.provider));
        expect(own.map((record) => record.attemptNumber)).toEqual(own.map((_, index) => index + 1));
        const interrupted = plan.interrupt !== 'none';
        own.forEach((record, index) => {
          const last = index === own.length - 1;
          if (last && interrupted) expect([calls[index]!.scripted, 'aborted'], `${plan.tag} #${index + 1}`).toContain(record.status);
          else expect(record.status, `${plan.tag} #${index + 1}`).toBe(calls[index]!.scripted);
          if (record.status === 'aborted') aborted += 1;
          if (record.status === 'error') expect(record.errorClass).toEqual(expect.any(String));
          expect(record.cached).toBe(false);
        });
        const result = run.finished.get(plan.tag);
        if (result) {
          expect(own.at(-1)).toMatchObject({ status: 'success', provider: result.provider, requestId: result.requestId });
        } else if (plan.interrupt === 'abort-signal' && own.at(-1)?.status === 'aborted') {
          expect(run.failures.get(plan.tag)).toBeInstanceOf(AbortedError);
        } else if (!interrupted) {
          expect(LLMError.isInstance(run.failures.get(plan.tag))).toBe(true);
        }
      }
      expect(aborted).toBeGreaterThan(0);

      // Money: what the ledger says was charged is exactly what left the users' credit, and nothing is held.
      let spent = 0;
      for (const user of run.users) {
        const balance = await run.state.balance(creditAccount('user', user));
        expect(balance.reserved).toBe(0);
        spent += run.grant - balance.balance;
      }
      expect(records.reduce((sum, record) => sum + record.costMicroUsd, 0)).toBe(spent);
      expect(spent).toBeGreaterThan(0);
    });
  }
});

describe('the default storage, loaded in the background', () => {
  it('keeps every usage record of calls made before it finished loading', async () => {
    const llm = createLLMManager({ providers: [createMockProvider()], limits: { concurrency: { global: 500, perUser: 500 } } });
    // Straight after creation, before the event loop has turned: the storage module is still loading.
    const results = await Promise.all(Array.from({ length: 300 }, (_, index) => llm.chat({ model: 'mock:small', messages: [{ role: 'user', content: `call ${index}` }] })));
    const summary = await llm.usage.summary({ from: 0, to: Date.now() + 1, groupBy: [] });
    expect(summary.totals.requests).toBe(results.length);
    expect(llm.storage.kind).toBe('memory');
    await llm.close();
  });
});
