import { AbortedError } from '../errors/aborted-error';
import { ConfigurationError } from '../errors/configuration-error';

export const defaultBatchSize = 100;

/** Validates a batch size option (1–10,000). */
export function resolveBatchSize(batchSize: number | undefined, label: string): number {
  const size = batchSize ?? defaultBatchSize;
  if (!Number.isInteger(size) || size < 1 || size > 10_000) {
    throw new ConfigurationError(`${label} batchSize must be an integer from 1 to 10000, got ${String(batchSize)}`);
  }
  return size;
}

/** Validates the actor written into audit rows. */
export function resolveActor(actor: string | undefined, label: string): string {
  const value = actor ?? 'system';
  if (typeof value !== 'string' || value.length === 0) throw new ConfigurationError(`${label} actor must be a non-empty string`);
  return value;
}

/** Stops between batches when the caller aborted; the next run resumes where this one stopped. */
export function throwIfAborted(signal: AbortSignal | undefined, label: string): void {
  if (signal?.aborted) throw new AbortedError(`${label} was aborted; run it again to resume`, { cause: signal.reason });
}
