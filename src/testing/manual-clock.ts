/** A clock that moves only when told to: inject its `sleep` (and `now`) so tests never wait on time. */
export interface ManualClock {
  /** Current time in milliseconds (starts at the given origin, 0 by default). */
  now(): number;
  /** Resolves once the clock has been advanced by `milliseconds`; rejects with the signal's reason on abort. */
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void>;
  /**
   * Moves the clock forward, resolving every sleep that falls due, in deadline order (including sleeps
   * registered by code that an earlier sleep woke).
   */
  advance(milliseconds: number): Promise<void>;
  /** Number of sleeps still waiting. */
  pendingSleeps(): number;
}

interface Sleeper {
  deadline: number;
  resolve(): void;
}

// Enough microtask turns for code woken by a sleep (or just called) to reach its next await. Only
// microtasks: this must also work under fake timers.
async function settle(): Promise<void> {
  for (let turn = 0; turn < 100; turn++) await Promise.resolve();
}

/** Creates a manual clock. */
export function createManualClock(origin = 0): ManualClock {
  let current = origin;
  const sleepers = new Set<Sleeper>();
  return {
    now: () => current,
    sleep(milliseconds, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const onAbort = () => {
          sleepers.delete(sleeper);
          reject(signal!.reason);
        };
        const sleeper: Sleeper = {
          deadline: current + Math.max(0, milliseconds),
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.add(sleeper);
      });
    },
    async advance(milliseconds) {
      const target = current + Math.max(0, milliseconds);
      // Wake sleepers one deadline at a time, letting woken code run (and register its next sleep, which
      // may also fall due inside this advance) before moving on.
      while (true) {
        await settle();
        let next: Sleeper | undefined;
        for (const sleeper of sleepers) if (sleeper.deadline <= target && (!next || sleeper.deadline < next.deadline)) next = sleeper;
        if (!next) break;
        current = Math.max(current, next.deadline);
        sleepers.delete(next);
        next.resolve();
      }
      current = target;
      await settle();
    },
    pendingSleeps: () => sleepers.size,
  };
}

/** A real-time sleep that rejects with the signal's reason when it aborts. */
export function abortableSleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
