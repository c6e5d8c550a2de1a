/**
 * Inside the pipeline, streams hand parts on in batches (every part one network read produced), so each
 * layer pays its asynchronous hop once per read instead of once per part. Outside, they stay plain async
 * iterables of parts. A stream that can give batches says so with this key.
 */
export const partBatches: unique symbol = Symbol.for('llm-switchyard.part-batches') as never;

/** An async iterable of parts that can also be read in batches (each batch holds at least one part). */
export interface BatchedIterable<T> extends AsyncIterable<T> {
  /** Reads the same stream in batches; use either this or the part iterator, once. */
  [partBatches](): AsyncIterator<T[]>;
  /** Reads it part by part. */
  [Symbol.asyncIterator](): AsyncGenerator<T, undefined, unknown>;
}

/** A stream read as batches: its own batches when it has them, else one part per batch. */
export function batchesOf<T>(source: AsyncIterable<T>): AsyncIterable<T[]> {
  const native = (source as Partial<BatchedIterable<T>>)[partBatches];
  if (native !== undefined) return { [Symbol.asyncIterator]: () => native.call(source) };
  return {
    [Symbol.asyncIterator]: () => {
      const parts = source[Symbol.asyncIterator]();
      return {
        next: () => parts.next().then((result) => (result.done ? finished : { done: false, value: [result.value] })),
        return: async () => {
          await parts.return?.();
          return finished;
        },
      };
    },
  };
}

/** Makes a batch generator readable part by part too. */
export function batched<T>(open: () => AsyncIterator<T[]>): BatchedIterable<T> {
  return { [partBatches]: open, [Symbol.asyncIterator]: () => flatten(open()) };
}

const finished: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Parts one by one: a single generator step each, where a chain of per-part generators took one per layer. */
async function* flatten<T>(batches: AsyncIterator<T[]>): AsyncGenerator<T, undefined, unknown> {
  for await (const batch of { [Symbol.asyncIterator]: () => batches }) yield* batch;
  return undefined;
}
