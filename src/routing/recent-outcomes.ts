/**
 * The last outcomes of a candidate (when each happened and whether it failed), oldest first, in a ring of
 * typed arrays. Recording one allocates nothing: an object per outcome, kept for the next few hundred
 * calls, outlived several young-generation collections and was promoted on every request.
 */
export class RecentOutcomes {
  readonly #times: Float64Array;
  readonly #failed: Uint8Array;
  #start = 0;
  #count = 0;
  #failures = 0;

  /** Keeps at most `capacity` outcomes (none when it is 0). */
  constructor(capacity: number) {
    const size = Math.max(0, Math.floor(capacity));
    this.#times = new Float64Array(size);
    this.#failed = new Uint8Array(size);
  }

  /** Outcomes kept. */
  get count(): number {
    return this.#count;
  }

  /** Failures among them. */
  get failures(): number {
    return this.#failures;
  }

  /** Adds an outcome; when full, the oldest leaves. */
  push(at: number, failed: boolean): void {
    const capacity = this.#times.length;
    if (capacity === 0) return;
    if (this.#count === capacity) this.#dropOldest();
    const index = (this.#start + this.#count) % capacity;
    this.#times[index] = at;
    this.#failed[index] = failed ? 1 : 0;
    this.#count++;
    if (failed) this.#failures++;
  }

  /** Forgets the outcomes at or before `cutoff`. */
  dropUntil(cutoff: number): void {
    while (this.#count > 0 && this.#times[this.#start]! <= cutoff) this.#dropOldest();
  }

  /** Outcomes and failures after `from`, without forgetting any. */
  countAfter(from: number): { requests: number; failures: number } {
    const capacity = this.#times.length;
    let requests = 0;
    let failures = 0;
    for (let offset = 0; offset < this.#count; offset++) {
      const index = (this.#start + offset) % capacity;
      if (this.#times[index]! <= from) continue;
      requests++;
      failures += this.#failed[index]!;
    }
    return { requests, failures };
  }

  #dropOldest(): void {
    if (this.#failed[this.#start] === 1) this.#failures--;
    this.#start = (this.#start + 1) % this.#times.length;
    this.#count--;
  }
}
