import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { mapFetchError } from './map-fetch-error';
import { LineChunkDecoder } from './line-chunk-decoder';

/** One server-sent event: its `event:` name (if any) and its `data:` payload. */
export interface ServerSentEvent {
  /** The `event:` field; undefined when the server sent none. */
  event?: string;
  /** The joined `data:` lines. */
  data: string;
}

/**
 * Decodes an SSE body (LF, CR or CRLF framing; comments such as `: keep-alive` are dropped), one batch per
 * network read: every event that read completed, parsed synchronously. A read failure throws a typed
 * network error; leaving the loop early cancels the body.
 */
export async function* readServerSentEventBatches(
  body: ReadableStream<Uint8Array>,
  provider: string,
  signal?: AbortSignal,
): AsyncGenerator<ServerSentEvent[]> {
  let pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event) });
  const feed = parser.feed;
  const decoder = new LineChunkDecoder();
  const reader = body.getReader();
  let finished = false;
  try {
    while (true) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw mapFetchError(error, provider, signal);
      }
      if (chunk.done) {
        decoder.end(feed);
        // A last event without its blank line (some servers end on `data: [DONE]\n`) still counts.
        parser.reset({ consume: true });
      } else {
        decoder.decode(chunk.value, feed);
      }
      if (pending.length > 0) {
        const events = pending;
        pending = [];
        yield events;
      }
      if (chunk.done) break;
    }
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** As `readServerSentEventBatches`, one event at a time. */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  provider: string,
  signal?: AbortSignal,
): AsyncGenerator<ServerSentEvent> {
  for await (const events of readServerSentEventBatches(body, provider, signal)) {
    for (const event of events) yield event.event === undefined ? { data: event.data } : { event: event.event, data: event.data };
  }
}
