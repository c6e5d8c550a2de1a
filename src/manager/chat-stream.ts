import type { BatchedIterable } from '../http/part-batches';
import type { ChatResult } from '../spec/result';
import type { StreamPart } from '../spec/stream';

/**
 * What `llm.stream()` returns: iterate it (once) for parts, or read it as a web `ReadableStream`.
 * `result` settles when the stream has been read to its end; `collect()` reads it for you. Leaving the
 * loop early (or `cancel()`) aborts the upstream request.
 */
export class ChatStream implements AsyncIterable<StreamPart> {
  /** The final result; rejects with the stream's error (an error part is yielded first). */
  readonly result: Promise<ChatResult>;
  readonly #source: AsyncGenerator<StreamPart> | BatchedIterable<StreamPart>;
  readonly #abort: (reason?: unknown) => void;
  #taken = false;

  /** A batched `source` hands over the parts it already read without a generator step each. */
  constructor(source: AsyncGenerator<StreamPart> | BatchedIterable<StreamPart>, result: Promise<ChatResult>, abort: (reason?: unknown) => void) {
    this.#source = source;
    this.result = result;
    this.#abort = abort;
    // Callers who only iterate must not get an unhandled rejection from the unread promise.
    result.catch(() => undefined);
  }

  [Symbol.asyncIterator](): AsyncGenerator<StreamPart> {
    if (this.#taken) throw new TypeError('A ChatStream can be read only once');
    this.#taken = true;
    return this.#source[Symbol.asyncIterator]();
  }

  /** Only the text deltas. */
  async *textStream(): AsyncGenerator<string> {
    for await (const part of this) if (part.type === 'text-delta') yield part.text;
  }

  /** Reads the whole stream and returns the final result. */
  async collect(): Promise<ChatResult> {
    for await (const part of this) void part;
    return this.result;
  }

  /** The parts as a web ReadableStream (for Response bodies and edge runtimes). */
  toReadableStream(): ReadableStream<StreamPart> {
    const iterator = this[Symbol.asyncIterator]();
    return new ReadableStream<StreamPart>({
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await iterator.return(undefined);
      },
    });
  }

  /** Stops the stream and aborts the upstream request. */
  cancel(reason?: unknown): void {
    this.#abort(reason);
  }
}
