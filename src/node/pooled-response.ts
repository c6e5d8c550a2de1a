import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

type ResponseBody = Dispatcher.ResponseData['body'];

// Statuses whose response has no body, as in fetch.
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.append(name, value);
  }
  return headers;
}

// Up to 64 KiB waits before the socket is paused: pausing and resuming the Node stream for every small SSE
// chunk costs more than the chunk itself.
const maximumQueuedBytes = 64 * 1024;

/**
 * A web ReadableStream over undici's body. Chunks that arrived while the consumer was busy are handed over
 * joined, as one read: a server writing one SSE event per write would otherwise cost a web-stream read per
 * event. The Node stream is paused while too much waits, and cancelling the web stream destroys the body
 * (which frees the socket).
 */
function toWebStream(body: ResponseBody): ReadableStream<Uint8Array> {
  let queued: Buffer[] = [];
  let queuedBytes = 0;
  let ended = false;
  let cancelled = false;
  let waiting: ReadableStreamDefaultController<Uint8Array> | undefined;
  const flush = (controller: ReadableStreamDefaultController<Uint8Array>): void => {
    if (queued.length > 0) {
      const joined = queued.length === 1 ? queued[0]! : Buffer.concat(queued, queuedBytes);
      queued = [];
      queuedBytes = 0;
      controller.enqueue(new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength));
    }
    if (ended) controller.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        body.on('data', (chunk: Buffer) => {
          if (cancelled) return;
          queued.push(chunk);
          queuedBytes += chunk.byteLength;
          if (waiting !== undefined) {
            waiting = undefined;
            flush(controller);
          } else if (queuedBytes >= maximumQueuedBytes) body.pause();
        });
        body.once('end', () => {
          ended = true;
          if (waiting !== undefined || queued.length === 0) {
            waiting = undefined;
            flush(controller);
          }
        });
        body.once('error', (error) => controller.error(error));
      },
      pull(controller) {
        if (queued.length > 0 || ended) flush(controller);
        else waiting = controller;
        if (body.isPaused()) body.resume();
      },
      cancel(reason) {
        cancelled = true;
        body.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Runs one of undici's body readers with the body's own 'close' listeners held back until it settles.
 * undici puts one there when the request had a signal (it takes its abort listener off the signal) and its
 * readers add another; two listeners on one event make the emitter keep them in an array, made at one site
 * in Node's events module. Once a process holds a few megabytes of long-lived emitters, V8's allocation-site
 * pretenuring puts such arrays in the old generation, where a dead one still counts as a root for the young
 * generation's collector: what it reached (the request's handler, the response, the call's abort source)
 * was copied and promoted on every call, 4–5 µs of collection per request (docs/benchmarks.md). The held
 * listeners run once the read settles, as they would have on 'close'.
 */
function readHoldingCloseListeners<T>(source: ResponseBody, read: (source: ResponseBody) => Promise<T>): Promise<T> {
  if (source.listenerCount('close') === 0) return read(source);
  const held = source.listeners('close') as Array<(this: ResponseBody) => void>;
  source.removeAllListeners('close');
  const release = (): void => {
    for (const listener of held) listener.call(source);
  };
  return read(source).then(
    (value) => {
      release();
      return value;
    },
    (error: unknown) => {
      release();
      throw error;
    },
  );
}

/**
 * The part of `Response` that callers of a fetch use, over an `undici.request` answer: `ok`, `status`,
 * `statusText`, `headers` (a real `Headers`, built on first read), `body` (a web stream, built on first read),
 * `text()`, `json()`, `arrayBuffer()`, `bytes()`, `blob()`, `formData()` and `clone()`. Building a full
 * `Response` (and its stream and headers) for every call is most of what fetch costs over `undici.request`.
 * As with any fetch, consume or cancel the body: until then the socket stays with this response.
 */
export class PooledResponse {
  /** The status code. */
  readonly status: number;
  /** The status message. */
  readonly statusText: string;
  /** The request URL. */
  readonly url: string;
  /** Never redirected: redirects are left to fetch (see createPooledFetch). */
  readonly redirected = false;
  /** As fetch reports for a same-origin answer. */
  readonly type = 'basic';
  #rawHeaders: IncomingHttpHeaders;
  #headers: Headers | undefined;
  #source: ResponseBody;
  #stream: ReadableStream<Uint8Array> | null | undefined;
  #used = false;

  /** `stream` is for clones: the half of a tee that the copy reads. */
  constructor(data: Pick<Dispatcher.ResponseData, 'statusCode' | 'statusText' | 'headers' | 'body'>, url: string, stream?: ReadableStream<Uint8Array> | null) {
    this.status = data.statusCode;
    this.statusText = data.statusText ?? '';
    this.url = url;
    this.#rawHeaders = data.headers;
    this.#source = data.body;
    if (stream !== undefined) this.#stream = stream;
    else if (nullBodyStatuses.has(this.status)) {
      this.#stream = null;
      // Nothing to read; dropping it returns the socket to the pool.
      data.body.resume();
    }
  }

  /** True for a 2xx status. */
  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  /** The response headers. */
  get headers(): Headers {
    return (this.#headers ??= toHeaders(this.#rawHeaders));
  }

  /** The body as a web stream (null for statuses without a body). */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined) this.#stream = toWebStream(this.#source);
    return this.#stream;
  }

  /** True once the body was read. */
  get bodyUsed(): boolean {
    return this.#used || (this.#stream != null && this.#stream.locked);
  }

  #take(): void {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
  }

  async #bytes(): Promise<Uint8Array> {
    this.#take();
    if (this.#stream === null) return new Uint8Array(0);
    if (this.#stream !== undefined) return new Uint8Array(await new Response(this.#stream).arrayBuffer());
    return new Uint8Array(await readHoldingCloseListeners(this.#source, (source) => source.arrayBuffer()));
  }

  /** The body as text (UTF-8). */
  async text(): Promise<string> {
    if (this.#stream !== undefined) return new TextDecoder().decode(await this.#bytes());
    this.#take();
    return readHoldingCloseListeners(this.#source, (source) => source.text());
  }

  /** The body parsed as JSON. */
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  /** The body as an ArrayBuffer. */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#bytes();
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : (bytes.slice().buffer as ArrayBuffer);
  }

  /** The body as bytes. */
  async bytes(): Promise<Uint8Array> {
    return this.#bytes();
  }

  /** The body as a Blob typed by its content-type. */
  async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], { type: this.headers.get('content-type') ?? '' });
  }

  /** The body as form data (through a standard Response). */
  async formData(): Promise<FormData> {
    return new Response(await this.arrayBuffer(), { headers: this.headers }).formData();
  }

  /** A copy whose body can be read separately (the body is split with `tee`). */
  clone(): PooledResponse {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    const parts = { statusCode: this.status, statusText: this.statusText, headers: this.#rawHeaders, body: this.#source };
    const stream = this.body;
    if (stream === null) return new PooledResponse(parts, this.url, null);
    const [mine, theirs] = stream.tee();
    this.#stream = mine;
    return new PooledResponse(parts, this.url, theirs);
  }
}
