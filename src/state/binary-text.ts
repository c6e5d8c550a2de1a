import type { CacheValue } from '../spec/state-store';

// Backends that only store text keep a one-letter tag: `s` for strings, `b` for base64 bytes.

export function encodeCacheValue(value: CacheValue): string {
  if (typeof value === 'string') return `s${value}`;
  let binary = '';
  for (let index = 0; index < value.length; index += 0x8000) {
    binary += String.fromCharCode(...value.subarray(index, index + 0x8000));
  }
  return `b${btoa(binary)}`;
}

export function decodeCacheValue(encoded: string): CacheValue {
  if (encoded.startsWith('s')) return encoded.slice(1);
  const binary = atob(encoded.slice(1));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
