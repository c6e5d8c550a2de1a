import { batched, batchesOf, type BatchedIterable } from '../http/part-batches';
import type { ProviderStreamPart } from '../spec/stream';

/**
 * Passes a provider stream through unchanged while recording its parts. `onComplete` receives a copy of
 * every part once the `finish` part arrives (the last part of a successful stream); a stream that throws, is
 * aborted, or is left before its `finish` part is never handed over (so never cached).
 */
export function recordStream(
  source: AsyncIterable<ProviderStreamPart>,
  onComplete: (parts: ProviderStreamPart[]) => void,
): BatchedIterable<ProviderStreamPart> {
  return batched(() => recordBatches(source, onComplete));
}

async function* recordBatches(
  source: AsyncIterable<ProviderStreamPart>,
  onComplete: (parts: ProviderStreamPart[]) => void,
): AsyncGenerator<ProviderStreamPart[]> {
  const recorded: ProviderStreamPart[] = [];
  for await (const parts of batchesOf(source)) {
    for (const part of parts) {
      // Copied now: the consumer may mutate the objects it receives.
      recorded.push(structuredClone(part));
      // `finish` is always the last part of a successful stream (adapters throw before it otherwise), so the
      // recording is complete here, even if the consumer stops reading right after it.
      if (part.type === 'finish') onComplete(recorded);
    }
    yield parts;
  }
}

/** Replays recorded parts as a stream: text, reasoning, tool calls, usage and finish, in their order. */
export async function* replayStream(parts: readonly ProviderStreamPart[]): AsyncGenerator<ProviderStreamPart> {
  for (const part of parts) yield structuredClone(part);
}
