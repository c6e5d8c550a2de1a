import { Agent, fetch as undiciFetch } from 'undici';

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

/**
 * A fetch over undici's keep-alive pool with its own dispatcher, so provider traffic does not share (or
 * get starved by) the host application's global dispatcher. AbortSignal and timeouts reach the socket.
 */
export function createPooledFetch(options: PooledFetchOptions = {}): PooledFetch {
  const agent = new Agent({
    connections: options.connections ?? 128,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
  });
  const pooled = ((input: RequestInfo | URL, init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as object), dispatcher: agent } as Parameters<typeof undiciFetch>[1])) as unknown as typeof globalThis.fetch;
  return { fetch: pooled, close: () => agent.close() };
}
