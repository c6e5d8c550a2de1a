import { describe, expect, it } from 'vitest';
import { batched } from '../../src/http/part-batches';

/** A batch source that records how it was driven. */
function source(batches: number[][], failAt?: number) {
  const log = { returned: 0, reads: 0 };
  async function* generate(): AsyncGenerator<number[]> {
    try {
      for (const [position, batch] of batches.entries()) {
        if (failAt !== undefined && position === failAt) throw new Error('upstream broke');
        log.reads++;
        yield batch;
      }
    } finally {
      log.returned++;
    }
  }
  return { stream: batched(generate), log };
}

describe('batched streams read part by part', () => {
  it('hands over every part in order, skipping empty batches, then stays finished', async () => {
    const { stream } = source([[1, 2, 3], [], [4], [5, 6]]);
    const iterator = stream[Symbol.asyncIterator]();
    const seen: number[] = [];
    for (let result = await iterator.next(); !result.done; result = await iterator.next()) seen.push(result.value);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('serves reads that were not awaited one by one in order', async () => {
    const { stream } = source([[1], [2, 3], [4]]);
    const iterator = stream[Symbol.asyncIterator]();
    const results = await Promise.all(Array.from({ length: 6 }, () => iterator.next()));
    expect(results.map((result) => (result.done ? 'done' : result.value))).toEqual([1, 2, 3, 4, 'done', 'done']);
  });

  it('leaving the loop early closes the source once', async () => {
    const { stream, log } = source([[1, 2], [3, 4], [5]]);
    for await (const part of stream) if (part === 3) break;
    expect(log).toEqual({ returned: 1, reads: 2 });
  });

  it('an error reaches the reader after the parts before it, and ends the stream', async () => {
    const { stream } = source([[1, 2], [3]], 1);
    const iterator = stream[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    expect(await iterator.next()).toEqual({ done: false, value: 2 });
    await expect(iterator.next()).rejects.toThrow('upstream broke');
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('throw() closes the source and rethrows', async () => {
    const { stream, log } = source([[1], [2]]);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await expect(iterator.throw(new Error('consumer gave up'))).rejects.toThrow('consumer gave up');
    expect(log.returned).toBe(1);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });
});
