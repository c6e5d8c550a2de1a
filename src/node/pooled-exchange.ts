import type { AbortSignalLike } from '../http/abort-source';
import { PooledResponse } from './pooled-response';

// Statuses whose response has no body, as in fetch.
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

// Up to 64 KiB waits before the socket is paused: pausing and resuming it for every small SSE chunk costs
// more than the chunk itself.
const maximumQueuedBytes = 64 * 1024;

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

function hasLocation(rawHeaders: readonly Buffer[]): boolean {
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    if (name.length === 8 && name.toString('latin1').toLowerCase() === 'location') return true;
  }
  return false;
}

/** Sends a request through undici's fetch instead (for redirects, which are fetch's business). */
export type FetchInstead = (url: string, init: RequestInit | undefined) => Promise<Response>;

/**
 * One request over undici's dispatcher, handled directly: the body is collected here rather than in a
 * Node stream. `undici.request` wraps every answer in an async resource and a `Readable`, and listening
 * on a signal costs it closures and a 'close' listener per response; together that was a third of the
 * transport's CPU per call at concurrency 64 (docs/benchmarks.md). Implements undici's dispatch handler
 * (the `onConnect`/`onHeaders`/`onData`/`onComplete`/`onError` form, which its client calls as is; the
 * controller form is adapted to it per request).
 *
 * The body goes to one consumer, chosen by the response: a whole read (`readAll`) or a web stream
 * (`stream`). Until one comes, up to 64 KiB is kept and the socket is then paused. Aborting (the signal,
 * a cancelled stream) destroys the socket; a body read to its end returns it to the pool.
 */
export class PooledExchange {
  #signal: AbortSignalLike | undefined;
  #onAbort: (() => void) | undefined;
  #abortRequest: ((reason: Error) => void) | undefined;
  #abortReason: unknown;
  #url: string;
  #init: RequestInit | undefined;
  #fetchInstead: FetchInstead;
  #resolveHead: ((response: PooledResponse | Promise<Response>) => void) | undefined;
  #rejectHead: ((error: unknown) => void) | undefined;
  #resumeSocket: (() => void) | undefined;
  #paused = false;
  #discardBody = false;
  #queued: Buffer[] = [];
  #queuedBytes = 0;
  #ended = false;
  #failure: unknown;
  #failed = false;
  #wholeRead: { resolve: (bytes: Buffer) => void; reject: (error: unknown) => void } | undefined;
  #streamController: ReadableStreamDefaultController<Uint8Array> | undefined;
  #streamWaiting = false;
  #cancelled = false;

  /**
   * Settles with the response once its status and headers are in (a redirect: with what fetch answers
   * instead), or rejects as fetch would (the signal's reason, or `TypeError('fetch failed')`).
   */
  readonly response: Promise<PooledResponse | Response>;

  constructor(signal: AbortSignalLike | undefined, url: string, init: RequestInit | undefined, fetchInstead: FetchInstead) {
    this.#url = url;
    this.#init = init;
    this.#fetchInstead = fetchInstead;
    this.response = new Promise<PooledResponse | Response>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    if (signal !== undefined) {
      const onAbort = (): void => this.#abort(signal.reason);
      this.#signal = signal;
      this.#onAbort = onAbort;
      signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  // undici's dispatch handler

  onConnect(abort: (reason: Error) => void): void {
    if (this.#abortReason !== undefined) abort(this.#abortReason as Error);
    else this.#abortRequest = abort;
  }

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (status < 200) return true; // informational: the real answer follows
    this.#resumeSocket = resume;
    this.#discardBody = nullBodyStatuses.has(status);
    const resolve = this.#resolveHead!;
    this.#resolveHead = undefined;
    this.#rejectHead = undefined;
    if (redirectStatuses.has(status) && hasLocation(rawHeaders)) {
      // Methods, bodies and headers change across redirects: fetch follows them.
      this.discard();
      resolve(this.#fetchInstead(this.#url, this.#init));
      return true;
    }
    this.#init = undefined;
    resolve(new PooledResponse(status, statusText ?? '', rawHeaders, this.#url, this));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#discardBody || this.#cancelled) return true;
    this.#queued.push(chunk);
    this.#queuedBytes += chunk.byteLength;
    if (this.#streamWaiting) {
      this.#streamWaiting = false;
      this.#flushToStream();
      return true;
    }
    if (this.#wholeRead !== undefined || this.#queuedBytes < maximumQueuedBytes) return true;
    this.#paused = true;
    return false;
  }

  onComplete(): void {
    this.#ended = true;
    this.#release();
    const whole = this.#wholeRead;
    if (whole !== undefined) {
      this.#wholeRead = undefined;
      whole.resolve(this.#takeQueued());
    } else if (this.#streamWaiting) {
      this.#streamWaiting = false;
      this.#flushToStream();
    }
  }

  onError(error: unknown): void {
    this.#release();
    // An abort of ours reaches here as the reason we gave; fetch rejects with the signal's reason itself.
    const failure = this.#abortReason !== undefined ? this.#abortReason : error;
    const rejectHead = this.#rejectHead;
    if (rejectHead !== undefined) {
      this.#resolveHead = undefined;
      this.#rejectHead = undefined;
      rejectHead(this.#abortReason !== undefined ? failure : new TypeError('fetch failed', { cause: error }));
      return;
    }
    this.#failed = true;
    this.#failure = failure;
    const whole = this.#wholeRead;
    if (whole !== undefined) {
      this.#wholeRead = undefined;
      whole.reject(failure);
    } else if (this.#streamController !== undefined && !this.#cancelled) {
      this.#streamWaiting = false;
      this.#streamController.error(failure);
    }
  }

  // What the response asks of it

  /** Whether the status has no body (the bytes, if any, are dropped). */
  get bodyless(): boolean {
    return this.#discardBody;
  }

  /** The whole body, once it has all arrived. */
  readAll(): Promise<Buffer> {
    if (this.#failed) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve(this.#takeQueued());
    return new Promise<Buffer>((resolve, reject) => {
      this.#wholeRead = { resolve, reject };
      this.#resume();
    });
  }

  /**
   * The body as a web stream. Chunks that arrived while the consumer was busy are handed over joined, as
   * one read: a server writing one SSE event per write would otherwise cost a stream read per event.
   */
  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#streamController = controller;
          if (this.#failed) controller.error(this.#failure);
        },
        pull: () => {
          if (this.#failed) return;
          if (this.#queued.length > 0 || this.#ended) this.#flushToStream();
          else this.#streamWaiting = true;
          this.#resume();
        },
        cancel: (reason) => {
          this.#cancelled = true;
          this.#queued = [];
          this.#queuedBytes = 0;
          if (!this.#ended && !this.#failed) this.#abort(reason instanceof Error ? reason : new DOMException('The body was cancelled', 'AbortError'));
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** Stops the exchange and closes its socket (a redirect handed to fetch, a body nobody will read). */
  discard(): void {
    this.#cancelled = true;
    this.#queued = [];
    this.#queuedBytes = 0;
    if (!this.#ended && !this.#failed) this.#abort(new DOMException('The body was discarded', 'AbortError'));
  }

  #abort(reason: unknown): void {
    if (this.#abortReason !== undefined || this.#ended || this.#failed) return;
    this.#abortReason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    const abortRequest = this.#abortRequest;
    if (abortRequest !== undefined) abortRequest(this.#abortReason as Error);
    // Not on a socket yet: fetch rejects at once, and onConnect aborts it when its turn comes.
    else this.onError(this.#abortReason);
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#resumeSocket?.();
  }

  #takeQueued(): Buffer {
    const queued = this.#queued;
    this.#queued = [];
    const bytes = queued.length === 1 ? queued[0]! : Buffer.concat(queued, this.#queuedBytes);
    this.#queuedBytes = 0;
    return bytes;
  }

  #flushToStream(): void {
    const controller = this.#streamController!;
    if (this.#queued.length > 0) {
      const joined = this.#takeQueued();
      controller.enqueue(new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength));
    }
    if (this.#ended) controller.close();
  }

  // The signal is let go as soon as the exchange is over, read or not.
  #release(): void {
    if (this.#onAbort !== undefined) this.#signal!.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
    this.#onAbort = undefined;
    this.#abortRequest = undefined;
    this.#resumeSocket = undefined;
  }
}
