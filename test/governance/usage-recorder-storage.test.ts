import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createAlertMonitor } from '../../src/governance/alerts';
import { computeCost } from '../../src/governance/cost';
import { createPriceTable } from '../../src/governance/price-table';
import { buildUsageRecord, createUsageWriter, type UsageSink } from '../../src/governance/usage-recorder';
import { createSqlStorage, fromBetterSqlite3 } from '../../src/storage/sql';

const table = createPriceTable();

describe('usage writer against real SQLite storage with injected failures', () => {
  it('after random outages (before and after the write landed) the ledger holds every record exactly once', async () => {
    const database = new Database(':memory:');
    const storage = createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database) });
    // Deterministic pseudo-random failures: sometimes the write never happens, sometimes it lands but the
    // acknowledgement is lost (the retry then re-sends rows that are already stored).
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    let failedBefore = 0;
    let failedAfter = 0;
    const flaky: UsageSink = {
      async appendUsage(records) {
        const roll = random();
        if (roll < 0.25) {
          failedBefore += 1;
          throw new Error('connection reset before write');
        }
        await storage.appendUsage(records);
        if (roll < 0.45) {
          failedAfter += 1;
          throw new Error('connection reset after write');
        }
      },
    };
    const writer = createUsageWriter({
      sink: flaky,
      batchSize: 25,
      flushIntervalMs: 5,
      retryInitialDelayMs: 1,
      retryMaxDelayMs: 4,
      onError: () => undefined,
    });
    const time = Date.UTC(2026, 10, 23);
    let expectedCost = 0;
    for (let index = 0; index < 1000; index += 1) {
      const usage = { inputTokens: 100 + (index % 50), outputTokens: 10 + (index % 7), totalTokens: 0 };
      const keySource = index % 3 === 0 ? 'byok' : 'managed';
      const cost = computeCost({ usage, price: table.lookup('openai', 'gpt-4.1-mini'), keySource, managedMarkupPercent: 10 });
      expectedCost += cost.microUsd;
      writer.enqueue(
        buildUsageRecord({
          requestId: `req-${index}`, attemptNumber: 1 + (index % 2), time: time + index, userId: `u${index % 4}`,
          provider: 'openai', model: 'gpt-4.1-mini', keySource, usage, cost, latencyMs: 5, status: index % 9 === 0 ? 'error' : 'success',
        }),
      );
      if (index % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await writer.close({ timeoutMs: 20_000 });
    const summary = await storage.summarizeUsage({ from: 0, to: time + 10_000, groupBy: [] });
    expect(summary.totals.requests).toBe(1000);
    expect(summary.totals.costMicroUsd).toBe(expectedCost);
    expect(writer.stats()).toMatchObject({ enqueued: 1000, written: 1000, pending: 0, spilled: 0, dropped: 0 });
    expect(failedBefore + failedAfter).toBeGreaterThan(0);
    database.close();
  });

  it('alerts fire once per period with the storage as the firing store', async () => {
    const database = new Database(':memory:');
    const storage = createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database) });
    let hooks = 0;
    const monitors = [0, 1].map(() => createAlertMonitor({ sink: storage, onAlert: () => void (hooks += 1) }));
    const check = { alertId: 'a1', userId: 'u1', period: 'day' as const, limit: 100, value: 90, thresholdsPercent: [50, 80, 100], now: Date.UTC(2026, 10, 23, 12) };
    await Promise.all(monitors.map((monitor) => monitor.check(check)));
    await monitors[0]!.check(check);
    expect(hooks).toBe(2);
    expect(await storage.listUsageAlertFirings('u1')).toHaveLength(2);
    database.close();
  });
});
