import { AbortedError } from '../errors/aborted-error';
import type { ProviderStreamPart } from '../spec/stream';

interface StreamFlight {
  parts: ProviderStreamPart[];
  done: boolean;
  failed: boolean;
  error: unknown;
  subscribers: number;
  controller: AbortController;
  wake: Array<() => void>;
}

export interface StreamSingleFlight {
  /**
   * Streams the parts of one shared provider stream per key. The first caller starts it; callers that join
   * while it runs get every part from the beginning, then the live ones. A failure reaches every subscriber
   * after the parts before it. The provider stream is aborted only when every subscriber has left. Iterate
   * the returned generator: one that is never started never counts as having left.
   */
  run(
    key: string,
    start: (signal: AbortSignal) => AsyncIterable<ProviderStreamPart>,
    options?: { signal?: AbortSignal },
  ): AsyncGenerator<ProviderStreamPart>;
  /** Keys with a stream in flight. */
  readonly size: number;
}

/** Concurrent identical streaming requests share one provider stream. */
export function createStreamSingleFlight(): StreamSingleFlight {
  const flights = new Map<string, StreamFlight>();

  function notify(flight: StreamFlight): void {
    const waiting = flight.wake.splice(0, flight.wake.length);
    for (const wake of waiting) wake();
  }

  async function pump(key: string, flight: StreamFlight, source: AsyncIterable<ProviderStreamPart>): Promise<void> {
    try {
      for await (const part of source) {
        flight.parts.push(part);
        notify(flight);
        if (flight.subscribers === 0) break;
      }
      flight.done = true;
    } catch (error) {
      flight.failed = true;
      flight.error = error;
    } finally {
      if (flights.get(key) === flight) flights.delete(key);
      flight.done = true;
      notify(flight);
    }
  }

  async function* subscribe(flight: StreamFlight, key: string, signal: AbortSignal | undefined): AsyncGenerator<ProviderStreamPart> {
    let index = 0;
    try {
      for (;;) {
        if (signal?.aborted === true) throw new AbortedError('The stream was aborted', { cause: signal.reason });
        if (index < flight.parts.length) {
          yield structuredClone(flight.parts[index]!);
          index += 1;
          continue;
        }
        if (flight.failed) throw flight.error;
        if (flight.done) return;
        await new Promise<void>((resolve) => {
          const onAbort = () => resolve();
          flight.wake.push(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          });
          signal?.addEventListener('abort', onAbort, { once: true });
        });
      }
    } finally {
      flight.subscribers -= 1;
      if (flight.subscribers === 0 && !flight.done) {
        if (flights.get(key) === flight) flights.delete(key);
        flight.controller.abort(new AbortedError('Every reader of the shared stream left'));
      }
    }
  }

  return {
    get size() {
      return flights.size;
    },
    run(key, start, options = {}) {
      let flight = flights.get(key);
      if (flight === undefined) {
        const created: StreamFlight = {
          parts: [],
          done: false,
          failed: false,
          error: undefined,
          subscribers: 0,
          controller: new AbortController(),
          wake: [],
        };
        flights.set(key, created);
        flight = created;
        try {
          void pump(key, created, start(created.controller.signal));
        } catch (error) {
          // `start` threw synchronously: every subscriber gets the error.
          created.failed = true;
          created.error = error;
          created.done = true;
          flights.delete(key);
        }
      }
      flight.subscribers += 1;
      return subscribe(flight, key, options.signal);
    },
  };
}
