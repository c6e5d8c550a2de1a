import { createChatClients } from './clients';
import { interleaved, measured, median, percentile, type BenchContext, type BenchResult } from './harness';

/** Latencies (µs) of `count` sequential calls. */
async function sequentialLatencies(count: number, call: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < count; index++) {
    const startedAt = performance.now();
    await call();
    latencies.push((performance.now() - startedAt) * 1000);
  }
  return latencies;
}

/**
 * Added latency per chat() at concurrency 1, p50 and p99: the manager (with globalThis.fetch and with the
 * pooled undici transport) minus raw undici.request sending the same bytes, measured in interleaved blocks.
 */
export async function runLatency(context: BenchContext): Promise<BenchResult[]> {
  const clients = await createChatClients(context.upstreamUrl);
  const calls = clients.calls;
  const block = context.quick ? 200 : 600;
  const rounds = context.quick ? 3 : 7;
  for (const call of Object.values(calls)) await sequentialLatencies(block, call); // warm-up: JIT, sockets
  const p50 = { raw: [] as number[], rawFetch: [] as number[], transport: [] as number[], fetch: [] as number[], pooled: [] as number[] };
  const p99 = { raw: [] as number[], rawFetch: [] as number[], transport: [] as number[], fetch: [] as number[], pooled: [] as number[] };
  await interleaved(rounds, {
    raw: async () => record('raw', await sequentialLatencies(block, calls.raw)),
    rawFetch: async () => record('rawFetch', await sequentialLatencies(block, calls.rawFetch)),
    transport: async () => record('transport', await sequentialLatencies(block, calls.transport)),
    fetch: async () => record('fetch', await sequentialLatencies(block, calls.fetch)),
    pooled: async () => record('pooled', await sequentialLatencies(block, calls.pooled)),
  });
  function record(name: keyof typeof p50, latencies: number[]): number {
    p50[name].push(percentile(latencies, 50));
    p99[name].push(percentile(latencies, 99));
    return 0;
  }
  await clients.close();
  const note = `${rounds} interleaved rounds of ${block} sequential calls; median of per-round percentiles; raw = undici.request, same body`;
  const rawP50 = median(p50.raw);
  const rawP99 = median(p99.raw);
  return [
    measured({ name: 'raw undici.request latency p50', value: rawP50, unit: 'µs', note }),
    measured({ name: 'raw undici.request latency p99', value: rawP99, unit: 'µs', note }),
    measured({
      name: 'raw globalThis.fetch latency p50 (reference)', value: median(p50.rawFetch), unit: 'µs', baseline: rawP50,
      note: 'same bytes through fetch + response.json(): how much of the gap is fetch itself rather than the manager',
    }),
    measured({
      name: 'added latency per chat() p50 over the pooled transport alone (reference)', value: median(p50.pooled) - median(p50.transport), unit: 'µs',
      baseline: median(p50.transport),
      note: `the pipeline's own cost: the manager minus its transport (createPooledFetch) sending the same bytes; the transport alone is ${(median(p50.transport) - rawP50).toFixed(1)} µs from raw undici.request at p50`,
    }),
    ...(['pooled', 'fetch'] as const).flatMap((transport) => {
      const label = transport === 'pooled' ? 'pooled undici' : 'globalThis.fetch';
      const manager50 = median(p50[transport]);
      const manager99 = median(p99[transport]);
      return [
        measured({
          name: `added latency per chat() p50 (${label})`, value: manager50 - rawP50, unit: 'µs', baseline: rawP50, target: '<= 15 µs',
          meets: (value) => value <= 15, note: `manager p50 ${manager50.toFixed(1)} µs vs raw ${rawP50.toFixed(1)} µs; ${note}`,
        }),
        measured({
          name: `added latency per chat() p99 (${label})`, value: manager99 - rawP99, unit: 'µs', baseline: rawP99, target: '<= 60 µs',
          meets: (value) => value <= 60, note: `manager p99 ${manager99.toFixed(1)} µs vs raw ${rawP99.toFixed(1)} µs`,
        }),
      ];
    }),
  ];
}
