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

type AbortListener = (this: unknown, event: { type: 'abort'; target: AbortSource }) => void;

/**
 * An abort controller and its signal in one object, with plain listeners, whose real `AbortSignal` is made
 * only when something asks for `signal`. On Node 20 making an `AbortSignal` and listening on it costs
 * microseconds, more than a cache hit takes; most of what waits on a call (admission, the cache, the
 * fallback layers, the pooled transport) only needs `aborted`, `reason` and a listener.
 */
export class AbortSource implements AbortSignalLike {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #listeners: AbortListener[] | undefined;

  /** A real `AbortSignal` that follows this one, made on first read. */
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
    if (type === 'abort' && !this.#aborted) (this.#listeners ??= []).push(listener as AbortListener);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    if (type !== 'abort' || listeners === undefined) return;
    const index = listeners.indexOf(listener as AbortListener);
    if (index >= 0) listeners.splice(index, 1);
  }

  /** Fires once, with `reason` (a DOMException `AbortError` when none is given, as AbortController does). */
  abort(reason?: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    this.#controller?.abort(this.#reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners === undefined) return;
    // Listeners written for an AbortSignal may read `event.target.reason`.
    const event = { type: 'abort' as const, target: this };
    for (const listener of listeners) {
      try {
        listener.call(this, event);
      } catch {
        // One waiter's failure must not keep the others waiting.
      }
    }
  }

  /** Drops the listeners (the owner is done with it). */
  protected dropListeners(): void {
    this.#listeners = undefined;
  }
}

/**
 * An abort source (or any abort-signal-like object) where an `AbortSignal` is typed, for this library's own
 * code between the manager and the provider request: that code only reads `aborted` and `reason` or
 * listens, and calls `toAbortSignal` before it hands the signal to anything else.
 */
export function asAbortSignal(source: AbortSignalLike): AbortSignal {
  return source as unknown as AbortSignal;
}

/**
 * A real `AbortSignal` for `signal`: itself when it is one, an abort source's own (made on first use), or
 * a new one that follows any other abort-signal-like object.
 */
export function toAbortSignal(signal: AbortSignal | AbortSignalLike): AbortSignal {
  if (signal instanceof AbortSignal) return signal;
  if (signal instanceof AbortSource) return signal.signal;
  const follower = new AbortSource();
  followAbort(follower, [signal]);
  return follower.signal;
}

/** Makes `target` abort when any of `signals` (real or abort sources) does, with its reason. */
export function followAbort(target: AbortSource, signals: readonly AbortSignalLike[]): void {
  for (const signal of signals) {
    if (signal.aborted) {
      target.abort(signal.reason);
      return;
    }
  }
  for (const signal of signals) signal.addEventListener('abort', () => target.abort(signal.reason), { once: true });
}
