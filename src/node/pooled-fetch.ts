import type { Agent, Dispatcher } from 'undici';
import { toAbortSignal, type AbortSignalLike } from '../http/abort-source';
import { markTakesAbortSignalLike } from '../http/takes-abort-signal-like';
import { PooledExchange } from './pooled-exchange';

/** Settings of the keep-alive connection pool. */
export interface PooledFetchOptions {
  /** Sockets per origin (default 128). */
  connections?: number;
  /** How long an idle socket stays open, in milliseconds (default 30 000). */
  keepAliveTimeoutMs?: number;
  /** Time allowed to establish a connection, in milliseconds (default 10 000). */
  connectTimeoutMs?: number;
}

/** A pooled fetch and the pool behind it. */
export interface PooledFetch {
  /** Fetch-compatible function routed through the pool. */
  fetch: typeof globalThis.fetch;
  /** Closes every pooled socket. */
  close(): Promise<void>;
}

// Headers fetch adds when the caller did not set them (compression is not asked for: the body is read as is).
const defaultHeaders: ReadonlyArray<readonly [string, string]> = [
  ['accept', '*/*'],
  ['accept-language', '*'],
  ['sec-fetch-mode', 'cors'],
  ['user-agent', 'undici'],
];

type Undici = typeof import('undici');

// undici is imported when the first pool is made, not when the package loads: it is most of the Node
// entry's cold import (~100 ms here), and a host usually creates its manager well before the first call.
let undiciModule: Promise<Undici> | undefined;
const loadUndici = (): Promise<Undici> => (undiciModule ??= import('undici'));

interface RequestTarget {
  origin: string;
  path: string;
}

// A provider client sends to a handful of URLs: each is parsed once (as undici.request would parse it on
// every call) and sent with the pool's own request(). Bounded, since URLs come from configuration.
const targets = new Map<string, RequestTarget | null>();
const maximumTargets = 256;

function targetOf(url: string): RequestTarget | null {
  let target = targets.get(url);
  if (target !== undefined) return target;
  target = null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  } catch {
    // Left to undici.request, which reports it as fetch would.
  }
  if (targets.size >= maximumTargets) targets.clear();
  targets.set(url, target);
  return target;
}

const simpleInitFields = new Set(['method', 'headers', 'body', 'signal']);

// Adapters send the same frozen header object on every call with their own key (see the OpenAI
// endpoint): what it becomes here is kept per object, for those that already name their content type.
const plainOfFrozen = new WeakMap<object, Record<string, string>>();

/** `plainHeaders`, remembered for frozen plain objects that carry a content type. */
function requestHeaders(headers: RequestInit['headers'], body: unknown): Record<string, string> | undefined {
  const frozen = typeof headers === 'object' && headers !== null && !Array.isArray(headers) && !(headers instanceof Headers) && Object.isFrozen(headers);
  if (!frozen) return plainHeaders(headers, body);
  let plain = plainOfFrozen.get(headers);
  if (plain !== undefined) return plain;
  plain = plainHeaders(headers, body);
  if (plain !== undefined && typeof (headers as Record<string, unknown>)['content-type'] === 'string') plainOfFrozen.set(headers, Object.freeze(plain));
  return plain;
}

/** The request headers as a lower-cased plain object, or undefined when they are not in a simple shape. */
function plainHeaders(headers: RequestInit['headers'], body: unknown): Record<string, string> | undefined {
  const result: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      result[name] = value;
    });
  } else if (Array.isArray(headers)) {
    for (const pair of headers) {
      if (pair.length !== 2) return undefined;
      const name = String(pair[0]).toLowerCase();
      result[name] = result[name] === undefined ? String(pair[1]) : `${result[name]}, ${String(pair[1])}`;
    }
  } else if (headers !== undefined && headers !== null) {
    for (const name in headers as Record<string, unknown>) {
      const value = (headers as Record<string, unknown>)[name];
      if (typeof value !== 'string') return undefined;
      result[name.toLowerCase()] = value;
    }
  }
  for (const [name, value] of defaultHeaders) if (result[name] === undefined) result[name] = value;
  if (typeof body === 'string' && result['content-type'] === undefined) result['content-type'] = 'text/plain;charset=UTF-8';
  return result;
}

/** Whether `init` uses only what the direct path handles: method, plain headers, a string or bytes body, a signal. */
function isSimpleInit(init: RequestInit | undefined): boolean {
  if (init === undefined) return true;
  for (const field in init) {
    if (!simpleInitFields.has(field) && (init as Record<string, unknown>)[field] !== undefined) return false;
  }
  const body = init.body;
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
}

/**
 * A fetch over undici's keep-alive pool with its own dispatcher, so provider traffic does not share (or
 * get starved by) the host application's global dispatcher. AbortSignal and timeouts reach the socket;
 * `init.signal` may also be any abort-signal-like object (`aborted`, `reason`, `addEventListener`,
 * `removeEventListener`), which the manager uses to spare making an AbortSignal per call.
 *
 * Plain requests (a URL, method, headers, a string or bytes body, a signal) go straight to the pool's
 * dispatcher (`PooledExchange`) and answer with a light `Response`-compatible object (`PooledResponse`):
 * fetch's own machinery (Request/Response objects, header guards, a web stream per body) costs about as
 * much CPU as the request itself, and `undici.request`'s async resource and Node stream per answer a third
 * of it. Anything else, and any redirect, goes through undici's `fetch` on the same pool, so
 * the semantics stay fetch's. Failures look like fetch's: a caller's abort rejects with the signal's
 * reason, a transport failure with `TypeError('fetch failed')` whose `cause` is undici's error.
 * undici itself is imported in the background when the pool is made; a request made before that
 * finished waits for it.
 */
export function createPooledFetch(options: PooledFetchOptions = {}): PooledFetch {
  let undici: Undici | undefined;
  let agent: Agent | undefined;
  const ready = loadUndici().then((module) => {
    undici = module;
    agent = new module.Agent({
      connections: options.connections ?? 128,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
    });
  });
  ready.catch(() => undefined);
  const viaFetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal;
    const options = { ...(init as object), dispatcher: agent } as RequestInit;
    // fetch wants a real AbortSignal; the direct path takes any abort-signal-like object.
    if (signal != null) options.signal = toAbortSignal(signal);
    return undici!.fetch(input as Parameters<Undici['fetch']>[0], options as Parameters<Undici['fetch']>[1]) as unknown as Promise<Response>;
  };

  // Not an async function: its frame and promise would be one more per call than the exchange's own.
  function pooled(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    if (agent === undefined) return ready.then(() => pooled(input, init));
    try {
      if ((typeof input !== 'string' && !(input instanceof URL)) || !isSimpleInit(init)) return viaFetch(input, init);
      const body = init?.body ?? undefined;
      const headers = requestHeaders(init?.headers, body);
      if (headers === undefined) return viaFetch(input, init);
      const url = typeof input === 'string' ? input : input.href;
      // Left to fetch, which fails it as fetch does.
      const target = targetOf(url);
      if (target === null) return viaFetch(input, init);
      const signal = (init?.signal ?? undefined) as AbortSignalLike | undefined;
      if (signal?.aborted) return Promise.reject(signal.reason);
      const exchange = new PooledExchange(signal, url, init, viaFetch);
      const method = (init?.method?.toUpperCase() ?? 'GET') as Dispatcher.HttpMethod;
      agent.dispatch({ origin: target.origin, path: target.path, method, headers, body: body as string | Uint8Array | undefined }, exchange as unknown as Dispatcher.DispatchHandler);
      return exchange.response as Promise<Response>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  return {
    fetch: markTakesAbortSignalLike(pooled) as typeof globalThis.fetch,
    close: async () => {
      await ready;
      await agent!.close();
    },
  };
}
