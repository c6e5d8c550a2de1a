import type { LLMError } from '../errors/llm-error';
import { candidateIdentity, type RoutingCandidate } from './candidate';
import type { CircuitBreaker, CircuitState } from './circuit-breaker';
import { systemClock, type RoutingClock } from './clock';
import { RecentOutcomes } from './recent-outcomes';

type CandidateKey = Pick<RoutingCandidate, 'provider' | 'model' | 'keyId' | 'keySource'>;

/** Where the executor reports every upstream outcome. */
export interface HealthRecorder {
  /** An upstream call succeeded after `latencyMs`. */
  recordSuccess(candidate: CandidateKey, latencyMs: number): void;
  /** An upstream call failed after `latencyMs` with `error`. */
  recordFailure(candidate: CandidateKey, error: LLMError, latencyMs: number): void;
}

/** The last failure seen. */
export interface LastError {
  /** Error class name. */
  errorClass: string;
  /** Error message (already redacted by LLMError). */
  message: string;
  /** HTTP status, when there was one. */
  status?: number;
  /** When it happened (epoch ms). */
  at: number;
}

/** Health of one provider + model + key. */
export interface CandidateHealth {
  /** Provider id. */
  provider: string;
  /** Model id. */
  model: string;
  /** Key id, when the candidate has one. */
  keyId?: string;
  /** Calls within the window. */
  requests: number;
  /** Failed calls within the window. */
  failures: number;
  /** Share of successful calls within the window, 0–1 (1 when nothing was seen yet). */
  availability: number;
  /** Share of failed calls within the window, 0–1. */
  errorRate: number;
  /** Exponentially weighted moving average of successful-call latency, in ms. */
  latencyEwmaMs?: number;
  /** Median latency of recent successful calls, in ms. */
  latencyP50Ms?: number;
  /** 95th percentile latency of recent successful calls, in ms. */
  latencyP95Ms?: number;
  /** The last failure. */
  lastError?: LastError;
  /** Last success (epoch ms). */
  lastSuccessAt?: number;
  /** Circuit state, when a breaker is attached. */
  circuit?: CircuitState;
}

/** Health of one provider, aggregated over its models and keys. */
export interface ProviderHealth {
  /** Provider id. */
  provider: string;
  /** Share of successful calls within the window, 0–1 (1 when nothing was seen yet). */
  availability: number;
  /** Share of failed calls within the window, 0–1. */
  errorRate: number;
  /** Median latency of recent successful calls across its candidates, in ms. */
  latencyP50Ms?: number;
  /** 95th percentile latency, in ms. */
  latencyP95Ms?: number;
  /** The most recent failure across its candidates. */
  lastError?: LastError;
  /** The worst circuit state among its candidates (`open` > `half-open` > `closed`). */
  circuit?: CircuitState;
  /** Per model and key. */
  candidates: CandidateHealth[];
}

/** Periodic active probes. */
export interface HealthProbeOptions {
  /** Candidates to probe (read at each round). */
  targets: () => readonly RoutingCandidate[];
  /** One cheap call that proves the candidate works (e.g. listing models); throws an LLMError on failure. */
  probe: (candidate: RoutingCandidate, context: { signal: AbortSignal }) => Promise<void>;
  /** Time between rounds, in ms (default 60 000). */
  intervalMs?: number;
  /** Timeout of one probe, in ms (default 5 000). */
  timeoutMs?: number;
  /**
   * `timer`: an unref'd interval (Node, Bun, Deno); `on-demand`: a round runs from `refresh()` when the last
   * one is older than `intervalMs` (edge runtimes, where background timers die with the request); `auto`
   * (default): a timer where timers can be unref'd, on-demand otherwise.
   */
  mode?: 'auto' | 'timer' | 'on-demand';
}

/** Passive (and optionally active) health of the candidates. */
export interface HealthTracker extends HealthRecorder {
  /** Health of one candidate. */
  candidate(candidate: CandidateKey): CandidateHealth;
  /** What scoring needs, in constant time (no percentiles): availability, error rate and latency EWMA. */
  summary(candidate: CandidateKey): HealthSummary;
  /** Health per provider. */
  report(): ProviderHealth[];
  /** Starts probes; returns a function that stops them. */
  startProbes(options: HealthProbeOptions): () => void;
  /** Runs one probe round now (all targets, in parallel). */
  probeNow(): Promise<void>;
  /** Runs a probe round when probes are on-demand and the last round is older than the interval. */
  refresh(): Promise<void>;
  /** Stops probe timers. */
  stop(): void;
}

/** How health is measured. */
export interface HealthTrackerOptions {
  /** Window for availability and error rate, in ms (default 300 000). */
  windowMs?: number;
  /** Outcomes and latency samples kept per candidate (default 200). */
  sampleSize?: number;
  /** EWMA smoothing factor for latency, 0–1 (default 0.2; higher follows recent calls faster). */
  latencyAlpha?: number;
  /** Circuit breaker whose state the report includes. */
  breaker?: CircuitBreaker;
  /** Time source (default the system clock). */
  clock?: RoutingClock;
}

/** The cheap part of a candidate's health, read on every selection. */
export interface HealthSummary {
  /** Share of successful requests in the window (1 with no data). */
  availability: number;
  /** Share of failed requests in the window (0 with no data). */
  errorRate: number;
  /** Latency EWMA in ms, once measured. */
  latencyEwmaMs?: number;
}

interface Entry {
  candidate: CandidateKey;
  /** The last outcomes; it counts their failures as they come and go, so a summary never rescans them. */
  outcomes: RecentOutcomes;
  latencies: number[];
  latencyEwmaMs?: number;
  lastError?: LastError;
  lastSuccessAt?: number;
}

function percentile(sorted: number[], fraction: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index];
}

const circuitRank: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Creates a health tracker; one per manager. */
export function createHealthTracker(options: HealthTrackerOptions = {}): HealthTracker {
  const clock = options.clock ?? systemClock;
  const windowMs = options.windowMs ?? 300_000;
  const sampleSize = options.sampleSize ?? 200;
  const alpha = options.latencyAlpha ?? 0.2;
  const entries = new Map<string, Entry>();
  let probes: (HealthProbeOptions & { lastRoundAt?: number; onDemand: boolean }) | undefined;
  let interval: { clear(): void } | undefined;

  // Candidate objects are reused across calls: the entry is remembered per object rather than found by
  // a fresh identity string on every record and read.
  const entryByCandidate = new WeakMap<CandidateKey, Entry>();
  const entryOf = (candidate: CandidateKey): Entry => {
    let entry = entryByCandidate.get(candidate);
    if (entry) return entry;
    const id = candidateIdentity(candidate);
    entry = entries.get(id);
    if (!entry) {
      entry = { candidate: { provider: candidate.provider, model: candidate.model, keyId: candidate.keyId, keySource: candidate.keySource }, outcomes: new RecentOutcomes(sampleSize), latencies: [] };
      entries.set(id, entry);
    }
    entryByCandidate.set(candidate, entry);
    return entry;
  };
  const record = (entry: Entry, failed: boolean, at: number): void => {
    entry.outcomes.push(at, failed);
    entry.outcomes.dropUntil(at - windowMs);
  };
  const noData: HealthSummary = Object.freeze({ availability: 1, errorRate: 0 });
  const describe = (entry: Entry): CandidateHealth => {
    const { requests, failures } = entry.outcomes.countAfter(clock.now() - windowMs);
    const sorted = [...entry.latencies].sort((a, b) => a - b);
    const health: CandidateHealth = {
      provider: entry.candidate.provider,
      model: entry.candidate.model,
      requests,
      failures,
      availability: requests === 0 ? 1 : (requests - failures) / requests,
      errorRate: requests === 0 ? 0 : failures / requests,
    };
    if (entry.candidate.keyId !== undefined) health.keyId = entry.candidate.keyId;
    if (entry.latencyEwmaMs !== undefined) health.latencyEwmaMs = Math.round(entry.latencyEwmaMs);
    const p50 = percentile(sorted, 0.5);
    const p95 = percentile(sorted, 0.95);
    if (p50 !== undefined) health.latencyP50Ms = p50;
    if (p95 !== undefined) health.latencyP95Ms = p95;
    if (entry.lastError) health.lastError = entry.lastError;
    if (entry.lastSuccessAt !== undefined) health.lastSuccessAt = entry.lastSuccessAt;
    if (options.breaker) health.circuit = options.breaker.snapshot(entry.candidate).state;
    return health;
  };

  const runRound = async (): Promise<void> => {
    if (!probes) return;
    const current = probes;
    current.lastRoundAt = clock.now();
    const timeoutMs = current.timeoutMs ?? 5_000;
    await Promise.all(
      current.targets().map(async (candidate) => {
        const controller = new AbortController();
        const timer = clock.setTimer(() => controller.abort(), timeoutMs);
        const startedAt = clock.now();
        try {
          await current.probe(candidate, { signal: controller.signal });
          tracker.recordSuccess(candidate, clock.now() - startedAt);
          options.breaker?.recordSuccess(candidate);
        } catch (error) {
          const typed = (error as LLMError | undefined) ?? ({ name: 'Error', message: 'probe failed' } as LLMError);
          tracker.recordFailure(candidate, typed, clock.now() - startedAt);
          options.breaker?.recordFailure(candidate);
        } finally {
          timer.cancel();
        }
      }),
    );
  };

  const tracker: HealthTracker = {
    recordSuccess(candidate, latencyMs) {
      const entry = entryOf(candidate);
      const at = clock.now();
      record(entry, false, at);
      entry.lastSuccessAt = at;
      entry.latencies.push(latencyMs);
      if (entry.latencies.length > sampleSize) entry.latencies.shift();
      entry.latencyEwmaMs = entry.latencyEwmaMs === undefined ? latencyMs : alpha * latencyMs + (1 - alpha) * entry.latencyEwmaMs;
    },
    recordFailure(candidate, error, _latencyMs) {
      const entry = entryOf(candidate);
      const at = clock.now();
      record(entry, true, at);
      const lastError: LastError = { errorClass: error.name, message: error.message, at };
      if (error.status !== undefined) lastError.status = error.status;
      entry.lastError = lastError;
    },
    candidate: (candidate) => describe(entryOf(candidate)),
    summary(candidate) {
      let entry = entryByCandidate.get(candidate);
      if (!entry) {
        entry = entries.get(candidateIdentity(candidate));
        if (!entry) return noData;
        entryByCandidate.set(candidate, entry);
      }
      const outcomes = entry.outcomes;
      outcomes.dropUntil(clock.now() - windowMs);
      const count = outcomes.count;
      const summary: HealthSummary = count === 0 ? { availability: 1, errorRate: 0 } : { availability: (count - outcomes.failures) / count, errorRate: outcomes.failures / count };
      if (entry.latencyEwmaMs !== undefined) summary.latencyEwmaMs = entry.latencyEwmaMs;
      return summary;
    },
    report() {
      const byProvider = new Map<string, CandidateHealth[]>();
      for (const entry of entries.values()) {
        const list = byProvider.get(entry.candidate.provider) ?? [];
        list.push(describe(entry));
        byProvider.set(entry.candidate.provider, list);
      }
      return [...byProvider.entries()].map(([provider, candidates]) => {
        const requests = candidates.reduce((sum, item) => sum + item.requests, 0);
        const failures = candidates.reduce((sum, item) => sum + item.failures, 0);
        const latencies = [...entries.values()].filter((entry) => entry.candidate.provider === provider).flatMap((entry) => entry.latencies).sort((a, b) => a - b);
        const health: ProviderHealth = {
          provider,
          availability: requests === 0 ? 1 : (requests - failures) / requests,
          errorRate: requests === 0 ? 0 : failures / requests,
          candidates,
        };
        const p50 = percentile(latencies, 0.5);
        const p95 = percentile(latencies, 0.95);
        if (p50 !== undefined) health.latencyP50Ms = p50;
        if (p95 !== undefined) health.latencyP95Ms = p95;
        const lastError = candidates.map((item) => item.lastError).filter((item): item is LastError => item !== undefined).sort((a, b) => b.at - a.at)[0];
        if (lastError) health.lastError = lastError;
        const circuits = candidates.map((item) => item.circuit).filter((item): item is CircuitState => item !== undefined);
        if (circuits.length > 0) health.circuit = circuits.reduce((worst, item) => (circuitRank[item] > circuitRank[worst] ? item : worst));
        return health;
      });
    },
    startProbes(probeOptions) {
      tracker.stop();
      const intervalMs = probeOptions.intervalMs ?? 60_000;
      const mode = probeOptions.mode ?? 'auto';
      probes = { ...probeOptions, onDemand: mode === 'on-demand' };
      if (mode !== 'on-demand') {
        const handle = setInterval(() => void runRound(), intervalMs) as unknown as { unref?: () => void };
        if (typeof handle.unref === 'function') {
          handle.unref();
          interval = { clear: () => clearInterval(handle as unknown as Parameters<typeof clearInterval>[0]) };
        } else if (mode === 'timer') {
          interval = { clear: () => clearInterval(handle as unknown as Parameters<typeof clearInterval>[0]) };
        } else {
          // No unref (edge runtimes): a background timer would outlive the request or keep it open.
          clearInterval(handle as unknown as Parameters<typeof clearInterval>[0]);
          probes.onDemand = true;
        }
      }
      return () => tracker.stop();
    },
    probeNow: () => runRound(),
    async refresh() {
      if (!probes?.onDemand) return;
      const intervalMs = probes.intervalMs ?? 60_000;
      if (probes.lastRoundAt === undefined || clock.now() - probes.lastRoundAt >= intervalMs) await runRound();
    },
    stop() {
      interval?.clear();
      interval = undefined;
    },
  };
  return tracker;
}
