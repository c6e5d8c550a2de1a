/** One call's abort signal: the caller's signals and a deadline, released with `dispose()`. */
export interface CallDeadline {
  /** Aborts when any input aborts or the deadline passes (with `onTimeout()`'s error as reason). */
  readonly signal: AbortSignal;
  /** Clears the timer and the listeners; call it when the call ends. */
  dispose(): void;
}

/**
 * A deadline plus linked signals with one timer and plain listeners. Cheaper per call than
 * `AbortSignal.timeout` + `AbortSignal.any`, whose weak references and finalizers cost on the hot path.
 */
export function createCallDeadline(timeoutMs: number, signals: readonly (AbortSignal | undefined)[], onTimeout: () => unknown): CallDeadline {
  const controller = new AbortController();
  const linked: AbortSignal[] = [];
  const onAbort = (event: Event): void => controller.abort((event.target as AbortSignal).reason);
  for (const signal of signals) {
    if (signal === undefined) continue;
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    linked.push(signal);
  }
  const timer = setTimeout(() => controller.abort(onTimeout()), timeoutMs);
  // Never keep a Node process alive for a deadline.
  (timer as { unref?: () => void }).unref?.();
  let disposed = false;
  return {
    signal: controller.signal,
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(timer);
      for (const signal of linked) signal.removeEventListener('abort', onAbort);
    },
  };
}
