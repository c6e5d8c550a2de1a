import type { IncomingMessage, ServerResponse } from 'node:http';

/** A web-standard handler, such as `createOpenAIHandler(...)` returns. */
export type WebRequestHandler = (request: Request) => Promise<Response>;

/** Options of `toNodeHandler`. */
export interface NodeHandlerOptions {
  /** Origin to build request URLs from (default `http://<Host header>`). */
  origin?: string;
}

/** A `node:http` / Express-style request listener. */
export type NodeRequestListener = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of request) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function toHeaders(request: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return headers;
}

/**
 * Serves a web-standard handler from `node:http` (`http.createServer(toNodeHandler(handler))`): builds a
 * `Request` whose `signal` aborts when the client disconnects, and streams the `Response` body back,
 * cancelling it when the client goes away mid-stream.
 */
export function toNodeHandler(handler: WebRequestHandler, options: NodeHandlerOptions = {}): NodeRequestListener {
  return async (incoming, outgoing) => {
    const abort = new AbortController();
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) abort.abort(new DOMException('The client disconnected', 'AbortError'));
    });
    let response: Response;
    try {
      const origin = options.origin ?? `http://${incoming.headers.host ?? 'localhost'}`;
      const method = incoming.method ?? 'GET';
      const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(incoming);
      const request = new Request(new URL(incoming.url ?? '/', origin), { method, headers: toHeaders(incoming), body: body as BodyInit | undefined, signal: abort.signal });
      response = await handler(request);
    } catch {
      if (!outgoing.headersSent) outgoing.writeHead(500, { 'content-type': 'application/json' });
      outgoing.end('{"error":{"message":"Internal error","type":"server_error","param":null,"code":null}}');
      return;
    }
    const headers: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie') headers[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) headers['set-cookie'] = cookies;
    outgoing.writeHead(response.status, headers);
    if (!response.body) {
      outgoing.end();
      return;
    }
    const reader = response.body.getReader();
    abort.signal.addEventListener('abort', () => void reader.cancel(abort.signal.reason).catch(() => undefined), { once: true });
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        // Respect back-pressure so a slow client does not buffer a whole stream in memory.
        if (!outgoing.write(value)) await new Promise<void>((resolve) => { outgoing.once('drain', resolve); outgoing.once('close', resolve); });
        if (abort.signal.aborted) break;
      }
    } catch {
      // The body failed or was cancelled because the client left; nothing more to send.
    } finally {
      if (!outgoing.writableEnded) outgoing.end();
    }
  };
}
