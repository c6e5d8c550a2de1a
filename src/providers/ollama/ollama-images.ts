import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { ImagePart } from '../../spec/message';
import { bytesToBase64, isHttpUrl, parseBase64DataUrl } from '../shared/image-data';

/**
 * Ollama takes images as bare base64 in `images`, with no media type. Data URLs are unwrapped; remote URLs
 * are refused (the local server does not download them, and fetching on its behalf would leak the request).
 */
export function toOllamaImage(part: ImagePart, provider: string, messageIndex: number): string {
  if (typeof part.image !== 'string') return bytesToBase64(part.image);
  const dataUrl = parseBase64DataUrl(part.image);
  if (dataUrl) return dataUrl.data;
  if (isHttpUrl(part.image)) {
    throw new InvalidRequestError(`${provider}: messages[${messageIndex}] image: Ollama needs images inline (bytes, base64 or a data: URL), not a remote URL`, {
      provider,
    });
  }
  return part.image;
}
