/**
 * Runs tasks one at a time. Shims over a single connection use it so that statements issued while a
 * transaction is open wait for it instead of silently joining it.
 */
export interface SerialQueue {
  run<T>(task: () => Promise<T> | T): Promise<T>;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T> | T): Promise<T> {
      const result = tail.then(task, task);
      tail = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
  };
}
