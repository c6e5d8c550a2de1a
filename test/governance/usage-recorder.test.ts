import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthenticationError } from '../../src/errors/authentication-error';
import { StorageError } from '../../src/errors/storage-error';
import { computeCost } from '../../src/governance/cost';
import { createPriceTable } from '../../src/governance/price-table';
import { estimateChatTokens, estimateUsage } from '../../src/governance/token-estimate';
import {
  buildUsageRecord,
  createUsageWriter,
  type UsageRecord,
  type UsageSink,
} from '../../src/governance/usage-recorder';

/** An idempotent in-memory ledger like the storage adapters: a repeated id is ignored. */
function createLedger() {
  const rows = new Map<string, UsageRecord>();
  let calls = 0;
  let failuresLeft = 0;
  let failing = false;
  const sink: UsageSink = {
    async appendUsage(records) {
      calls += 1;
      if (failing || failuresLeft > 0) {
        if (failuresLeft > 0) failuresLeft -= 1;
        // Half-written batch: the outage hits after some rows landed.
        for (const record of records.slice(0, Math.floor(records.length / 2))) if (!rows.has(record.id)) rows.set(record.id, record);
        throw new Error('connection refused');
      }
      for (const record of records) if (!rows.has(record.id)) rows.set(record.id, record);
    },
  };
  return {
    sink,
    rows,
    calls: () => calls,
    failNext(count: number) {
      failuresLeft = count;
    },
    setFailing(value: boolean) {
      failing = value;
    },
  };
}

const table = createPriceTable();
function record(index: number): UsageRecord {
  const usage = { inputTokens: 100 + index, outputTokens: 20, totalTokens: 120 + index };
  return buildUsageRecord({
    requestId: `request-${index}`,
    attemptNumber: 1,
    time: 1_700_000_000_000 + index,
    userId: 'u1',
    provider: 'openai',
    model: 'gpt-4o-mini',
    keySource: 'managed',
    usage,
    cost: computeCost({ usage, price: table.lookup('openai', 'gpt-4o-mini'), keySource: 'managed' }),
    latencyMs: 12,
    status: 'success',
  });
}

describe('buildUsageRecord', () => {
  it('fills every ledger field, with an idempotent id per attempt', () => {
    const usage = { inputTokens: 1000, outputTokens: 500, totalTokens: 1500, cachedInputTokens: 200, reasoningTokens: 100 };
    const cost = computeCost({ usage, price: table.lookup('openai', 'o4-mini'), keySource: 'byok' });
    const built = buildUsageRecord({
      requestId: 'r1',
      attemptNumber: 2,
      time: 1000,
      userId: 'u1',
      feature: 'ai-chat',
      provider: 'openai',
      model: 'o4-mini',
      keySource: 'byok',
      usage,
      cost,
      latencyMs: 812.4,
      timeToFirstTokenMs: 120.6,
      status: 'error',
      error: new AuthenticationError('bad key'),
    });
    expect(built).toEqual({
      id: 'r1:2',
      time: 1000,
      userId: 'u1',
      feature: 'ai-chat',
      provider: 'openai',
      model: 'o4-mini',
      keySource: 'byok',
      inputTokens: 1000,
      outputTokens: 500,
      cachedInputTokens: 200,
      reasoningTokens: 100,
      costMicroUsd: cost.microUsd,
      priceTableVersion: table.version,
      latencyMs: 812,
      timeToFirstTokenMs: 121,
      status: 'error',
      errorClass: 'AuthenticationError',
      cached: false,
      attemptNumber: 2,
      requestId: 'r1',
      estimated: false,
    });
  });

  it('flags estimated usage, and usage that is missing entirely', () => {
    const request = { messages: [{ role: 'user' as const, content: 'x'.repeat(400) }] };
    const usage = estimateUsage(request, { text: 'y'.repeat(80) });
    expect(usage).toMatchObject({ inputTokens: estimateChatTokens(request), outputTokens: 20, estimated: true });
    const base = {
      requestId: 'r2', attemptNumber: 1, time: 1, provider: 'ollama', model: 'llama3.2', keySource: 'local' as const,
      cost: computeCost({ usage, price: undefined, keySource: 'local' }), latencyMs: 5, status: 'aborted' as const,
    };
    expect(buildUsageRecord({ ...base, usage }).estimated).toBe(true);
    expect(buildUsageRecord({ ...base, usage: undefined })).toMatchObject({ estimated: true, inputTokens: 0, outputTokens: 0 });
  });
});

describe('usage writer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('enqueue is synchronous and never calls the sink on the caller path', () => {
    const ledger = createLedger();
    const writer = createUsageWriter({ sink: ledger.sink, batchSize: 2 });
    const returned = writer.enqueue(record(1)) as unknown;
    writer.enqueue(record(2));
    expect(returned).toBeUndefined();
    expect(ledger.calls()).toBe(0);
  });

  it('writes full batches at once and partial batches after the interval', async () => {
    const ledger = createLedger();
    const writer = createUsageWriter({ sink: ledger.sink, batchSize: 10, flushIntervalMs: 500 });
    for (let index = 0; index < 25; index += 1) writer.enqueue(record(index));
    await vi.advanceTimersByTimeAsync(0);
    expect(ledger.rows.size).toBe(20);
    expect(ledger.calls()).toBe(2);
    await vi.advanceTimersByTimeAsync(499);
    expect(ledger.rows.size).toBe(20);
    await vi.advanceTimersByTimeAsync(1);
    expect(ledger.rows.size).toBe(25);
    expect(writer.stats()).toMatchObject({ enqueued: 25, written: 25, pending: 0 });
  });

  it('flush writes everything queued, close flushes and refuses later records', async () => {
    const ledger = createLedger();
    const writer = createUsageWriter({ sink: ledger.sink, batchSize: 100, flushIntervalMs: 60_000 });
    for (let index = 0; index < 7; index += 1) writer.enqueue(record(index));
    await writer.flush();
    expect(ledger.rows.size).toBe(7);
    writer.enqueue(record(7));
    await writer.close();
    expect(ledger.rows.size).toBe(8);
    expect(() => writer.enqueue(record(9))).toThrow(/closed/);
  });

  it('writes a full batch once the event loop turns, not in the microtasks of the call that filled it', async () => {
    const ledger = createLedger();
    const writer = createUsageWriter({ sink: ledger.sink, batchSize: 10, maxBufferedRecords: 1000 });
    for (let index = 0; index < 10; index += 1) writer.enqueue(record(index));
    // The caller's own continuations (a chat() resolving) run first: the batch write is not one of them.
    for (let hop = 0; hop < 20; hop += 1) await Promise.resolve();
    expect(ledger.calls()).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(ledger.calls()).toBe(1);
    expect(writer.stats()).toMatchObject({ written: 10, pending: 0 });
  });

  it('writes at once when records keep coming and the event loop does not turn', async () => {
    const ledger = createLedger();
    const overflowed: UsageRecord[] = [];
    const writer = createUsageWriter({ sink: ledger.sink, batchSize: 10, maxBufferedRecords: 50, onOverflow: (records) => overflowed.push(...records) });
    // 400 records, each after a microtask only: four batches' worth waiting is the point to stop waiting.
    for (let index = 0; index < 400; index += 1) {
      writer.enqueue(record(index));
      await Promise.resolve();
    }
    expect(ledger.calls()).toBeGreaterThan(0);
    await writer.flush();
    expect(overflowed).toEqual([]);
    expect(ledger.rows.size).toBe(400);
    expect(writer.stats()).toMatchObject({ enqueued: 400, written: 400, dropped: 0, spilled: 0 });
  });

  it('retries a storage outage with backoff and loses or duplicates nothing', async () => {
    const ledger = createLedger();
    const errors: StorageError[] = [];
    const writer = createUsageWriter({
      sink: ledger.sink,
      batchSize: 10,
      flushIntervalMs: 100,
      retryInitialDelayMs: 100,
      retryMaxDelayMs: 1000,
      random: () => 0.999,
      onError: (error) => errors.push(error),
    });
    ledger.failNext(4);
    const appended: UsageRecord[] = [];
    for (let index = 0; index < 95; index += 1) {
      const next = record(index);
      appended.push(next);
      writer.enqueue(next);
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(ledger.calls()).toBe(1);
    // Backoff doubles: ~100, ~200, ~400 ms between tries; nothing is retried before its delay.
    await vi.advanceTimersByTimeAsync(50);
    expect(ledger.calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(writer.stats()).toMatchObject({ enqueued: 95, written: 95, pending: 0, dropped: 0, spilled: 0, failedWrites: 4 });
    expect(ledger.rows.size).toBe(95);
    expect([...ledger.rows.keys()].sort()).toEqual(appended.map((entry) => entry.id).sort());
    expect(errors).toHaveLength(4);
    expect(errors[0]).toBeInstanceOf(StorageError);
  });

  it('flush rejects with StorageError during an outage and keeps the records for the retry', async () => {
    const ledger = createLedger();
    const writer = createUsageWriter({ sink: ledger.sink, batchSize: 10, onError: () => undefined });
    ledger.setFailing(true);
    for (let index = 0; index < 4; index += 1) writer.enqueue(record(index));
    await expect(writer.flush()).rejects.toBeInstanceOf(StorageError);
    expect(writer.stats().pending).toBe(4);
    ledger.setFailing(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ledger.rows.size).toBe(4);
    expect(writer.stats()).toMatchObject({ written: 4, pending: 0 });
  });

  it('spills the oldest records to onOverflow when the buffer bound is hit, and counts them', async () => {
    const ledger = createLedger();
    const spilled: UsageRecord[] = [];
    const writer = createUsageWriter({
      sink: ledger.sink,
      batchSize: 10,
      maxBufferedRecords: 50,
      onOverflow: (records) => spilled.push(...records),
      onError: () => undefined,
    });
    ledger.setFailing(true);
    for (let index = 0; index < 80; index += 1) writer.enqueue(record(index));
    await vi.advanceTimersByTimeAsync(0);
    const stats = writer.stats();
    expect(stats.pending).toBeLessThanOrEqual(50);
    expect(stats.enqueued).toBe(stats.written + stats.pending + stats.spilled + stats.dropped);
    expect(spilled.map((entry) => entry.id)).toEqual(Array.from({ length: stats.spilled }, (_, index) => `request-${index}:1`));
    ledger.setFailing(false);
    await vi.advanceTimersByTimeAsync(120_000);
    // Every record is either in the ledger or was handed to the hook; none twice in the ledger.
    const accounted = new Set([...ledger.rows.keys(), ...spilled.map((entry) => entry.id)]);
    expect(accounted.size).toBe(80);
    expect(writer.stats().pending).toBe(0);
  });

  it('without onOverflow drops the oldest records, counts and reports them', async () => {
    const ledger = createLedger();
    const errors: string[] = [];
    const writer = createUsageWriter({ sink: ledger.sink, batchSize: 5, maxBufferedRecords: 10, onError: (error) => errors.push(error.message) });
    ledger.setFailing(true);
    for (let index = 0; index < 25; index += 1) writer.enqueue(record(index));
    const stats = writer.stats();
    expect(stats.dropped).toBe(15);
    expect(stats.pending).toBe(10);
    expect(errors.some((message) => message.includes('dropped'))).toBe(true);
  });

  it('close gives up after its timeout: rejects naming the count, or spills to onOverflow', async () => {
    const ledger = createLedger();
    ledger.setFailing(true);
    const writer = createUsageWriter({ sink: ledger.sink, batchSize: 10, onError: () => undefined });
    for (let index = 0; index < 3; index += 1) writer.enqueue(record(index));
    const closing = writer.close({ timeoutMs: 2000 });
    const assertion = expect(closing).rejects.toThrow(/3 usage records not written/);
    await vi.advanceTimersByTimeAsync(5000);
    await assertion;

    const spilled: UsageRecord[] = [];
    const spilling = createUsageWriter({ sink: ledger.sink, onOverflow: (records) => spilled.push(...records), onError: () => undefined });
    spilling.enqueue(record(10));
    const closed = spilling.close({ timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(5000);
    await closed;
    expect(spilled.map((entry) => entry.id)).toEqual(['request-10:1']);
    expect(spilling.stats()).toMatchObject({ spilled: 1, pending: 0 });
  });
});
