import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One row of bench-results.json. `value` is null when the metric could not be measured. */
export interface BenchResult {
  /** What was measured. */
  name: string;
  /** The measured figure; null when not measured (then `note` starts with "not measured:"). */
  value: number | null;
  /** Unit of `value` and `baseline`. */
  unit: string;
  /** The baseline measured in the same run, or null when the metric has none. */
  baseline: number | null;
  /** value / baseline, or null. */
  ratio: number | null;
  /** The target from issue 7, as text (`<= 15 µs`). */
  target: string | null;
  /** Whether `value` meets the target; null when there is no target or no value. */
  meetsTarget: boolean | null;
  /** How it was measured, caveats, or why it was not measured. */
  note: string;
}

/** What every metric group receives. */
export interface BenchContext {
  /** Base URL of the loopback upstream, e.g. `http://127.0.0.1:41234`. */
  upstreamUrl: string;
  /** Counters and controls of the upstream process. */
  upstream: UpstreamControl;
  /** Smaller rounds (CI smoke run of the harness itself). */
  quick: boolean;
}

/** The upstream's control endpoints. */
export interface UpstreamControl {
  /** Requests received per route prefix (`ok`, `long`, `fail`, `hold`) since the last reset, and held responses. */
  stats(): Promise<{ counts: Record<string, number>; held: number }>;
  /** Zeroes the counters. */
  reset(): Promise<void>;
  /** Answers every held request. */
  release(): Promise<void>;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The same comparison round by round: each round's `values[i] / baselines[i]` (both run in round i of
 * `interleaved`), as "median (lowest–highest)". When the machine's speed drifts between rounds, a ratio of
 * medians mixes rounds taken at different speeds; the per-round ratios show how far the comparison moved.
 */
export function perRoundRatios(values: number[], baselines: number[]): string {
  const ratios = values.map((value, index) => value / baselines[index]!);
  return `${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`;
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Microseconds since an arbitrary origin. */
export function nowMicroseconds(): number {
  return performance.now() * 1000;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A measured row; ratio and meetsTarget are derived here so no group computes them differently. */
export function measured(options: {
  name: string;
  value: number;
  unit: string;
  baseline?: number | null;
  target?: string | null;
  /** Whether the value meets the target; omit when there is no target. */
  meets?: (value: number, baseline: number | null) => boolean;
  note?: string;
}): BenchResult {
  const baseline = options.baseline ?? null;
  const ratio = baseline === null || baseline === 0 || !Number.isFinite(options.value) ? null : round(options.value / baseline, 3);
  return {
    name: options.name,
    value: Number.isFinite(options.value) ? round(options.value, 3) : null,
    unit: options.unit,
    baseline: baseline === null ? null : round(baseline, 3),
    ratio,
    target: options.target ?? null,
    meetsTarget: options.meets && Number.isFinite(options.value) ? options.meets(options.value, baseline) : null,
    note: options.note ?? '',
  };
}

/** A row for a metric whose component is missing or cannot run here. */
export function notMeasured(name: string, unit: string, target: string | null, reason: string): BenchResult {
  return { name, value: null, unit, baseline: null, ratio: null, target, meetsTarget: null, note: `not measured: ${reason}` };
}

/** p50 (µs) of `count` sequential awaits of `call`. */
export async function p50Of(count: number, call: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let index = 0; index < count; index++) {
    const startedAt = performance.now();
    await call();
    samples.push((performance.now() - startedAt) * 1000);
  }
  return percentile(samples, 50);
}

/** One closed-loop round: when it started and ended (`performance.now()`, ms) and how many requests completed. */
export type RoundWindow = [startedAt: number, endedAt: number, requests: number];

/**
 * Requests per second completed by `concurrency` closed-loop workers over `durationMs`; the round's window
 * goes to `windows` when given (for `recordGcPauses`).
 */
export async function requestsPerSecond(concurrency: number, durationMs: number, call: () => Promise<unknown>, windows?: RoundWindow[]): Promise<number> {
  let completed = 0;
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await call();
        completed++;
      }
    }),
  );
  const endedAt = performance.now();
  windows?.push([startedAt, endedAt, completed]);
  return completed / ((endedAt - startedAt) / 1000);
}

/**
 * Runs every variant `rounds` times, interleaved (A B C, B C A, C A B, …) so drift and noise from other
 * processes land on all of them alike, and returns each variant's per-round figures.
 */
export async function interleaved<Name extends string>(
  rounds: number,
  variants: Record<Name, () => Promise<number>>,
): Promise<Record<Name, number[]>> {
  const names = Object.keys(variants) as Name[];
  const results = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    for (let offset = 0; offset < names.length; offset++) {
      const name = names[(roundIndex + offset) % names.length]!;
      results[name].push(await variants[name]());
    }
  }
  return results;
}

/**
 * Garbage-collection pauses of this process, as `performance` reports them, so a group can say how much of
 * a variant's time went to the collector: `microsecondsPerRequest(windows)` sums the pauses that started in
 * those rounds and divides by their requests. Entries arrive a little after each pause, so read after the
 * work settled.
 */
export function recordGcPauses(): { microsecondsPerRequest(windows: readonly RoundWindow[]): number; stop(): void } {
  const pauses: Array<{ startTime: number; duration: number }> = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push({ startTime: entry.startTime, duration: entry.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    microsecondsPerRequest(windows) {
      let pausedMs = 0;
      let requests = 0;
      for (const [from, to, count] of windows) {
        requests += count;
        for (const pause of pauses) if (pause.startTime >= from && pause.startTime < to) pausedMs += pause.duration;
      }
      return (pausedMs * 1000) / requests;
    },
    stop: () => observer.disconnect(),
  };
}

let collect: (() => void) | undefined;

/** A full garbage collection (the flag is set at run time, so `npm run bench` needs no --expose-gc). */
export function collectGarbage(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  collect();
}

export const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** Fixed 2 KB of message text, deterministic. */
export function textOfBytes(bytes: number): string {
  const words = 'route requests across providers with fallback caching keys limits budgets credits usage ';
  let text = '';
  while (text.length < bytes) text += words;
  return text.slice(0, bytes);
}
