// Base64 helpers on top of atob/btoa, which every target runtime (Node ≥ 16, Deno, Bun, workers) has.

const base64UrlPattern = /^[A-Za-z0-9_-]*$/;
const base64AnyPattern = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)={0,2}$/;

/** Encodes bytes as unpadded base64url. */
export function encodeBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let index = 0; index < bytes.length; index += 1) binary += String.fromCharCode(bytes[index]!);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes strict, canonical unpadded base64url; undefined when `text` is not exactly what
 * `encodeBase64Url` would produce (so one ciphertext has only one spelling).
 */
export function decodeBase64UrlStrict(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!base64UrlPattern.test(text) || text.length % 4 === 1) return undefined;
  const bytes = decodeBase64Any(text);
  if (bytes === undefined || encodeBase64Url(bytes) !== text) return undefined;
  return bytes;
}

/** Decodes standard or url-safe base64, padded or not; undefined when it is not base64. */
export function decodeBase64Any(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (text.length === 0 || !base64AnyPattern.test(text)) return undefined;
  const standard = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (standard.length % 4 === 1) return undefined;
  const padded = standard + '='.repeat((4 - (standard.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
