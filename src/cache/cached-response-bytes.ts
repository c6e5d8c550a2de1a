import type { CachedResponse } from './cached-response';

const encoder = new TextEncoder();

/** Size of an entry as the UTF-8 bytes of its JSON, which is what it would take in a shared cache. */
export function cachedResponseBytes(value: CachedResponse): number {
  return Math.max(1, encoder.encode(JSON.stringify(value)).byteLength);
}
