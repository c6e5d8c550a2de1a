import { readServerSentEventBatches, type ServerSentEvent } from '../../http/server-sent-events';
import type { ProviderStreamPart } from '../../spec/stream';

/**
 * Appends the parts one server-sent event gives to `parts` (or throws its typed error); returns true when
 * the event ends the stream, and nothing after it is read.
 */
export type StreamEventHandler = (event: ServerSentEvent, parts: ProviderStreamPart[]) => boolean | void;

/** Whether `parts` from `from` on hold anything a user reads (text, reasoning, a tool call). */
export function hasContentFrom(parts: readonly ProviderStreamPart[], from: number): boolean {
  for (let index = from; index < parts.length; index++) {
    const type = parts[index]!.type;
    if (type === 'text-delta' || type === 'reasoning-delta' || type === 'tool-call-delta' || type === 'tool-call') return true;
  }
  return false;
}

/**
 * A provider's event stream as batches of parts: the parts of every event one network read completed go
 * out together, so each layer above pays its asynchronous hop once per read rather than once per token.
 * The first content goes out at once, not after the rest of its read (a first read can hold many events,
 * and the time to the first token is what a user sees). Parts before a failure still go out before it.
 * Returns true when `handle` said an event ended the stream, false when the body simply ended.
 */
export async function* partBatchesOfEvents(
  body: ReadableStream<Uint8Array>,
  provider: string,
  signal: AbortSignal | undefined,
  handle: StreamEventHandler,
): AsyncGenerator<ProviderStreamPart[], boolean, undefined> {
  let contentSent = false;
  for await (const batch of readServerSentEventBatches(body, provider, signal)) {
    let parts: ProviderStreamPart[] = [];
    let ended = false;
    let failed = false;
    let failure: unknown;
    try {
      for (const event of batch) {
        const before = parts.length;
        ended = handle(event, parts) === true;
        if (!contentSent && parts.length > before && hasContentFrom(parts, before)) {
          contentSent = true;
          yield parts;
          parts = [];
        }
        if (ended) break;
      }
    } catch (error) {
      failed = true;
      failure = error;
    }
    if (parts.length > 0) yield parts;
    if (failed) throw failure;
    if (ended) return true;
  }
  return false;
}
