import { benchRequest, captureWireRequest, createBenchManager, createRawUndiciClient } from './clients';
import { interleaved, requestsPerSecond, measured, median, recordGcPauses, sleep, type BenchContext, type BenchResult } from './harness';

/** Throughput at concurrency 64: the manager vs raw undici.request, interleaved; also which transport wins. */
export async function runThroughput(context: BenchContext): Promise<BenchResult[]> {
  const wire = await captureWireRequest(context.upstreamUrl, benchRequest, false);
  const raw = createRawUndiciClient(wire);
  const viaFetch = createBenchManager(context.upstreamUrl, 'fetch');
  const viaPool = createBenchManager(context.upstreamUrl, 'pooled');
  const concurrency = 64;
  const durationMs = context.quick ? 500 : 1500;
  const rounds = context.quick ? 3 : 5;
  // Each round's window and request count, to put the collector's pauses against the variant that caused them.
  const windows = { raw: [] as Array<[number, number, number]>, fetch: [] as Array<[number, number, number]>, pooled: [] as Array<[number, number, number]> };
  const measuredRound = async (name: keyof typeof windows, call: () => Promise<unknown>) => {
    let requests = 0;
    const startedAt = performance.now();
    const rate = await requestsPerSecond(concurrency, durationMs, () => {
      requests++;
      return call();
    });
    windows[name].push([startedAt, performance.now(), requests]);
    return rate;
  };
  const variants = {
    raw: () => measuredRound('raw', () => raw.chat()),
    fetch: () => measuredRound('fetch', () => viaFetch.chat(benchRequest)),
    pooled: () => measuredRound('pooled', () => viaPool.chat(benchRequest)),
  };
  for (const variant of Object.values(variants)) await variant(); // warm-up
  for (const name of Object.keys(windows) as Array<keyof typeof windows>) windows[name].length = 0;
  const gc = recordGcPauses();
  const perRound = await interleaved(rounds, variants);
  await sleep(50); // the last pauses' entries arrive after the round
  gc.stop();
  const gcPerRequest = (name: keyof typeof windows) => {
    const requests = windows[name].reduce((sum, [, , count]) => sum + count, 0);
    return (windows[name].reduce((sum, [from, to]) => sum + gc.pausedMs(from, to), 0) * 1000) / requests;
  };
  await Promise.all([raw.close(), viaFetch.close(), viaPool.close()]);
  const rawRate = median(perRound.raw);
  const pooledRate = median(perRound.pooled);
  const fetchRate = median(perRound.fetch);
  const note = `closed loop, ${concurrency} workers, ${rounds} interleaved rounds of ${durationMs} ms`;
  return [
    measured({ name: 'raw undici.request throughput at concurrency 64', value: rawRate, unit: 'req/s', note }),
    measured({
      name: 'throughput at concurrency 64 (pooled undici)', value: pooledRate, unit: 'req/s', baseline: rawRate, target: '>= 0.90 of raw',
      meets: (value, baseline) => baseline !== null && value / baseline >= 0.9, note,
    }),
    measured({
      name: 'throughput at concurrency 64 (globalThis.fetch)', value: fetchRate, unit: 'req/s', baseline: rawRate, target: '>= 0.90 of raw',
      meets: (value, baseline) => baseline !== null && value / baseline >= 0.9, note,
    }),
    measured({
      name: 'GC pause per request at concurrency 64 (pooled undici)', value: gcPerRequest('pooled'), unit: 'µs', baseline: gcPerRequest('raw'),
      note: `garbage-collection pauses (performance entries of type gc) during the rounds, per request; baseline = raw undici.request; globalThis.fetch ${gcPerRequest('fetch').toFixed(2)} µs`,
    }),
    measured({
      name: 'transport: pooled undici vs globalThis.fetch (throughput)', value: pooledRate, unit: 'req/s', baseline: fetchRate,
      note: `${pooledRate >= fetchRate ? 'pooled undici wins' : 'globalThis.fetch wins'} at concurrency 64 (value = pooled, baseline = globalThis.fetch)`,
    }),
  ];
}
