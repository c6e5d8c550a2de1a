import { core, node, providers } from './built-package';
import { benchApiKey, benchLimits, benchRequest, captureWireRequest, createRawUndiciClient } from './clients';
import { collectGarbage, interleaved, measured, median, sleep, type BenchContext, type BenchResult } from './harness';

const inFlight = 1000;

/** Heap bytes per request while `inFlight` requests wait on the upstream's /hold route. */
async function heapPerRequest(context: BenchContext, call: () => Promise<unknown>): Promise<number> {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const failures: unknown[] = [];
  // Every call is observed at once, so a failing one can never become an unhandled rejection.
  const calls = Array.from({ length: inFlight }, () => call().catch((error: unknown) => void failures.push(error)));
  const deadline = performance.now() + 30_000;
  while ((await context.upstream.stats()).held < inFlight) {
    if (performance.now() > deadline || failures.length > 0) {
      await context.upstream.release();
      await Promise.all(calls);
      throw new Error(`the upstream held ${(await context.upstream.stats()).held} of ${inFlight}; ${failures.length} calls failed (${String((failures[0] as Error)?.message)})`);
    }
    await sleep(20);
  }
  collectGarbage();
  const during = process.memoryUsage().heapUsed;
  await context.upstream.release();
  await Promise.all(calls);
  if (failures.length > 0) throw new Error(`${failures.length} held calls failed: ${String((failures[0] as Error)?.message)}`);
  return (during - before) / inFlight;
}

/** Heap per in-flight chat() at 1,000 in flight, against raw undici.request with the same body. */
export async function runHeap(context: BenchContext): Promise<BenchResult[]> {
  const wire = await captureWireRequest(context.upstreamUrl, benchRequest, false);
  const raw = createRawUndiciClient({ ...wire, url: wire.url.replace('/ok/', '/hold/') }, 1024);
  // 1,024 sockets so every request reaches the upstream instead of queueing inside the pool.
  const pool = node.createPooledFetch({ connections: 1024 });
  const manager = core.createLLMManager({
    providers: [providers.createOpenAI({ apiKey: benchApiKey, baseUrl: `${context.upstreamUrl}/hold/v1` })],
    fetch: pool.fetch,
    limits: benchLimits,
  });
  const variants = {
    manager: () => heapPerRequest(context, () => manager.chat(benchRequest)),
    raw: () => heapPerRequest(context, () => raw.chat()),
  };
  for (const variant of Object.values(variants)) await variant(); // warm-up: opens the keep-alive sockets
  const perRound = await interleaved(context.quick ? 2 : 3, variants);
  await Promise.all([manager.close(), pool.close(), raw.close()]);
  const managerBytes = median(perRound.manager);
  const rawBytes = median(perRound.raw);
  return [
    measured({
      name: 'heap per in-flight chat() at 1,000 in flight', value: managerBytes / 1024, unit: 'KB', baseline: rawBytes / 1024, target: '<= 10 KB',
      meets: (value) => value <= 10,
      note: 'heapUsed after a full GC with 1,000 calls held by the upstream, minus before, / 1,000; sockets already open (kept alive from a warm-up); pooled undici with 1,024 connections; baseline = raw undici.request',
    }),
  ];
}
