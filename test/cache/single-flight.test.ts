import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/errors/aborted-error';
import { ServerError } from '../../src/errors/server-error';
import { createSingleFlight } from '../../src/cache/single-flight';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('single flight', () => {
  it('100 concurrent identical calls make exactly one underlying call and share its result', async () => {
    const flight = createSingleFlight<string>();
    const gate = deferred<string>();
    let calls = 0;
    const results = Array.from({ length: 100 }, () =>
      flight.run('same', async () => {
        calls += 1;
        return gate.promise;
      }),
    );
    expect(flight.size).toBe(1);
    gate.resolve('answer');
    expect(await Promise.all(results)).toEqual(Array(100).fill('answer'));
    expect(calls).toBe(1);
    expect(flight.size).toBe(0);
  });

  it('shares a failure but does not remember it: the next call runs again', async () => {
    const flight = createSingleFlight<string>();
    let calls = 0;
    const failing = () => {
      calls += 1;
      return Promise.reject(new ServerError('upstream 500'));
    };
    const outcomes = await Promise.allSettled([flight.run('k', failing), flight.run('k', failing), flight.run('k', failing)]);
    expect(outcomes.every((outcome) => outcome.status === 'rejected' && outcome.reason instanceof ServerError)).toBe(true);
    expect(calls).toBe(1);
    expect(await flight.run('k', async () => 'recovered')).toBe('recovered');
  });

  it('different keys run separately', async () => {
    const flight = createSingleFlight<string>();
    const seen: string[] = [];
    await Promise.all(['a', 'b', 'a'].map((key) => flight.run(key, async () => (seen.push(key), key))));
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  it('an aborting caller leaves alone; the shared call aborts only when every caller has left', async () => {
    const flight = createSingleFlight<string>();
    const gate = deferred<string>();
    let sharedSignal: AbortSignal | undefined;
    const first = new AbortController();
    const second = new AbortController();
    const task = (signal: AbortSignal) => {
      sharedSignal = signal;
      return gate.promise;
    };
    const one = flight.run('k', task, { signal: first.signal });
    const two = flight.run('k', task, { signal: second.signal });
    await Promise.resolve();
    first.abort();
    await expect(one).rejects.toBeInstanceOf(AbortedError);
    expect(sharedSignal?.aborted).toBe(false);
    second.abort();
    await expect(two).rejects.toBeInstanceOf(AbortedError);
    expect(sharedSignal?.aborted).toBe(true);
    expect(flight.size).toBe(0);
    const already = new AbortController();
    already.abort();
    await expect(flight.run('k', task, { signal: already.signal })).rejects.toBeInstanceOf(AbortedError);
  });
});
