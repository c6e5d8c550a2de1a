// The Node transport (`createPooledFetch`): plain requests go straight to the pool's dispatcher and answer
// with a Response-compatible object. Each case runs the OpenAI adapter over the loopback replay server through
// both the pooled transport and globalThis.fetch and expects the same results and the same typed errors.
import { AsyncLocalStorage } from 'node:async_hooks';
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/errors/aborted-error';
import { AuthenticationError } from '../../src/errors/authentication-error';
import { LLMError } from '../../src/errors/llm-error';
import { NetworkError } from '../../src/errors/network-error';
import { TimeoutError } from '../../src/errors/timeout-error';
import { createCallDeadline } from '../../src/http/call-deadline';
import { sendProviderRequest } from '../../src/http/post-json';
import { takesAbortSignalLikeOf } from '../../src/http/takes-abort-signal-like';
import { readServerSentEvents } from '../../src/http/server-sent-events';
import { createPooledFetch, type PooledFetch } from '../../src/node/pooled-fetch';
import { createOpenAI } from '../../src/providers/openai';
import type { ProviderChatCall } from '../../src/spec/chat';
import type { ProviderStreamPart } from '../../src/spec/stream';
import { framedFixture, readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { startHoldingServer, waitFor } from '../support/holding-server';

const apiKey = 'sk-test-0123456789abcdefghij';
const hello: ProviderChatCall = { model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hello' }] };

let server: ReplayServer;
let pool: PooledFetch;

beforeAll(async () => {
  server = await startReplayServer();
  pool = createPooledFetch();
});

afterAll(async () => {
  await pool.close();
  await server.close();
});

const transports = () => [
  ['pooled', pool.fetch],
  ['globalThis.fetch', globalThis.fetch],
] as const;

async function collect(parts: AsyncIterable<ProviderStreamPart>): Promise<ProviderStreamPart[]> {
  const collected: ProviderStreamPart[] = [];
  for await (const part of parts) collected.push(part);
  return collected;
}

async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('createPooledFetch through the OpenAI adapter', () => {
  it('answers a JSON chat exactly as fetch does', async () => {
    const results = [];
    for (const [, fetch] of transports()) {
      server.enqueue({ headers: { 'content-type': 'application/json' }, body: readFixture('openai/openai-text.json') });
      results.push(await createOpenAI({ apiKey, baseUrl: server.url }).chat(hello, { fetch }));
    }
    expect(results[0]!.text.length).toBeGreaterThan(0);
    expect(results[0]).toEqual(results[1]);
    const sent = server.requests.at(-2)!;
    expect(sent.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.body.model).toBe('gpt-4.1-nano');
  });

  it('streams server-sent events, split across reads, exactly as fetch does', async () => {
    const results = [];
    for (const [, fetch] of transports()) {
      server.enqueue({ headers: { 'content-type': 'text/event-stream' }, body: framedFixture('openai/openai-text.chunks.txt', 'A'), splitPiecesAt: 7 });
      results.push(await collect(createOpenAI({ apiKey, baseUrl: server.url }).stream({ ...hello }, { fetch })));
    }
    expect(results[0]!.some((part) => part.type === 'text-delta')).toBe(true);
    expect(results[0]!.at(-1)?.type).toBe('finish');
    expect(results[0]).toEqual(results[1]);
    expect(server.requests.at(-1)!.headers.accept).toBe('text/event-stream');
  });

  it('turns an error status into the same typed error', async () => {
    const errors: unknown[] = [];
    for (const [, fetch] of transports()) {
      server.enqueue({ status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }) });
      errors.push(await failureOf(() => createOpenAI({ apiKey, baseUrl: server.url }).chat(hello, { fetch })));
    }
    expect(errors[0]).toBeInstanceOf(AuthenticationError);
    expect((errors[0] as LLMError).message).toBe((errors[1] as LLMError).message);
    expect((errors[0] as LLMError).status).toBe(401);
  });

  it('reports a connection dropped mid-stream as a NetworkError', async () => {
    for (const [name, fetch] of transports()) {
      server.enqueue({ headers: { 'content-type': 'text/event-stream' }, body: framedFixture('openai/openai-text.chunks.txt', 'A'), destroyAfterPieces: 2 });
      const error = await failureOf(() => collect(createOpenAI({ apiKey, baseUrl: server.url }).stream({ ...hello }, { fetch })));
      expect(error, name).toBeInstanceOf(NetworkError);
    }
  });

  it('refuses a closed port as a NetworkError', async () => {
    const closed = await startReplayServer();
    const url = closed.url;
    await closed.close();
    for (const [name, fetch] of transports()) {
      const error = await failureOf(() => createOpenAI({ apiKey, baseUrl: url }).chat(hello, { fetch }));
      expect(error, name).toBeInstanceOf(NetworkError);
    }
  });

  it('carries the abort to the socket: a stalled stream ends with the caller’s typed reason', async () => {
    for (const [name, fetch] of transports()) {
      server.enqueue({ headers: { 'content-type': 'text/event-stream' }, body: framedFixture('openai/openai-text.chunks.txt', 'A'), stallAfterPieces: 2 });
      const controller = new AbortController();
      const reason = new TimeoutError('deadline passed');
      const parts: ProviderStreamPart[] = [];
      const error = await failureOf(async () => {
        for await (const part of createOpenAI({ apiKey, baseUrl: server.url }).stream({ ...hello }, { fetch, signal: controller.signal })) {
          parts.push(part);
          if (parts.length === 1) controller.abort(reason);
        }
      });
      expect(error, name).toBe(reason);
    }
  });

  it('rejects with the signal’s reason when aborted before the answer', async () => {
    // Nothing is queued: the request never leaves.
    const controller = new AbortController();
    controller.abort();
    const error = await failureOf(() => createOpenAI({ apiKey, baseUrl: server.url }).chat(hello, { fetch: pool.fetch, signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortedError);
  });
});

describe('the pooled Response', () => {
  it('reads headers case-insensitively, JSON, and marks the body used', async () => {
    server.enqueue({ headers: { 'content-type': 'application/json', 'x-request-id': 'abc' }, body: '{"a":1}' });
    const response = await pool.fetch(`${server.url}/json`, { headers: new Headers({ 'X-Custom': 'yes' }) });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Request-Id')).toBe('abc');
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual({ a: 1 });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toBeInstanceOf(TypeError);
    const sent = server.requests.at(-1)!;
    expect(sent.method).toBe('GET');
    expect(sent.headers['x-custom']).toBe('yes');
    expect(sent.headers['user-agent']).toBe('undici');
    expect(sent.headers.accept).toBe('*/*');
  });

  it('clones: both copies read the whole body', async () => {
    server.enqueue({ body: 'hello world' });
    const response = await pool.fetch(`${server.url}/clone`, { method: 'POST', body: 'x' });
    const copy = response.clone();
    expect(await copy.text()).toBe('hello world');
    expect(await response.text()).toBe('hello world');
    expect(server.requests.at(-1)!.headers['content-type']).toBe('text/plain;charset=UTF-8');
  });

  it('has a null body for 204 and an empty text', async () => {
    server.enqueue({ status: 204, body: '' });
    const response = await pool.fetch(`${server.url}/empty`);
    expect(response.body).toBeNull();
    expect(await response.text()).toBe('');
  });

  it('reads a body as a web stream through the SSE reader, and cancelling it frees the socket', async () => {
    server.enqueue({ headers: { 'content-type': 'text/event-stream' }, body: ['data: one\n\n', 'data: two\n\n', 'data: three\n\n'] });
    const response = await sendProviderRequest({ url: `${server.url}/events`, fetch: pool.fetch, headers: {}, body: {}, provider: 'test' });
    const events: string[] = [];
    for await (const event of readServerSentEvents(response.body!, 'test')) {
      events.push(event.data);
      if (events.length === 2) break;
    }
    expect(events).toEqual(['one', 'two']);
    server.enqueue({ body: 'still served' });
    expect(await (await pool.fetch(`${server.url}/after`)).text()).toBe('still served');
  });

  it('hands chunks that arrived while the reader was busy over as one read, bytes intact and in order', async () => {
    const pieces = Array.from({ length: 40 }, (_, index) => `data: event ${index}\n\n`);
    server.enqueue({ headers: { 'content-type': 'text/event-stream' }, body: pieces });
    const response = await pool.fetch(`${server.url}/events`);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    let reads = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      reads++;
      received += decoder.decode(value, { stream: true });
      // A consumer busy after its first read: meanwhile the server writes the other 39 events, one write
      // each (well under a millisecond of work against a 50 ms pause).
      if (reads === 1) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(received).toBe(pieces.join(''));
    // Without joining, every event is a read of its own (40).
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(reads).toBeLessThanOrEqual(4);
  });

  it('follows a redirect through undici fetch, and closes the socket of the answer it dropped', async () => {
    const holding = await startHoldingServer((response, request) => {
      if (request.url === '/moved') {
        response.writeHead(307, { location: '/here', 'content-length': '2000' });
        response.write('x'.repeat(100)); // a body it never finishes: only closing the socket ends it
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`arrived by ${request.method}`);
    });
    try {
      const response = await pool.fetch(`${holding.url}/moved`, { method: 'POST', body: 'payload' });
      expect(response.redirected).toBe(true);
      expect(await response.text()).toBe('arrived by POST');
      await waitFor(() => holding.closed.includes('/moved'));
      expect(holding.closed).toContain('/moved');
    } finally {
      await holding.close();
    }
  });

  it('keeps a large body nobody reads yet waiting at the socket, and hands it over whole, as text and as a stream', async () => {
    const large = Array.from({ length: 40_000 }, (_, index) => `line ${index}\n`).join(''); // ~420 KB, well past 64 KiB
    const holding = await startHoldingServer((response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(large);
    });
    try {
      const early = await pool.fetch(`${holding.url}/large`, { method: 'POST', body: '{}' });
      const streamed = await pool.fetch(`${holding.url}/large`, { method: 'POST', body: '{}' });
      await new Promise((resolve) => setTimeout(resolve, 30)); // the server has written it all by now
      expect(await early.text()).toBe(large);
      const reader = streamed.body!.getReader();
      const decoder = new TextDecoder();
      let received = '';
      for (let part = await reader.read(); !part.done; part = await reader.read()) received += decoder.decode(part.value, { stream: true });
      expect(received).toBe(large);
    } finally {
      await holding.close();
    }
  });

  it('drops a leading byte-order mark from text, as fetch does, and keeps it in the bytes', async () => {
    server.enqueue({ body: '\uFEFF{"a":1}' });
    const response = await pool.fetch(`${server.url}/bom`);
    const copy = response.clone();
    expect(await response.json()).toEqual({ a: 1 });
    expect(Array.from((await copy.bytes()).slice(0, 3))).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('resumes the caller in its own async context after the answer, a whole read and a stream read', async () => {
    const context = new AsyncLocalStorage<string>();
    const seen = await Promise.all(
      ['first', 'second'].map((name) =>
        context.run(name, async () => {
          server.enqueue({ headers: { 'content-type': 'text/event-stream' }, body: ['data: one\n\n', 'data: two\n\n'] });
          const streamed = await pool.fetch(`${server.url}/context/${name}`);
          const afterAnswer = context.getStore();
          const reader = streamed.body!.getReader();
          while (!(await reader.read()).done);
          const afterStream = context.getStore();
          server.enqueue({ body: 'whole' });
          await (await pool.fetch(`${server.url}/context/${name}/whole`)).text();
          return [afterAnswer, afterStream, context.getStore()];
        }),
      ),
    );
    expect(seen).toEqual([
      ['first', 'first', 'first'],
      ['second', 'second', 'second'],
    ]);
  });

  it('hands anything but a plain request to undici fetch on the same pool', async () => {
    server.enqueue({ body: 'via fetch' });
    const response = await pool.fetch(`${server.url}/form`, { method: 'PUT', body: new URLSearchParams({ a: '1' }) });
    expect(typeof response.clone).toBe('function');
    expect(await response.text()).toBe('via fetch');
    expect(server.requests.at(-1)!.method).toBe('PUT');
    expect(server.requests.at(-1)!.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
  });

  it('sends a frozen header object the same way every time, as fetch would', async () => {
    const json = Object.freeze({ 'content-type': 'application/json', authorization: 'Bearer sk-frozen', 'X-Extra': 'one' });
    const bare = Object.freeze({ authorization: 'Bearer sk-frozen' });
    for (let index = 0; index < 5; index++) server.enqueue({ body: 'ok' });
    const seen: Array<Record<string, unknown>> = [];
    for (const [headers, body] of [[json, '{}'], [json, '{}'], [bare, 'text'], [bare, new Uint8Array([1])], [bare, 'text']] as const) {
      await (await pool.fetch(`${server.url}/frozen`, { method: 'POST', headers, body })).text();
      seen.push(server.requests.at(-1)!.headers);
    }
    for (const headers of seen) {
      expect(headers.authorization).toBe('Bearer sk-frozen');
      expect(headers['user-agent']).toBe('undici');
    }
    expect(seen[0]!['content-type']).toBe('application/json');
    expect(seen[0]!['x-extra']).toBe('one');
    expect(seen[1]).toEqual({ ...seen[0], 'content-length': seen[1]!['content-length'] });
    // Without a content type of their own, the body decides it on every call, as fetch does.
    expect(seen[2]!['content-type']).toBe('text/plain;charset=UTF-8');
    expect(seen[3]!['content-type']).toBeUndefined();
    expect(seen[4]!['content-type']).toBe('text/plain;charset=UTF-8');
  });

  it('sends path and query as given, to as many URLs as asked, and fails a non-HTTP URL as fetch does', async () => {
    for (let index = 0; index < 300; index++) server.enqueue({ body: `answer ${index}` });
    for (let index = 0; index < 300; index++) {
      const response = await pool.fetch(`${server.url}/v1/models/m${index}?api-version=2024-10-21&n=${index}#ignored`, { method: 'GET' });
      expect(await response.text()).toBe(`answer ${index}`);
      expect(server.requests.at(-1)!.url).toBe(`/v1/models/m${index}?api-version=2024-10-21&n=${index}`);
    }
    const failure = await failureOf(() => pool.fetch('ftp://127.0.0.1/file', { method: 'GET' }));
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as Error).message).toBe('fetch failed');
  });
});

describe('the pooled transport with an abort-signal-like object', () => {
  it('is marked as taking one, and the mark does not travel with a spread copy', () => {
    expect(takesAbortSignalLikeOf(pool.fetch)).toBe(true);
    expect(takesAbortSignalLikeOf(globalThis.fetch)).toBe(false);
    const adapter = createOpenAI({ apiKey });
    expect(takesAbortSignalLikeOf(adapter)).toBe(true);
    expect(takesAbortSignalLikeOf({ ...adapter })).toBe(false);
  });

  it('closes the socket and rejects with its reason when it fires, on the direct path and through undici fetch', async () => {
    const holding = await startHoldingServer();
    const own = createPooledFetch();
    try {
      const requests = [
        ['direct', { method: 'POST', body: '{}' }],
        ['fetch', { method: 'PUT', body: new URLSearchParams({ a: '1' }) }],
      ] as const;
      for (const [index, [name, init]] of requests.entries()) {
        const deadline = createCallDeadline(60_000, undefined, () => new TimeoutError('unused'));
        const reason = new TimeoutError(`deadline ${name}`);
        const pending = failureOf(() => own.fetch(`${holding.url}/${name}`, { ...init, signal: deadline as unknown as AbortSignal }));
        await waitFor(() => holding.received.length > index);
        expect(holding.received.length, name).toBe(index + 1);
        deadline.abort(reason);
        expect(await pending, name).toBe(reason);
        await waitFor(() => holding.closed.includes(`/${name}`));
        expect(holding.closed, name).toContain(`/${name}`);
        deadline.dispose();
      }
    } finally {
      await own.close();
      await holding.close();
    }
  });

  it('keeps its abort listener on the signal while the body is arriving, and takes it off when the body ends, read or not', async () => {
    const body = JSON.stringify({ ok: true, text: 'x'.repeat(2048) });
    let finishHeld: (() => void) | undefined;
    const holding = await startHoldingServer((response, request) => {
      if (request.url === '/partial') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
        response.write(body.slice(0, 100));
        setTimeout(() => response.socket?.destroy(), 20); // dropped mid-body
        return;
      }
      if (request.url === '/held') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
        response.write(body.slice(0, 100));
        finishHeld = () => response.end(body.slice(100));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(body);
    });
    const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;
    try {
      const reads = [
        ['text', (response: Response) => response.text()],
        ['json', (response: Response) => response.json()],
        ['arrayBuffer', (response: Response) => response.arrayBuffer()],
        ['bytes', (response: Response) => (response as unknown as { bytes(): Promise<Uint8Array> }).bytes()],
      ] as const;
      for (const [name, read] of reads) {
        const controller = new AbortController();
        const response = await pool.fetch(`${holding.url}/whole`, { method: 'POST', body: '{}', signal: controller.signal });
        const value = await read(response);
        expect(name === 'json' ? (value as { ok: boolean }).ok : name === 'text' ? (value as string).length : (value as ArrayBuffer).byteLength, name).toBe(
          name === 'json' ? true : body.length,
        );
        expect(listeners(controller.signal), name).toBe(0);
      }
      // A body nobody reads lets the signal go once it has all arrived.
      const unread = new AbortController();
      await pool.fetch(`${holding.url}/whole`, { method: 'POST', body: '{}', signal: unread.signal });
      await waitFor(() => listeners(unread.signal) === 0);
      expect(listeners(unread.signal)).toBe(0);
      // Half a body: the abort must still reach the socket, then the end lets it go.
      const held = new AbortController();
      const response = await pool.fetch(`${holding.url}/held`, { method: 'POST', body: '{}', signal: held.signal });
      expect(listeners(held.signal)).toBe(1);
      const reading = response.text();
      finishHeld!();
      expect((await reading).length).toBe(body.length);
      expect(listeners(held.signal)).toBe(0);
      // Dropped mid-body: the read fails and the signal is let go.
      const dropped = new AbortController();
      const partial = await pool.fetch(`${holding.url}/partial`, { method: 'POST', body: '{}', signal: dropped.signal });
      await expect(partial.text()).rejects.toBeDefined();
      expect(listeners(dropped.signal)).toBe(0);
    } finally {
      await holding.close();
    }
  });

  it('still aborts a body that is being read: the read rejects with the reason and the socket closes', async () => {
    const holding = await startHoldingServer((response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
      response.write('{"partial":'); // and nothing more
    });
    try {
      const deadline = createCallDeadline(60_000, undefined, () => new TimeoutError('unused'));
      const reason = new TimeoutError('deadline while reading');
      const response = await pool.fetch(`${holding.url}/stalled`, { method: 'POST', body: '{}', signal: deadline as unknown as AbortSignal });
      const reading = failureOf(() => response.text());
      await new Promise((resolve) => setTimeout(resolve, 20));
      deadline.abort(reason);
      expect(await reading).toBe(reason);
      await waitFor(() => holding.closed.includes('/stalled'));
      expect(holding.closed).toContain('/stalled');
      deadline.dispose();
    } finally {
      await holding.close();
    }
  });

  it('rejects at once a request aborted while it waits for a socket, and never sends it', async () => {
    const holding = await startHoldingServer();
    const single = createPooledFetch({ connections: 1 });
    try {
      const first = new AbortController();
      const occupying = failureOf(() => single.fetch(`${holding.url}/first`, { method: 'POST', body: '{}', signal: first.signal }));
      await waitFor(() => holding.received.length === 1);
      const deadline = createCallDeadline(60_000, undefined, () => new TimeoutError('unused'));
      const reason = new TimeoutError('gave up waiting for a socket');
      const queued = failureOf(() => single.fetch(`${holding.url}/second`, { method: 'POST', body: '{}', signal: deadline as unknown as AbortSignal }));
      deadline.abort(reason);
      expect(await queued).toBe(reason);
      first.abort(new AbortedError('done'));
      expect(await occupying).toBeInstanceOf(AbortedError);
      // The freed socket is not used for the abandoned request.
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(holding.received.length).toBe(1);
      deadline.dispose();
    } finally {
      await single.close();
      await holding.close();
    }
  });

  it('settles every one of 300 racing requests on 8 sockets, a third aborted at random moments, and leaks nothing', async () => {
    const bodies = Array.from({ length: 300 }, (_, index) => (index % 10 === 0 ? 'x'.repeat(100_000 + index) : `answer ${index}`));
    const holding = await startHoldingServer((response, request) => {
      const index = Number(request.url!.slice(1));
      const delay = index % 7; // 0–6 ms before the headers
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        const body = bodies[index]!;
        // Large bodies go out in two writes with a pause between, so some aborts land mid-body.
        if (body.length > 1000) {
          response.write(body.slice(0, 50_000));
          setTimeout(() => response.end(body.slice(50_000)), 3);
        } else response.end(body);
      }, delay);
    });
    const racing = createPooledFetch({ connections: 8 });
    try {
      const controllers = bodies.map(() => new AbortController());
      const outcomes = bodies.map(async (body, index) => {
        const controller = controllers[index]!;
        try {
          const response = await racing.fetch(`${holding.url}/${index}`, { method: 'POST', body: '{}', signal: controller.signal });
          const text = index % 2 === 0 ? await response.text() : await new Response(response.body).text();
          return text === body ? 'whole' : `wrong body for ${index}`;
        } catch (error) {
          return controller.signal.aborted && error === controller.signal.reason ? 'aborted' : `unexpected failure for ${index}: ${String(error)}`;
        }
      });
      // A third are aborted: some at once (still queued for one of the 8 sockets), the rest 1–12 ms later.
      for (let index = 0; index < bodies.length; index += 3) {
        const reason = new AbortedError(`stopped ${index}`);
        if (index % 2 === 0) controllers[index]!.abort(reason);
        else setTimeout(() => controllers[index]!.abort(reason), 1 + (index % 12));
      }
      const settled = await Promise.all(outcomes);
      const problems = settled.filter((outcome) => outcome !== 'whole' && outcome !== 'aborted');
      expect(problems).toEqual([]);
      expect(settled.filter((outcome) => outcome === 'aborted').length).toBeGreaterThan(0);
      // Every request not aborted got its whole body.
      for (const [index, outcome] of settled.entries()) if (index % 3 !== 0) expect(outcome, String(index)).toBe('whole');
      // No listener is left on any signal, and the pool still answers.
      expect(controllers.filter((controller) => getEventListeners(controller.signal, 'abort').length > 0).length).toBe(0);
      const after = await racing.fetch(`${holding.url}/1`, { method: 'POST', body: '{}' });
      expect(await after.text()).toBe(bodies[1]);
    } finally {
      await racing.close();
      await holding.close();
    }
  });

  it('does not send a request whose signal already fired', async () => {
    const deadline = createCallDeadline(60_000, undefined, () => new TimeoutError('unused'));
    const reason = new AbortedError('stopped before sending');
    deadline.abort(reason);
    const before = server.requests.length;
    expect(await failureOf(() => pool.fetch(`${server.url}/never`, { method: 'POST', body: '{}', signal: deadline as unknown as AbortSignal }))).toBe(reason);
    expect(server.requests.length).toBe(before);
  });
});
