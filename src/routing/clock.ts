import { AbortedError } from '../errors/aborted-error';
import { LLMError } from '../errors/llm-error';

/** A cancellable timer handle. */
export interface RoutingTimer {
  /** Stops the timer; calling it after it fired does nothing. */
  cancel(): void;
}

/**
 * Time as routing sees it. Injected so tests can record the waits the executor asks for instead of
 * sleeping, and read "time spent" from the clock rather than from the wall.
 */
export interface RoutingClock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /** Resolves after `milliseconds`; rejects with the signal's reason (as an LLMError) when it aborts first. */
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void>;
  /** Calls `callback` once after `milliseconds`; the timer never keeps a Node process alive. */
  setTimer(callback: () => void, milliseconds: number): RoutingTimer;
}

/** The error an aborted signal stands for: its reason when that is already typed, else AbortedError. */
export function abortReason(signal: AbortSignal, what = 'the call'): LLMError {
  const reason: unknown = signal.reason;
  if (LLMError.isInstance(reason)) return reason;
  return new AbortedError(`${what} was aborted`, { cause: reason });
}

function startTimer(callback: () => void, milliseconds: number): RoutingTimer {
  const handle = setTimeout(callback, Math.max(0, milliseconds)) as unknown as { unref?: () => void };
  // Node timers keep the event loop alive; routing timers must never hold a process open.
  handle.unref?.();
  return { cancel: () => clearTimeout(handle as unknown as Parameters<typeof clearTimeout>[0]) };
}

/** The real clock: `Date.now()` and unref'd `setTimeout`. */
export const systemClock: RoutingClock = {
  now: () => Date.now(),
  setTimer: startTimer,
  sleep: (milliseconds, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        timer.cancel();
        reject(abortReason(signal!));
      };
      const timer = startTimer(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, milliseconds);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
