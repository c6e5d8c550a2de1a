import { InvalidRequestError } from '../../errors/invalid-request-error';
import type { ImagePart } from '../../spec/message';

/** An image to send inline: base64 payload and media type. */
export interface InlineImage {
  /** MIME type such as `image/png`. */
  mediaType: string;
  /** Base64 payload, without a `data:` prefix. */
  data: string;
}

/** Base64 without Buffer, built in slices so large images do not overflow `String.fromCharCode`'s argument list. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}

/**
 * Splits a base64 `data:` URL (`data:image/png;base64,…`, parameters before `;base64` allowed) into its
 * media type (undefined when the URL names none) and payload; undefined for anything else.
 */
export function parseBase64DataUrl(value: string): { mediaType?: string; data: string } | undefined {
  const match = /^data:([^;,]*)(?:;[^;,]*)*?;base64,(.*)$/is.exec(value);
  if (!match) return undefined;
  const mediaType = match[1]!.trim();
  return mediaType.length > 0 ? { mediaType, data: match[2]! } : { data: match[2]! };
}

/** True for an `http://` or `https://` URL: a remote image the provider fetches itself. */
export function isHttpUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/**
 * An image part that is not a remote URL, as base64 and media type: bytes are encoded, a base64 data URL
 * is split, any other string is taken as plain base64. The media type comes from the data URL, else from
 * `part.mediaType`; without either the part is refused, naming the message.
 */
export function toInlineImage(part: ImagePart, provider: string, messageIndex: number): InlineImage {
  if (typeof part.image !== 'string') {
    if (!part.mediaType) throw new InvalidRequestError(`${provider}: messages[${messageIndex}] image bytes need a mediaType`, { provider });
    return { mediaType: part.mediaType, data: bytesToBase64(part.image) };
  }
  const dataUrl = parseBase64DataUrl(part.image);
  const mediaType = dataUrl?.mediaType ?? part.mediaType;
  if (!mediaType) {
    throw new InvalidRequestError(
      `${provider}: messages[${messageIndex}] image is neither a URL nor a data: URL with a media type, so it needs a mediaType (such as image/png)`,
      { provider },
    );
  }
  return { mediaType, data: dataUrl ? dataUrl.data : part.image };
}

/** An image part as a URL for APIs that take one (`image_url`): http(s) and data URLs as given, the rest as a data URL. */
export function toImageUrl(part: ImagePart, provider: string, messageIndex: number): string {
  if (typeof part.image === 'string' && (isHttpUrl(part.image) || /^data:/i.test(part.image))) return part.image;
  const { mediaType, data } = toInlineImage(part, provider, messageIndex);
  return `data:${mediaType};base64,${data}`;
}
