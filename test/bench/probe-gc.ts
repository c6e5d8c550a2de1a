// Ad-hoc: `taskset -c 0 node --import tsx test/bench/probe-gc.ts [--ballast=200000]` runs raw undici.request and
// the pooled manager at concurrency 64 in turns and prints, per variant, req/s, client CPU per request and
// garbage-collection pause per request. `--ballast=N` first keeps N small objects alive (~60 bytes each), as a
// host's own heap would: past ~10 MB of it V8's allocation-site pretenuring starts, which is what made the
// manager's collections cost several times more while the transport read answers through undici.request's
// body stream (compare with `node --no-allocation-site-pretenuring …`). See docs/benchmarks.md.
import { benchRequest, captureWireRequest, createBenchManager, createRawUndiciClient } from './clients';
import { recordGcPauses, requestsPerSecond, sleep, type RoundWindow } from './harness';
import { startUpstream } from './upstream-process';

const ballastOption = process.argv.find((argument) => argument.startsWith('--ballast='));
const ballast = Array.from({ length: Number(ballastOption?.split('=')[1] ?? 0) }, (_, index) => ({ index, label: `ballast-${index}` }));

const upstream = await startUpstream(1);
const wire = await captureWireRequest(upstream.url, benchRequest, false);
const raw = createRawUndiciClient(wire);
const manager = createBenchManager(upstream.url, 'pooled');
const variants: Record<string, () => Promise<unknown>> = { raw: () => raw.chat(), pooled: () => manager.chat(benchRequest) };
for (const call of Object.values(variants)) await requestsPerSecond(64, 1500, call); // warm-up

const gc = recordGcPauses();
const totals: Record<string, { cpuMicroseconds: number; windows: RoundWindow[]; rates: number[] }> = {};
for (let round = 0; round < 4; round++) {
  for (const [name, call] of Object.entries(variants)) {
    const total = (totals[name] ??= { cpuMicroseconds: 0, windows: [], rates: [] });
    const cpuBefore = process.cpuUsage();
    const rate = await requestsPerSecond(64, 1500, call, total.windows);
    const cpu = process.cpuUsage(cpuBefore);
    total.cpuMicroseconds += cpu.user + cpu.system;
    total.rates.push(Math.round(rate));
  }
}
await sleep(50);
gc.stop();
for (const [name, total] of Object.entries(totals)) {
  const requests = total.windows.reduce((sum, [, , count]) => sum + count, 0);
  console.log(
    `${name.padEnd(6)} ${total.rates.join(' ')} req/s | CPU ${(total.cpuMicroseconds / requests).toFixed(1)} µs/request | ` +
      `GC pause ${gc.microsecondsPerRequest(total.windows).toFixed(2)} µs/request`,
  );
}
console.log(`ballast: ${ballast.length} objects; heap used ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
await raw.close();
await manager.close();
await upstream.stop();
