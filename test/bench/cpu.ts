import { createChatClients } from './clients';
import { interleaved, measured, median, sleep, type BenchContext, type BenchResult } from './harness';

/**
 * Fires `call` at a fixed rate for `durationMs` without waiting for answers (open loop), waits for all of
 * them, and returns the client process's CPU time (user + system, µs) per request.
 */
async function cpuPerRequest(ratePerSecond: number, durationMs: number, call: () => Promise<unknown>): Promise<number> {
  const pending: Promise<unknown>[] = [];
  const intervalMs = 1000 / ratePerSecond;
  const before = process.cpuUsage();
  const startedAt = performance.now();
  let sent = 0;
  while (performance.now() - startedAt < durationMs) {
    // Catch up on every request due by now, then sleep until the next is due: one timer per request, so
    // the load generator's own wake-ups stay a small part of the CPU it measures.
    const due = Math.floor((performance.now() - startedAt) / intervalMs) + 1;
    for (; sent < due; sent++) pending.push(call());
    await sleep(Math.max(1, Math.floor(sent * intervalMs - (performance.now() - startedAt))));
  }
  await Promise.all(pending);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / sent;
}

/** CPU per request at a fixed open-loop rate: the manager vs raw undici.request, same body, interleaved. */
export async function runCpu(context: BenchContext): Promise<BenchResult[]> {
  const clients = await createChatClients(context.upstreamUrl);
  const calls = clients.calls;
  // Well below saturation on one core, so queueing does not inflate the per-request figure.
  const rate = 250;
  const durationMs = context.quick ? 500 : 1500;
  const rounds = context.quick ? 3 : 5;
  const warmUpCalls = context.quick ? 500 : 3000;
  const variants = {
    raw: () => cpuPerRequest(rate, durationMs, calls.raw),
    rawFetch: () => cpuPerRequest(rate, durationMs, calls.rawFetch),
    fetch: () => cpuPerRequest(rate, durationMs, calls.fetch),
    pooled: () => cpuPerRequest(rate, durationMs, calls.pooled),
  };
  // A round at this rate makes only a few hundred calls, too few for the JIT to finish optimising what it
  // runs: each client first makes calls back to back, so the rounds measure the code a busy process runs.
  for (const call of Object.values(calls)) for (let index = 0; index < warmUpCalls; index++) await call();
  for (const variant of Object.values(variants)) await variant(); // warm-up of the open loop itself
  const perRound = await interleaved(rounds, variants);
  await clients.close();
  const rawCpu = median(perRound.raw);
  const note = `${rate} req/s open loop, ${rounds} interleaved rounds of ${durationMs} ms after ${warmUpCalls} back-to-back calls per client; process.cpuUsage of the client only (upstream is another process)`;
  return [
    measured({ name: 'raw undici.request CPU per request', value: rawCpu, unit: 'µs', note }),
    measured({
      name: 'raw globalThis.fetch CPU per request (reference)', value: median(perRound.rawFetch), unit: 'µs', baseline: rawCpu,
      note: 'same bytes through fetch + response.json(): fetch\'s own share of the gap',
    }),
    ...(['pooled', 'fetch'] as const).map((transport) => {
      const managerCpu = median(perRound[transport]);
      return measured({
        name: `added CPU per request (${transport === 'pooled' ? 'pooled undici' : 'globalThis.fetch'})`,
        value: managerCpu - rawCpu, unit: 'µs', baseline: rawCpu, target: '<= 20 µs', meets: (value) => value <= 20,
        note: `manager ${managerCpu.toFixed(1)} µs/request vs raw ${rawCpu.toFixed(1)} µs/request`,
      });
    }),
  ];
}
