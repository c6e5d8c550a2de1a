import { mapFetchError } from './map-fetch-error';
import { parseProviderJson } from './post-json';
import { LineChunkDecoder } from './line-chunk-decoder';

/** Decodes an NDJSON body (Ollama) into parsed values; leaving the loop early cancels the body. */
export async function* readNewlineDelimitedJson<T>(
  body: ReadableStream<Uint8Array>,
  provider: string,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const decoder = new LineChunkDecoder();
  const reader = body.getReader();
  // Whole lines in one or two pieces per read, so the buffer is empty between them (no copying) unless a
  // piece ends with a lone CR.
  let buffer = '';
  const pieces: string[] = [];
  const take = (text: string): void => {
    pieces.push(text);
  };
  let finished = false;
  try {
    while (true) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw mapFetchError(error, provider, signal);
      }
      if (chunk.done) decoder.end(take);
      else decoder.decode(chunk.value, take);
      for (let index = 0; index < pieces.length; index++) {
        buffer = buffer.length === 0 ? pieces[index]! : buffer + pieces[index]!;
        let start = 0;
        let newline = buffer.indexOf('\n');
        while (newline !== -1) {
          const line = buffer.slice(start, newline).trim();
          if (line.length > 0) yield parseProviderJson<T>(line, provider);
          start = newline + 1;
          newline = buffer.indexOf('\n', start);
        }
        buffer = buffer.slice(start);
      }
      pieces.length = 0;
      if (chunk.done) {
        const rest = buffer.trim();
        if (rest.length > 0) yield parseProviderJson<T>(rest, provider);
        break;
      }
    }
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
