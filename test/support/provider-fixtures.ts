import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Folder of the recorded provider responses (`../shared/fixtures/providers`, or `$SWITCHYARD_FIXTURES`). */
export const fixturesDirectory = process.env.SWITCHYARD_FIXTURES ?? resolve(root, '../shared/fixtures/providers');

/** Raw text of a fixture, by path relative to the fixtures folder (`openai/openai-text.json`). */
export function readFixture(relativePath: string): string {
  return readFileSync(resolve(fixturesDirectory, relativePath), 'utf8');
}

/** The JSON payload lines of a `*.chunks.txt` fixture, blank lines skipped. */
export function readChunkLines(relativePath: string): string[] {
  return readFixture(relativePath).split(/\r?\n/).filter((line) => line.trim().length > 0);
}

/** The parsed payloads of a `*.chunks.txt` fixture. */
export function readChunks<T = any>(relativePath: string): T[] {
  return readChunkLines(relativePath).map((line) => JSON.parse(line) as T);
}

/**
 * The fixtures README's wire recipes: A OpenAI-style `data:` + `[DONE]`; B/C/E `event: <type>` + data,
 * no terminator; D Gemini `data:` only, no terminator; G raw bytes as recorded.
 */
export type WireRecipe = 'A' | 'B' | 'C' | 'D' | 'E' | 'G';

/** Frames fixture lines as the provider sends them; returns one string per SSE event. */
export function frameEvents(lines: string[], recipe: WireRecipe, lineEnding: '\n' | '\r\n' = '\n'): string[] {
  const end = lineEnding;
  switch (recipe) {
    case 'A':
      return [...lines.map((line) => `data: ${line}${end}${end}`), `data: [DONE]${end}${end}`];
    case 'B':
    case 'C':
    case 'E':
      return lines.map((line) => `event: ${(JSON.parse(line) as { type: string }).type}${end}data: ${line}${end}${end}`);
    case 'D':
      return lines.map((line) => `data: ${line}${end}${end}`);
    case 'G':
      return [lines.join('\n')];
  }
}

/** The events of a chunks fixture framed by its recipe (for recipe G, the raw file as one piece). */
export function framedFixture(relativePath: string, recipe: WireRecipe, lineEnding: '\n' | '\r\n' = '\n'): string[] {
  if (recipe === 'G') return [readFixture(relativePath)];
  return frameEvents(readChunkLines(relativePath), recipe, lineEnding);
}

/** A response the replay server sends. */
export interface ReplayResponse {
  /** HTTP status (200 by default). */
  status?: number;
  /** Response headers. */
  headers?: Record<string, string>;
  /** A whole body, or SSE/NDJSON pieces written one write each. */
  body: string | string[];
  /** Split every piece in two at this many bytes, to exercise events cut across reads. */
  splitPiecesAt?: number;
  /** Destroy the socket after writing this many pieces (a dropped connection mid-stream). */
  destroyAfterPieces?: number;
  /** Stop writing after this many pieces and hold the connection open (a stalled stream). */
  stallAfterPieces?: number;
}

/** A request the replay server received. */
export interface RecordedRequest {
  /** Method. */
  method: string;
  /** Path and query. */
  url: string;
  /** Lower-cased headers. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (undefined for GET). */
  body: any;
}

/** A loopback HTTP server that answers queued responses in order and records every request. */
export interface ReplayServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Requests received so far. */
  requests: RecordedRequest[];
  /** Queues responses; each request takes the next one (the last one repeats when the queue runs out). */
  enqueue(...responses: ReplayResponse[]): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a replay server on an ephemeral loopback port. */
export async function startReplayServer(): Promise<ReplayServer> {
  const queue: ReplayResponse[] = [];
  const requests: RecordedRequest[] = [];
  let last: ReplayResponse | undefined;
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const text = await readBody(request);
    let body: unknown;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    requests.push({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body });
    const reply = queue.shift() ?? last;
    last = reply;
    if (!reply) {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"replay queue empty"}}');
      return;
    }
    const pieces = typeof reply.body === 'string' ? [reply.body] : reply.body;
    const isStream = Array.isArray(reply.body);
    response.writeHead(reply.status ?? 200, {
      'content-type': isStream ? 'text/event-stream' : 'application/json',
      ...reply.headers,
    });
    let written = 0;
    for (const piece of pieces) {
      if (reply.destroyAfterPieces !== undefined && written >= reply.destroyAfterPieces) {
        response.socket?.destroy();
        return;
      }
      if (reply.stallAfterPieces !== undefined && written >= reply.stallAfterPieces) return;
      if (reply.splitPiecesAt !== undefined && piece.length > reply.splitPiecesAt) {
        const bytes = Buffer.from(piece, 'utf8');
        response.write(bytes.subarray(0, reply.splitPiecesAt));
        await new Promise((resolve) => setImmediate(resolve));
        response.write(bytes.subarray(reply.splitPiecesAt));
      } else {
        response.write(piece);
      }
      written++;
      if (isStream) await new Promise((resolve) => setImmediate(resolve));
    }
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...responses) => queue.push(...responses),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
