import { createUsageWriter } from '../../src/governance/usage-recorder';
import type { LLMManager } from '../../src/manager/create-llm-manager';
import type { Storage } from '../../src/spec/storage';
import { createMemoryStorage } from '../../src/storage/memory/index';
import { benchRequest, createBenchManager } from './clients';
import { interleaved, requestsPerSecond, measured, median, notMeasured, perRoundRatios, type BenchContext, type BenchResult } from './harness';
import { usageRecords } from './usage-records';

/** A manager that writes the usage ledger to `storage`, or the reason there is none yet. */
async function ledgerManager(context: BenchContext, storage: Storage): Promise<LLMManager | string> {
  let manager: LLMManager;
  try {
    manager = createBenchManager(context.upstreamUrl, 'pooled', { storage });
  } catch (error) {
    return `the manager rejects the storage option (${(error as Error).message})`;
  }
  await manager.chat({ ...benchRequest, userId: 'ledger-probe' });
  // close() flushes the ledger; a fresh manager over the same storage is used for the measurement.
  await manager.close();
  const rows = await storage.queryUsage({ userId: 'ledger-probe', limit: 10 });
  if (rows.length === 0) return 'the manager does not record usage yet (a chat() with storage set left no ledger row after close())';
  return createBenchManager(context.upstreamUrl, 'pooled', { storage });
}

/** Usage enqueue cost (the writer's hot-path call) and chat() throughput with the ledger on vs off. */
export async function runUsage(context: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const rounds = context.quick ? 3 : 5;
  const perRound = context.quick ? 20_000 : 100_000;

  const enqueueRound = async (roundTag: string) => {
    const records = usageRecords(perRound, roundTag);
    const writer = createUsageWriter({ sink: createMemoryStorage(), batchSize: 1000, maxBufferedRecords: perRound * 2 });
    const startedAt = performance.now();
    for (const record of records) writer.enqueue(record);
    const elapsed = (performance.now() - startedAt) * 1000;
    await writer.close();
    if (writer.stats().written !== perRound) throw new Error(`writer wrote ${writer.stats().written} of ${perRound}`);
    return elapsed / perRound;
  };
  let roundNumber = 0;
  await enqueueRound('warm');
  const enqueue = await interleaved(rounds, { enqueue: () => enqueueRound(`round-${roundNumber++}`) });
  results.push(
    measured({
      name: 'usage enqueue cost', value: median(enqueue.enqueue), unit: 'µs', target: '<= 1 µs', meets: (value) => value <= 1,
      note: `createUsageWriter().enqueue of a prebuilt record, ${perRound} per round (memory storage sink, batch 1000); the batched writes are after the timed loop`,
    }),
  );

  const storage = createMemoryStorage();
  const withLedger = await ledgerManager(context, storage);
  if (typeof withLedger === 'string') {
    results.push(notMeasured('chat() throughput, ledger on vs off', 'req/s', '<= 3 % loss', withLedger));
    return results;
  }
  // Off: storage that discards usage rows. Without a storage option the manager keeps its default
  // in-memory ledger, which is the ledger on, not off. Records are still built and queued either way.
  const discarding: Storage = { ...createMemoryStorage(), appendUsage: async (records) => records.length };
  const withoutLedger = createBenchManager(context.upstreamUrl, 'pooled', { storage: discarding });
  const durationMs = context.quick ? 500 : 1500;
  const variants = {
    on: () => requestsPerSecond(64, durationMs, () => withLedger.chat(benchRequest)),
    off: () => requestsPerSecond(64, durationMs, () => withoutLedger.chat(benchRequest)),
  };
  for (const variant of Object.values(variants)) await variant();
  const perRoundRates = await interleaved(rounds, variants);
  await Promise.all([withLedger.close(), withoutLedger.close()]);
  const on = median(perRoundRates.on);
  const off = median(perRoundRates.off);
  results.push(
    measured({
      name: 'chat() throughput with the ledger on (memory storage)', value: on, unit: 'req/s', baseline: off, target: '<= 3 % loss',
      meets: (value, baseline) => baseline !== null && value / baseline >= 0.97,
      note: `concurrency 64, ${rounds} interleaved rounds; off = a storage that discards usage rows (the default storage would keep them in memory); loss ${(100 * (1 - on / off)).toFixed(1)} %; per-round ratios ${perRoundRatios(perRoundRates.on, perRoundRates.off)}`,
    }),
  );
  return results;
}
