// Storage whose usage writes fail at random, like a database that drops connections: a failed write
// either never reached the database or did reach it and lost its reply. The usage writer must retry
// both without losing or duplicating a record.
import { StorageError } from '../../src/errors/storage-error';
import type { Storage } from '../../src/spec/storage';
import type { UsageRecord } from '../../src/spec/storage-records';

export interface FlakyStorage {
  /** The wrapped storage to hand to the manager. */
  storage: Storage;
  /** Writes that failed before reaching the inner storage. */
  readonly failedBefore: number;
  /** Writes that reached the inner storage, then reported a failure anyway. */
  readonly failedAfter: number;
}

/**
 * Wraps `inner` so that `appendUsage` fails with probability `failureRate` (seeded `random`), never more
 * than `maxConsecutiveFailures` times in a row so a finite retry budget always gets through. `failFirstWrite`
 * makes the first write always store its rows and then fail.
 */
export function createFlakyStorage(
  inner: Storage,
  options: { random: () => number; failureRate: number; maxConsecutiveFailures?: number; failFirstWrite?: boolean },
): FlakyStorage {
  const maxConsecutive = options.maxConsecutiveFailures ?? 2;
  let consecutive = 0;
  let failedBefore = 0;
  let failedAfter = 0;
  let writes = 0;
  const appendUsage = async (records: UsageRecord[]): Promise<number> => {
    writes += 1;
    if (writes === 1 && options.failFirstWrite) {
      // The worst case, guaranteed once: the rows were stored but the caller hears a failure and retries.
      consecutive += 1;
      await inner.appendUsage(records);
      failedAfter += 1;
      throw new StorageError('injected failure: connection lost after the write');
    }
    const fail = consecutive < maxConsecutive && options.random() < options.failureRate;
    if (!fail) {
      consecutive = 0;
      return inner.appendUsage(records);
    }
    consecutive += 1;
    if (options.random() < 0.5) {
      failedBefore += 1;
      throw new StorageError('injected failure: connection refused before the write');
    }
    await inner.appendUsage(records);
    failedAfter += 1;
    throw new StorageError('injected failure: connection lost after the write');
  };
  // A proxy keeps every other method of the inner storage (whatever its shape) untouched.
  const storage = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'appendUsage') return appendUsage;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    storage,
    get failedBefore() {
      return failedBefore;
    },
    get failedAfter() {
      return failedAfter;
    },
  };
}

/** A small seeded generator (mulberry32) so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
