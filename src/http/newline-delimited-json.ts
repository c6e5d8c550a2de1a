import { mapFetchError } from './map-fetch-error';
import { parseProviderJson } from './post-json';
import { Utf8ChunkDecoder } from './utf8-chunk-decoder';

/** Decodes an NDJSON body (Ollama) into parsed values; leaving the loop early cancels the body. */
export async function* readNewlineDelimitedJson<T>(
  body: ReadableStream<Uint8Array>,
  provider: string,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const decoder = new Utf8ChunkDecoder();
  const reader = body.getReader();
  let buffer = '';
  let finished = false;
  try {
    while (true) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw mapFetchError(error, provider, signal);
      }
      buffer += chunk.done ? decoder.end() : decoder.decode(chunk.value);
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line.length > 0) yield parseProviderJson<T>(line, provider);
        newline = buffer.indexOf('\n');
      }
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
