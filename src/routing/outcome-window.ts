/** Requests and failures seen in a sliding window. */
export interface OutcomeCounts {
  /** Outcomes in the window. */
  requests: number;
  /** Failed outcomes in the window. */
  failures: number;
}

/** A sliding window of call outcomes, kept as counts per time slice. */
export interface OutcomeWindow {
  /** Counts one outcome at `at` (epoch ms). */
  record(at: number, failed: boolean): void;
  /** The counts of the window that ends at `at`. */
  counts(at: number): OutcomeCounts;
  /** Forgets every outcome. */
  clear(): void;
}

const slices = 20;

/**
 * Counts per slice (a twentieth of the window) instead of an entry per outcome: a busy candidate sees
 * thousands of calls a minute, and an object per call that lives for the whole window is both memory and
 * garbage-collector work on every request. An outcome leaves the window between `windowMs - windowMs / 20`
 * and `windowMs` after it was recorded.
 */
export function createOutcomeWindow(windowMs: number): OutcomeWindow {
  const sliceMs = Math.max(1, windowMs / slices);
  const sliceOf = new Float64Array(slices).fill(Number.NEGATIVE_INFINITY);
  const requests = new Uint32Array(slices);
  const failures = new Uint32Array(slices);
  return {
    record(at, failed) {
      const slice = Math.floor(at / sliceMs);
      const position = ((slice % slices) + slices) % slices;
      if (sliceOf[position] !== slice) {
        sliceOf[position] = slice;
        requests[position] = 0;
        failures[position] = 0;
      }
      requests[position]! += 1;
      if (failed) failures[position]! += 1;
    },
    counts(at) {
      const current = Math.floor(at / sliceMs);
      let requestCount = 0;
      let failureCount = 0;
      for (let position = 0; position < slices; position++) {
        const slice = sliceOf[position]!;
        if (slice > current - slices && slice <= current) {
          requestCount += requests[position]!;
          failureCount += failures[position]!;
        }
      }
      return { requests: requestCount, failures: failureCount };
    },
    clear() {
      sliceOf.fill(Number.NEGATIVE_INFINITY);
    },
  };
}
