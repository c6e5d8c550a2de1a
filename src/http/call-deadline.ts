/** One call's abort signal: the caller's signal and a deadline, released with `dispose()`. */
export interface CallDeadline {
  /** Aborts when the caller's signal aborts or the deadline passes (with `onTimeout()`'s error as reason). */
  readonly signal: AbortSignal;
  /** Aborts the call with `reason` (a consumer that stopped reading, say). */
  abort(reason: unknown): void;
  /** Clears the timer and the listeners; call it when the call ends. */
  dispose(): void;
}

/**
 * A deadline plus the caller's signal with one timer and a plain listener. Cheaper per call than
 * `AbortSignal.timeout` + `AbortSignal.any`, whose weak references and finalizers cost on the hot path.
 */
export function createCallDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined, onTimeout: () => unknown): CallDeadline {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(callerSignal!.reason);
  if (callerSignal?.aborted) controller.abort(callerSignal.reason);
  else callerSignal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(onTimeout()), timeoutMs);
  // Never keep a Node process alive for a deadline.
  (timer as { unref?: () => void }).unref?.();
  let disposed = false;
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onAbort);
    },
  };
}
