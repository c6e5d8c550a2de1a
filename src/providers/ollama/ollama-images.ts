import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { ImagePart } from '../../spec/message';

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunked so large images do not overflow the argument limit of String.fromCharCode.
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}

/**
 * Ollama takes images as bare base64 in `images`. Data URLs are unwrapped; remote URLs are refused
 * (the local server does not download them, and fetching on its behalf would leak the request).
 */
export function toOllamaImage(part: ImagePart, provider: string): string {
  if (typeof part.image !== 'string') return bytesToBase64(part.image);
  const dataUrl = /^data:[^;,]*;base64,(.*)$/is.exec(part.image);
  if (dataUrl) return dataUrl[1]!;
  if (/^https?:/i.test(part.image)) {
    throw new InvalidRequestError(`${provider}: Ollama needs images inline (bytes, base64 or a data: URL), not a remote URL`, { provider });
  }
  return part.image;
}
