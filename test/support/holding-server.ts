import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback server that never finishes an answer and records each request and when its connection closed. */
export interface HoldingServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Methods of the requests received, in order. */
  received: string[];
  /** Paths of the requests whose connection closed, in order. */
  closed: string[];
  /** Drops open connections and stops. */
  close(): Promise<void>;
}

/**
 * Starts a holding server. By default it answers nothing (not even headers); `begin` may start an answer
 * (headers, some events) and leave it open.
 */
export async function startHoldingServer(begin?: (response: ServerResponse, request: IncomingMessage) => void): Promise<HoldingServer> {
  const received: string[] = [];
  const closed: string[] = [];
  const server = createServer((request, response) => {
    received.push(request.method ?? 'GET');
    request.resume();
    request.socket.once('close', () => closed.push(request.url ?? '/'));
    begin?.(response, request);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    closed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` every 10 ms for up to 3 s. */
export async function waitFor(check: () => boolean): Promise<void> {
  for (let tries = 0; tries < 300 && !check(); tries++) await new Promise((resolve) => setTimeout(resolve, 10));
}
