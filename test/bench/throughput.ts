import { benchRequest, captureWireRequest, createBenchManager, createPooledTransportClient, createRawUndiciClient } from './clients';
import { interleaved, requestsPerSecond, measured, median, perRoundRatios, recordGcPauses, sleep, type BenchContext, type BenchResult, type RoundWindow } from './harness';

/** Throughput at concurrency 64: the manager vs raw undici.request, interleaved; also which transport wins. */
export async function runThroughput(context: BenchContext): Promise<BenchResult[]> {
  const wire = await captureWireRequest(context.upstreamUrl, benchRequest, false);
  const raw = createRawUndiciClient(wire);
  const transport = createPooledTransportClient(wire);
  const viaFetch = createBenchManager(context.upstreamUrl, 'fetch');
  const viaPool = createBenchManager(context.upstreamUrl, 'pooled');
  const concurrency = 64;
  const durationMs = context.quick ? 500 : 1500;
  const rounds = context.quick ? 3 : 5;
  // Each round's window and request count, to put the collector's pauses against the variant that caused them.
  const windows = { raw: [] as RoundWindow[], transport: [] as RoundWindow[], fetch: [] as RoundWindow[], pooled: [] as RoundWindow[] };
  const variants = {
    raw: () => requestsPerSecond(concurrency, durationMs, () => raw.chat(), windows.raw),
    transport: () => requestsPerSecond(concurrency, durationMs, () => transport.chat(), windows.transport),
    fetch: () => requestsPerSecond(concurrency, durationMs, () => viaFetch.chat(benchRequest), windows.fetch),
    pooled: () => requestsPerSecond(concurrency, durationMs, () => viaPool.chat(benchRequest), windows.pooled),
  };
  for (const variant of Object.values(variants)) await variant(); // warm-up
  for (const name of Object.keys(windows) as Array<keyof typeof windows>) windows[name].length = 0;
  const gc = recordGcPauses();
  const perRound = await interleaved(rounds, variants);
  await sleep(50); // the last pauses' entries arrive after the round
  gc.stop();
  const gcPerRequest = (name: keyof typeof windows) => gc.microsecondsPerRequest(windows[name]);
  await Promise.all([raw.close(), transport.close(), viaFetch.close(), viaPool.close()]);
  const rawRate = median(perRound.raw);
  const pooledRate = median(perRound.pooled);
  const fetchRate = median(perRound.fetch);
  const transportRate = median(perRound.transport);
  const note = `closed loop, ${concurrency} workers, ${rounds} interleaved rounds of ${durationMs} ms`;
  return [
    measured({ name: 'raw undici.request throughput at concurrency 64', value: rawRate, unit: 'req/s', note }),
    measured({
      name: 'throughput at concurrency 64 (pooled undici)', value: pooledRate, unit: 'req/s', baseline: rawRate, target: '>= 0.90 of raw',
      meets: (value, baseline) => baseline !== null && value / baseline >= 0.9, note: `${note}; per-round ratios ${perRoundRatios(perRound.pooled, perRound.raw)}`,
    }),
    measured({
      name: 'throughput at concurrency 64 (pooled undici) against the pooled transport alone (reference)', value: pooledRate, unit: 'req/s',
      baseline: transportRate,
      note: `the pipeline's own cost: baseline = createPooledFetch sending the same bytes with response.json() (${(transportRate / rawRate).toFixed(3)} of raw undici.request); ${note}`,
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
