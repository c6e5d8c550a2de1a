import { AbortedError } from '../errors/aborted-error';
import { LLMError } from '../errors/llm-error';
import { NetworkError } from '../errors/network-error';
import { TimeoutError } from '../errors/timeout-error';
import type { AbortSignalLike } from './abort-source';

/** Turns whatever `fetch` or a body read threw into a typed error, telling a caller's abort from a timeout. */
export function mapFetchError(error: unknown, provider: string, signal?: Pick<AbortSignalLike, 'aborted' | 'reason'>): LLMError {
  if (LLMError.isInstance(error)) return error;
  const reason = signal?.aborted ? signal.reason : undefined;
  if (LLMError.isInstance(reason)) return reason;
  const name = (error as { name?: string } | undefined)?.name;
  if (name === 'TimeoutError' || (reason as { name?: string } | undefined)?.name === 'TimeoutError') {
    return new TimeoutError(`${provider}: the request timed out`, { provider, cause: error });
  }
  if (name === 'AbortError' || signal?.aborted) {
    return new AbortedError(`${provider}: the request was aborted`, { provider, cause: error });
  }
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error | undefined)?.message ?? String(error);
  return new NetworkError(`${provider}: network failure (${detail})`, { provider, cause: error });
}
