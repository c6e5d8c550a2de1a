import { benchRequest, captureWireRequest, createBenchManager, rawFetchStream, type CapturedRequest } from './clients';
import { interleaved, measured, median, type BenchContext, type BenchResult } from './harness';
import type { LLMManager } from '../../src/manager/create-llm-manager';

/** Time (µs) to the first text chunk, and total time (µs), of one manager stream. */
async function managerStream(manager: LLMManager): Promise<{ firstMicroseconds: number; totalMicroseconds: number }> {
  const startedAt = performance.now();
  let first = Number.NaN;
  for await (const part of manager.stream(benchRequest)) {
    if (Number.isNaN(first) && part.type === 'text-delta' && part.text.length > 0) first = performance.now();
    if (part.type === 'error') throw part.error;
  }
  return { firstMicroseconds: (first - startedAt) * 1000, totalMicroseconds: (performance.now() - startedAt) * 1000 };
}

async function rawStream(wire: CapturedRequest): Promise<{ firstMicroseconds: number; totalMicroseconds: number }> {
  const startedAt = performance.now();
  let first = Number.NaN;
  await rawFetchStream(wire, () => {
    first = performance.now();
  });
  return { firstMicroseconds: (first - startedAt) * 1000, totalMicroseconds: (performance.now() - startedAt) * 1000 };
}

/**
 * Streaming: added time to the first text chunk (short recorded stream), and per-chunk cost and chunks/s on
 * a long stream (the recorded content repeated), against globalThis.fetch + eventsource-parser.
 */
export async function runStreaming(context: BenchContext): Promise<BenchResult[]> {
  const shortWire = await captureWireRequest(context.upstreamUrl, benchRequest, true);
  const longWire: CapturedRequest = { ...shortWire, url: shortWire.url.replace('/ok/', '/long/') };
  const longEvents = await rawFetchStream(longWire);
  const managers = {
    fetch: { short: createBenchManager(context.upstreamUrl, 'fetch'), long: createBenchManager(context.upstreamUrl, 'fetch', {}, 'long') },
    pooled: { short: createBenchManager(context.upstreamUrl, 'pooled'), long: createBenchManager(context.upstreamUrl, 'pooled', {}, 'long') },
  };
  const streamsPerRound = context.quick ? 20 : 100;
  const longPerRound = context.quick ? 2 : 6;
  const rounds = context.quick ? 3 : 5;
  // The long stream's rate moved by ±5 % between processes with 5 rounds (0.89-0.97 of raw for the same
  // code); with 21 it stayed within 0.89-0.94. A round of it takes ~0.15 s.
  const longRounds = context.quick ? 3 : 21;

  const firstChunk = (stream: () => Promise<{ firstMicroseconds: number }>) => async () => {
    const samples: number[] = [];
    for (let index = 0; index < streamsPerRound; index++) samples.push((await stream()).firstMicroseconds);
    return median(samples);
  };
  const longRun = (stream: () => Promise<{ totalMicroseconds: number }>) => async () => {
    const samples: number[] = [];
    for (let index = 0; index < longPerRound; index++) samples.push((await stream()).totalMicroseconds);
    return median(samples);
  };
  const ttftVariants = {
    raw: firstChunk(() => rawStream(shortWire)),
    fetch: firstChunk(() => managerStream(managers.fetch.short)),
    pooled: firstChunk(() => managerStream(managers.pooled.short)),
  };
  const longVariants = {
    raw: longRun(() => rawStream(longWire)),
    fetch: longRun(() => managerStream(managers.fetch.long)),
    pooled: longRun(() => managerStream(managers.pooled.long)),
  };
  for (const variant of [...Object.values(ttftVariants), ...Object.values(longVariants)]) await variant(); // warm-up
  const ttft = await interleaved(rounds, ttftVariants);
  const long = await interleaved(longRounds, longVariants);
  await Promise.all(Object.values(managers).flatMap((pair) => [pair.short.close(), pair.long.close()]));

  const rawFirst = median(ttft.raw);
  const rawLong = median(long.raw);
  const rawRate = longEvents / (rawLong / 1e6);
  const results: BenchResult[] = [
    measured({ name: 'raw fetch + eventsource-parser time to first chunk', value: rawFirst, unit: 'µs', note: `median over ${rounds} rounds of ${streamsPerRound} streams` }),
    measured({ name: 'raw fetch + eventsource-parser chunks/s (long stream)', value: rawRate, unit: 'chunks/s', note: `${longEvents} SSE events per stream` }),
  ];
  for (const transport of ['fetch', 'pooled'] as const) {
    const label = transport === 'pooled' ? 'pooled undici' : 'globalThis.fetch';
    const managerFirst = median(ttft[transport]);
    const managerLong = median(long[transport]);
    const managerRate = longEvents / (managerLong / 1e6);
    results.push(
      measured({
        name: `streaming added time to first chunk (${label})`, value: managerFirst - rawFirst, unit: 'µs', baseline: rawFirst, target: '<= 100 µs',
        meets: (value) => value <= 100, note: `manager ${managerFirst.toFixed(0)} µs vs raw ${rawFirst.toFixed(0)} µs`,
      }),
      measured({
        name: `streaming added cost per chunk (${label})`, value: (managerLong - rawLong) / longEvents, unit: 'µs',
        note: `(manager − raw) time of a ${longEvents}-event stream / events`,
      }),
      measured({
        name: `streaming chunks/s, long stream (${label})`, value: managerRate, unit: 'chunks/s', baseline: rawRate, target: '>= 0.95 of raw',
        meets: (value, baseline) => baseline !== null && value / baseline >= 0.95, note: `${longEvents} events per stream, median of ${longRounds} rounds × ${longPerRound}`,
      }),
    );
  }
  return results;
}
