/** The part of an `AbortSignal` that waiting on it needs: whether and why it fired, and a listener. */
export interface AbortSignalLike {
  /** True once it fired. */
  readonly aborted: boolean;
  /** Why it fired (undefined before). */
  readonly reason: unknown;
  /** Calls `listener` once, when it fires. */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  /** Removes a listener added before. */
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** One call's abort signal: the caller's signal and a deadline, released with `dispose()`. */
export interface CallDeadline extends AbortSignalLike {
  /**
   * Aborts when the caller's signal aborts or the deadline passes (with `onTimeout()`'s error as reason).
   * Made on first read: what only waits on the call (admission, the cache) uses the deadline itself.
   */
  readonly signal: AbortSignal;
  /** Aborts the call with `reason` (a consumer that stopped reading, say). */
  abort(reason: unknown): void;
  /** Clears the timer and the listeners; call it when the call ends. */
  dispose(): void;
}

/**
 * A deadline plus the caller's signal with one timer and a plain listener. Cheaper per call than
 * `AbortSignal.timeout` + `AbortSignal.any`, whose weak references and finalizers cost on the hot path;
 * and the `AbortSignal` itself is made only when something needs one (the provider request): on Node 20
 * making one costs 2–5 µs, more than a cache hit takes.
 */
export function createCallDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined, onTimeout: () => unknown): CallDeadline {
  return new Deadline(timeoutMs, callerSignal, onTimeout);
}

/**
 * The deadline where an `AbortSignal` is typed, for this library's own code between the manager and the
 * provider request: that code only reads `aborted` and `reason` or listens, and calls `toAbortSignal`
 * before it hands the signal to anything else.
 */
export function deadlineAsSignal(deadline: CallDeadline): AbortSignal {
  return deadline as unknown as AbortSignal;
}

/** A real `AbortSignal` for `signal`: a deadline passed by `deadlineAsSignal` makes its own on first use. */
export function toAbortSignal(signal: AbortSignal): AbortSignal {
  return signal instanceof Deadline ? signal.signal : signal;
}

class Deadline implements CallDeadline {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #listeners: Array<() => void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #callerSignal: AbortSignal | undefined;
  #onCallerAbort: (() => void) | undefined;

  constructor(timeoutMs: number, callerSignal: AbortSignal | undefined, onTimeout: () => unknown) {
    if (callerSignal?.aborted) {
      this.abort(callerSignal.reason);
      return;
    }
    if (callerSignal !== undefined) {
      const onCallerAbort = (): void => this.abort(callerSignal.reason);
      this.#callerSignal = callerSignal;
      this.#onCallerAbort = onCallerAbort;
      callerSignal.addEventListener('abort', onCallerAbort, { once: true });
    }
    const timer = setTimeout(() => this.abort(onTimeout()), timeoutMs);
    // Never keep a Node process alive for a deadline.
    (timer as { unref?: () => void }).unref?.();
    this.#timer = timer;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  addEventListener(type: 'abort', listener: () => void): void {
    if (type === 'abort' && !this.#aborted) (this.#listeners ??= []).push(listener);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    if (type !== 'abort' || listeners === undefined) return;
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    // As AbortController does for an abort without a reason.
    this.#reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    this.#controller?.abort(this.#reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // One waiter's failure must not keep the others waiting.
      }
    }
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#onCallerAbort !== undefined) this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
    this.#onCallerAbort = undefined;
    this.#listeners = undefined;
  }
}
