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

/** The `image_url.url` Cohere accepts: an https URL or a data URL. */
export function toCohereImageUrl(part: ImagePart, provider: string): string {
  if (typeof part.image === 'string') {
    if (/^(https?:|data:)/i.test(part.image)) return part.image;
    if (!part.mediaType) {
      throw new InvalidRequestError(`${provider}: an image given as base64 needs its mediaType`, { provider });
    }
    return `data:${part.mediaType};base64,${part.image}`;
  }
  if (!part.mediaType) throw new InvalidRequestError(`${provider}: an image given as bytes needs its mediaType`, { provider });
  return `data:${part.mediaType};base64,${bytesToBase64(part.image)}`;
}
