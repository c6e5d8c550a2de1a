import type { PooledExchange } from './pooled-exchange';

const byteOrderMark = [0xef, 0xbb, 0xbf] as const;

/** The body as text, as fetch decodes it: UTF-8, a leading byte-order mark dropped. */
function decodeBody(bytes: Buffer): string {
  const start = bytes.length >= 3 && bytes[0] === byteOrderMark[0] && bytes[1] === byteOrderMark[1] && bytes[2] === byteOrderMark[2] ? 3 : 0;
  return bytes.toString('utf8', start);
}

const parseBody = (bytes: Buffer): unknown => JSON.parse(decodeBody(bytes));

// Header bytes are read as Latin-1, as fetch reads them: every byte is a valid header character.
function toHeaders(rawHeaders: readonly Buffer[]): Headers {
  const headers = new Headers();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    headers.append(rawHeaders[index]!.toString('latin1'), rawHeaders[index + 1]!.toString('latin1'));
  }
  return headers;
}

/**
 * The part of `Response` that callers of a fetch use, over one pooled exchange: `ok`, `status`,
 * `statusText`, `headers` (a real `Headers`, built on first read), `body` (a web stream, built on first read),
 * `text()`, `json()`, `arrayBuffer()`, `bytes()`, `blob()`, `formData()` and `clone()`. Building a full
 * `Response` (and its stream and headers) for every call is most of what fetch costs over undici's own
 * request. As with any fetch, consume or cancel the body: until then the socket stays with this response.
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
  #rawHeaders: readonly Buffer[] | undefined;
  #headers: Headers | undefined;
  #exchange: PooledExchange | undefined;
  #stream: ReadableStream<Uint8Array> | null | undefined;
  #used = false;

  /**
   * `rawHeaders` are header names and values as undici read them off the wire (name, value, …). A clone
   * passes its half of a tee as `stream` and its parent's `headers` instead of an exchange.
   */
  constructor(
    status: number, statusText: string, rawHeaders: readonly Buffer[] | undefined, url: string, exchange: PooledExchange | undefined,
    copy?: { stream: ReadableStream<Uint8Array> | null; headers: Headers },
  ) {
    this.status = status;
    this.statusText = statusText;
    this.url = url;
    this.#rawHeaders = rawHeaders;
    this.#exchange = exchange;
    if (copy !== undefined) {
      this.#stream = copy.stream;
      this.#headers = copy.headers;
    } else if (exchange!.bodyless) this.#stream = null;
  }

  /** True for a 2xx status. */
  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  /** The response headers. */
  get headers(): Headers {
    return (this.#headers ??= toHeaders(this.#rawHeaders ?? []));
  }

  /** The body as a web stream (null for statuses without a body). */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined) this.#stream = this.#exchange!.stream();
    return this.#stream;
  }

  /** True once the body was read. */
  get bodyUsed(): boolean {
    return this.#used || (this.#stream != null && this.#stream.locked);
  }

  // Continuations, not async functions: a whole read that has already arrived is two promises, not five.
  #bytes(): Promise<Buffer> {
    if (this.bodyUsed) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#used = true;
    if (this.#stream === null) return Promise.resolve(Buffer.alloc(0));
    if (this.#stream !== undefined) return new Response(this.#stream).arrayBuffer().then((buffer) => Buffer.from(buffer));
    return this.#exchange!.readAll();
  }

  /** The body as text (UTF-8). */
  text(): Promise<string> {
    return this.#bytes().then(decodeBody);
  }

  /** The body parsed as JSON. */
  json(): Promise<unknown> {
    return this.#bytes().then(parseBody);
  }

  /** The body as an ArrayBuffer. */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#bytes();
    // Small bodies sit in a shared pool slab: the caller gets a buffer of its own.
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  }

  /** The body as bytes. */
  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
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
    const stream = this.body;
    if (stream === null) return new PooledResponse(this.status, this.statusText, undefined, this.url, undefined, { stream: null, headers: this.headers });
    const [mine, theirs] = stream.tee();
    this.#stream = mine;
    return new PooledResponse(this.status, this.statusText, undefined, this.url, undefined, { stream: theirs, headers: this.headers });
  }
}
