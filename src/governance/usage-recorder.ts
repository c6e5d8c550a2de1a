import { ConfigurationError } from '../errors/configuration-error';
import { StorageError } from '../errors/storage-error';
import type { KeySource } from '../spec/attempt';
import type { UsageRecord, UsageStatus } from '../spec/storage-records';
import type { Usage } from '../spec/usage';
import type { CostBreakdown } from './cost';

export type { UsageRecord, UsageStatus } from '../spec/storage-records';

/** Where usage records go: the storage adapter's idempotent append (`Storage` satisfies it). */
export interface UsageSink {
  /** Append records; ids already stored must be ignored, so a retried batch never duplicates. */
  appendUsage(records: UsageRecord[]): Promise<unknown>;
}

/** The id of the usage record of one attempt: stable, so every retry of its write is idempotent. */
export function usageRecordId(requestId: string, attemptNumber: number): string {
  return `${requestId}:${attemptNumber}`;
}

export interface UsageRecordInput {
  /** Id of the request; shared by its fallback attempts. */
  requestId: string;
  /** 1-based attempt number within the request. */
  attemptNumber: number;
  /** When the attempt started, epoch ms. */
  time: number;
  /** End user. */
  userId?: string;
  /** Feature tag. */
  feature?: string;
  /** Provider id. */
  provider: string;
  /** Provider model id. */
  model: string;
  /** Whose key paid. */
  keySource: KeySource;
  /** Token usage (reported or estimated); undefined when nothing is known (counted as zero). */
  usage: Usage | { inputTokens: number; estimated?: boolean } | undefined;
  /** Cost from `computeCost` (zero for cache hits and local models). */
  cost: CostBreakdown;
  /** Wall time of the attempt, ms. */
  latencyMs: number;
  /** Time to first token, for streams. */
  timeToFirstTokenMs?: number;
  /** Outcome. */
  status: UsageStatus;
  /** The error, when it failed; only its class name is stored. */
  error?: unknown;
  /** Served from the response cache. */
  cached?: boolean;
}

function errorClassOf(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error;
}

/** Builds the ledger row of one attempt. Its id is `usageRecordId(requestId, attemptNumber)`. */
export function buildUsageRecord(input: UsageRecordInput): UsageRecord {
  const usage = input.usage;
  const full = usage !== undefined && 'outputTokens' in usage ? usage : undefined;
  const record: UsageRecord = {
    id: usageRecordId(input.requestId, input.attemptNumber),
    time: input.time,
    provider: input.provider,
    model: input.model,
    keySource: input.keySource,
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: full?.outputTokens ?? 0,
    cachedInputTokens: full?.cachedInputTokens ?? 0,
    reasoningTokens: full?.reasoningTokens ?? 0,
    costMicroUsd: input.cost.microUsd,
    priceTableVersion: input.cost.priceTableVersion,
    latencyMs: Math.max(0, Math.round(input.latencyMs)),
    status: input.status,
    cached: input.cached ?? false,
    attemptNumber: input.attemptNumber,
    requestId: input.requestId,
    // No usage at all is an estimate of zero, and says so.
    estimated: usage === undefined || usage.estimated === true,
  };
  if (input.userId !== undefined) record.userId = input.userId;
  if (input.feature !== undefined) record.feature = input.feature;
  if (input.timeToFirstTokenMs !== undefined) record.timeToFirstTokenMs = Math.max(0, Math.round(input.timeToFirstTokenMs));
  const errorClass = errorClassOf(input.error);
  if (errorClass !== undefined) record.errorClass = errorClass;
  return record;
}

/** Counters of a usage writer. Always `enqueued = written + pending + spilled + dropped`. */
export interface UsageWriterStats {
  /** Records accepted by `enqueue`. */
  enqueued: number;
  /** Records the sink confirmed. */
  written: number;
  /** Records waiting or being written. */
  pending: number;
  /** Records handed to `onOverflow` because the buffer was full (or left when `close` gave up). */
  spilled: number;
  /** Records discarded because the buffer was full and no `onOverflow` hook was given. */
  dropped: number;
  /** Sink calls that failed (each is retried). */
  failedWrites: number;
}

export interface UsageWriterOptions {
  /** The storage append. */
  sink: UsageSink;
  /** Records per sink call; a full batch is written right away. Default 100. */
  batchSize?: number;
  /** A partial batch is written after this many ms. Default 1000. */
  flushIntervalMs?: number;
  /**
   * Most records held while the sink is failing. Default 50,000. When it is exceeded the OLDEST records
   * leave the buffer: they are handed to `onOverflow` when given (spilled), otherwise discarded (dropped)
   * and reported through `onError`. Both are counted in `stats()`. `enqueue` never blocks the caller.
   */
  maxBufferedRecords?: number;
  /** Receives records evicted from a full buffer (and the rest when `close` times out), to keep elsewhere. */
  onOverflow?: (records: UsageRecord[]) => void;
  /** Observes failed writes and drops. Default: `console.warn` for drops only. */
  onError?: (error: StorageError) => void;
  /** First retry delay after a failed write, ms. Default 200. */
  retryInitialDelayMs?: number;
  /** Longest retry delay, ms. Default 30,000. */
  retryMaxDelayMs?: number;
  /** Source of jitter in [0, 1). Default `Math.random`. */
  random?: () => number;
}

export interface UsageWriter {
  /** Queues a record. Synchronous and O(1): no awaits, no serialisation on the caller's path. */
  enqueue(record: UsageRecord): void;
  /** Writes everything queued so far now; rejects with `StorageError` if the sink fails (records are kept and retried). */
  flush(): Promise<void>;
  /**
   * Stops the timers and writes what is left, retrying with backoff for up to `timeoutMs` (default 10,000).
   * Records still unwritten then go to `onOverflow` when given; otherwise it rejects with a `StorageError`
   * saying how many records were not written.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  /** Counters. */
  stats(): UsageWriterStats;
}

type Timer = ReturnType<typeof setTimeout>;

// setImmediate where the runtime has it (Node, Bun); elsewhere a zero-delay timer.
const runSoon: (task: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (task) => (globalThis as unknown as { setImmediate: (task: () => void) => void }).setImmediate(task)
    : (task) => void setTimeout(task, 0);

function unrefTimer(timer: Timer): Timer {
  // Node timers keep the process alive; the writer must never do that on its own.
  (timer as unknown as { unref?: () => void }).unref?.();
  return timer;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new ConfigurationError(`usage writer ${name} must be a positive integer, got ${String(value)}`);
  return value;
}

/**
 * A batched, retrying writer of usage records. One sink call is in flight at a time; a failed batch goes
 * back to the head of the queue and is retried with exponential backoff and jitter, with the same record ids,
 * so an idempotent sink never stores a record twice.
 */
export function createUsageWriter(options: UsageWriterOptions): UsageWriter {
  const sink = options.sink;
  if (typeof sink?.appendUsage !== 'function') throw new ConfigurationError('usage writer needs a sink with appendUsage(records)');
  const batchSize = positiveInteger('batchSize', options.batchSize, 100);
  const flushIntervalMs = positiveInteger('flushIntervalMs', options.flushIntervalMs, 1000);
  const maxBuffered = Math.max(batchSize, positiveInteger('maxBufferedRecords', options.maxBufferedRecords, 50_000));
  const retryInitialDelayMs = positiveInteger('retryInitialDelayMs', options.retryInitialDelayMs, 200);
  const retryMaxDelayMs = Math.max(retryInitialDelayMs, positiveInteger('retryMaxDelayMs', options.retryMaxDelayMs, 30_000));
  const random = options.random ?? Math.random;
  const onError =
    options.onError ??
    ((error: StorageError) => {
      if (error.message.includes('dropped')) globalThis.console?.warn?.(`[llm-switchyard] ${error.message}`);
    });

  let pending: UsageRecord[] = [];
  let inFlight = 0;
  let running: Promise<void> | undefined;
  let flushTimer: Timer | undefined;
  let retryTimer: Timer | undefined;
  let consecutiveFailures = 0;
  let closed = false;
  let flushQueued = false;
  let urgentQueued = false;
  // Pending records at which a queued drain stops waiting for the event loop to turn (a host whose calls
  // resolve through microtasks only, cache hits in a tight loop say): write now rather than overflow.
  const urgentAt = Math.max(batchSize, Math.min(4 * batchSize, Math.floor(maxBuffered / 2)));
  const stats = { enqueued: 0, written: 0, spilled: 0, dropped: 0, failedWrites: 0 };

  function report(error: StorageError): void {
    try {
      onError(error);
    } catch {
      // An observer that throws must not break the writer.
    }
  }

  function evict(records: UsageRecord[], reason: string): void {
    if (records.length === 0) return;
    if (options.onOverflow !== undefined) {
      try {
        options.onOverflow(records);
        stats.spilled += records.length;
        return;
      } catch (error) {
        report(new StorageError(`usage writer: onOverflow threw; ${records.length} usage records dropped`, { cause: error }));
        stats.dropped += records.length;
        return;
      }
    }
    stats.dropped += records.length;
    report(new StorageError(`usage writer: ${reason}; ${records.length} oldest usage records dropped (set onOverflow to keep them)`));
  }

  function enforceBound(): void {
    const excess = pending.length + inFlight - maxBuffered;
    if (excess > 0) evict(pending.splice(0, Math.min(excess, pending.length)), `buffer full (${maxBuffered} records)`);
  }

  function backoffDelay(): number {
    const exponential = Math.min(retryMaxDelayMs, retryInitialDelayMs * 2 ** Math.max(0, consecutiveFailures - 1));
    return Math.max(1, Math.round(exponential * (0.5 + random() * 0.5)));
  }

  // One batch: on failure it goes back to the head so order and ids are kept for the retry.
  async function writeBatch(): Promise<void> {
    const batch = pending.splice(0, batchSize);
    inFlight = batch.length;
    try {
      await sink.appendUsage(batch);
      stats.written += batch.length;
      consecutiveFailures = 0;
    } catch (error) {
      stats.failedWrites += 1;
      consecutiveFailures += 1;
      pending = batch.concat(pending);
      const storageError =
        error instanceof StorageError
          ? error
          : new StorageError(`usage writer: writing ${batch.length} usage records failed; will retry`, { cause: error });
      report(storageError);
      throw storageError;
    } finally {
      inFlight = 0;
      enforceBound();
    }
  }

  function runExclusive(task: () => Promise<void>): Promise<void> {
    const previous = running ?? Promise.resolve();
    const next = previous.then(task);
    // `running` itself never rejects: callers that need the outcome hold `next`.
    const tracked: Promise<void> = next.then(
      () => undefined,
      () => undefined,
    );
    void tracked.then(() => {
      if (running === tracked) running = undefined;
    });
    running = tracked;
    return next;
  }

  function clearTimers(): void {
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    flushTimer = undefined;
    retryTimer = undefined;
  }

  function scheduleAfterWrite(): void {
    if (closed) return;
    if (consecutiveFailures > 0) {
      if (retryTimer === undefined) {
        retryTimer = unrefTimer(
          setTimeout(() => {
            retryTimer = undefined;
            backgroundDrain();
          }, backoffDelay()),
        );
      }
      return;
    }
    if (pending.length >= batchSize) queueDrain();
    else if (pending.length > 0) armFlushTimer();
  }

  // Full batches only when triggered by size (a partial one waits for its interval); everything otherwise.
  function backgroundDrain(fullBatchesOnly = false): void {
    if (!fullBatchesOnly && flushTimer !== undefined) clearTimeout(flushTimer);
    if (!fullBatchesOnly) flushTimer = undefined;
    void runExclusive(async () => {
      while (pending.length >= (fullBatchesOnly ? batchSize : 1)) await writeBatch();
    })
      .catch(() => undefined)
      .then(scheduleAfterWrite);
  }

  // A drain already running queues the next after it; a pending retry drains when its delay is up.
  function drainIfIdle(): void {
    if (retryTimer === undefined && running === undefined) backgroundDrain(true);
  }

  function queueDrain(): void {
    if (retryTimer !== undefined || running !== undefined) return;
    if (flushQueued) {
      if (!urgentQueued && pending.length >= urgentAt) {
        urgentQueued = true;
        queueMicrotask(() => {
          urgentQueued = false;
          drainIfIdle();
        });
      }
      return;
    }
    flushQueued = true;
    // A task, not a microtask: a microtask would run before the call that filled the batch returns to its
    // caller and add the whole batch write to that one call's latency (every `batchSize`-th call: the
    // p99 at concurrency 1). As a task it runs once the event loop turns, while calls wait on the network.
    runSoon(() => {
      flushQueued = false;
      drainIfIdle();
    });
  }

  function armFlushTimer(): void {
    if (flushTimer !== undefined || retryTimer !== undefined) return;
    flushTimer = unrefTimer(
      setTimeout(() => {
        flushTimer = undefined;
        backgroundDrain();
      }, flushIntervalMs),
    );
  }

  async function flushOnce(): Promise<void> {
    // Bounded: writes what was queued when flush was called, even if enqueues keep arriving.
    let budget = pending.length + inFlight;
    await runExclusive(async () => {
      while (pending.length > 0 && budget > 0) {
        budget -= Math.min(batchSize, pending.length);
        await writeBatch();
      }
    });
  }

  return {
    enqueue(record) {
      if (closed) throw new ConfigurationError('usage writer is closed; enqueue after close() loses the record');
      pending.push(record);
      stats.enqueued += 1;
      if (pending.length + inFlight > maxBuffered) enforceBound();
      if (pending.length >= batchSize) queueDrain();
      else armFlushTimer();
    },

    async flush() {
      try {
        await flushOnce();
      } finally {
        scheduleAfterWrite();
      }
    },

    async close(closeOptions = {}) {
      if (closed && pending.length === 0 && running === undefined) return;
      closed = true;
      clearTimers();
      const timeoutMs = closeOptions.timeoutMs ?? 10_000;
      const deadline = Date.now() + timeoutMs;
      let lastError: unknown;
      for (;;) {
        try {
          await flushOnce();
          if (pending.length === 0) return;
        } catch (error) {
          lastError = error;
        }
        const wait = backoffDelay();
        if (Date.now() + wait > deadline) break;
        await new Promise<void>((resolve) => unrefTimer(setTimeout(resolve, wait)));
      }
      const left = pending.splice(0, pending.length);
      if (left.length === 0) return;
      if (options.onOverflow !== undefined) {
        evict(left, 'closed while storage was failing');
        return;
      }
      pending = left;
      throw new StorageError(`usage writer closed with ${left.length} usage records not written: storage kept failing`, {
        cause: lastError,
      });
    },

    stats() {
      return { ...stats, pending: pending.length + inFlight };
    },
  };
}
