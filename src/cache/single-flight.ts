import { AbortedError } from '../errors/aborted-error';

interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

export interface SingleFlight<T> {
  /**
   * Runs `task` once for all concurrent callers with the same key; they share its result or its failure.
   * Nothing is remembered after it settles (a failure is shared, never cached). The task's signal aborts
   * only when every caller waiting on it has aborted; a caller whose own signal aborts gets `AbortedError`
   * at once while the others keep waiting.
   */
  run(key: string, task: (signal: AbortSignal) => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
  /** Keys with a call in flight. */
  readonly size: number;
}

function abortedError(signal: AbortSignal): AbortedError {
  return new AbortedError('The call was aborted', { cause: signal.reason });
}

/** Concurrent identical requests share one provider call. */
export function createSingleFlight<T>(): SingleFlight<T> {
  const flights = new Map<string, Flight<T>>();

  function leave(key: string, flight: Flight<T>): void {
    flight.waiters -= 1;
    if (flight.waiters === 0) {
      if (flights.get(key) === flight) flights.delete(key);
      flight.controller.abort(new AbortedError('Every caller of the shared call aborted'));
    }
  }

  return {
    get size() {
      return flights.size;
    },
    run(key, task, options = {}) {
      const signal = options.signal;
      if (signal?.aborted === true) return Promise.reject(abortedError(signal));
      let flight = flights.get(key);
      if (flight === undefined) {
        const controller = new AbortController();
        const created: Flight<T> = {
          controller,
          waiters: 0,
          promise: Promise.resolve()
            .then(() => task(controller.signal))
            .finally(() => {
              if (flights.get(key) === created) flights.delete(key);
            }),
        };
        // The shared promise may settle with nobody left listening.
        created.promise.catch(() => undefined);
        flights.set(key, created);
        flight = created;
      }
      const joined = flight;
      joined.waiters += 1;
      if (signal === undefined) {
        return joined.promise.finally(() => {
          joined.waiters -= 1;
        });
      }
      return new Promise<T>((resolve, reject) => {
        let done = false;
        const onAbort = () => {
          if (done) return;
          done = true;
          leave(key, joined);
          reject(abortedError(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        joined.promise.then(
          (value) => {
            if (done) return;
            done = true;
            signal.removeEventListener('abort', onAbort);
            joined.waiters -= 1;
            resolve(value);
          },
          (error: unknown) => {
            if (done) return;
            done = true;
            signal.removeEventListener('abort', onAbort);
            joined.waiters -= 1;
            reject(error);
          },
        );
      });
    },
  };
}
