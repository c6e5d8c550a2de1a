// The benchmark upstream: a separate process (so its CPU never counts against the client) that answers
// OpenAI-style Chat Completions from the recorded fixtures. Prints `{"port":N}` on stdout once listening.
//
// Routes, by first path segment (the rest is the provider path, e.g. /ok/v1/chat/completions):
//   /ok/...    JSON (openai-text.json) or, when the body asks for stream, SSE of openai-text.chunks.txt (recipe A)
//   /long/...  the same, but the stream repeats the content chunks (a long stream)
//   /fail/...  401 with OpenAI's error body: a fast, non-retryable failure
//   /hold/...  like /ok, but held until POST /control/release (in-flight memory)
//   GET /control/stats, POST /control/reset, POST /control/release
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { frameEvents, readChunkLines, readFixture } from '../support/provider-fixtures';

const longRepeats = Number(process.env.BENCH_LONG_REPEATS ?? 10);

const jsonBody = Buffer.from(JSON.stringify(JSON.parse(readFixture('openai/openai-text.json'))));
const chunkLines = readChunkLines('openai/openai-text.chunks.txt');

function streamOf(lines: string[]): Buffer[] {
  return frameEvents(lines, 'A').map((event) => Buffer.from(event));
}

// A long stream keeps the first (role) chunk and the last two (finish, usage) and repeats the content between.
const contentLines = chunkLines.slice(1, -2);
const longLines = [chunkLines[0]!, ...Array.from({ length: longRepeats }, () => contentLines).flat(), ...chunkLines.slice(-2)];
const shortStream = streamOf(chunkLines);
const longStream = streamOf(longLines);
const failBody = Buffer.from(
  JSON.stringify({ error: { message: 'Incorrect API key provided: sk-bench***.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
);

const counts: Record<string, number> = {};
let held: Array<() => void> = [];

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => resolve(Buffer.concat(parts)));
    request.on('error', reject);
  });
}

function answer(response: ServerResponse, body: Buffer, wantsStream: boolean, stream: Buffer[]): void {
  if (!wantsStream) {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    response.end(body);
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of stream) response.write(event);
  response.end();
}

function control(path: string, response: ServerResponse): void {
  if (path === '/control/stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ counts, held: held.length }));
    return;
  }
  if (path === '/control/reset') for (const key of Object.keys(counts)) delete counts[key];
  if (path === '/control/release') {
    const waiting = held;
    held = [];
    for (const send of waiting) send();
  }
  response.writeHead(204);
  response.end();
}

const server = createServer(async (request, response) => {
  const path = request.url ?? '/';
  if (path.startsWith('/control/')) return control(path, response);
  const route = path.split('/')[1] ?? '';
  const body = await readBody(request);
  counts[route] = (counts[route] ?? 0) + 1;
  // Only the stream flag is read; the client's whole body was still received and parsed like a real server would.
  const wantsStream = body.length > 0 && (JSON.parse(body.toString('utf8')) as { stream?: boolean }).stream === true;
  switch (route) {
    case 'ok':
      return answer(response, jsonBody, wantsStream, shortStream);
    case 'long':
      return answer(response, jsonBody, wantsStream, longStream);
    case 'fail':
      response.writeHead(401, { 'content-type': 'application/json', 'content-length': failBody.length });
      response.end(failBody);
      return;
    case 'hold':
      held.push(() => answer(response, jsonBody, wantsStream, shortStream));
      return;
    default:
      response.writeHead(404);
      response.end();
  }
});

server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.maxConnections = 4096;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port, shortChunks: shortStream.length, longChunks: longStream.length })}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
