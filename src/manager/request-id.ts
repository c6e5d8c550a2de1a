// Random bytes are drawn from WebCrypto in blocks: a call id needs 16 of them, and a refill per call
// costs more than the id itself.
const blockBytes = 4096;
let pool = new Uint8Array(0);
let offset = 0;
const hexDigits = [...'0123456789abcdef'].map((digit) => digit.charCodeAt(0));
const dash = '-'.charCodeAt(0);
const codes = new Array<number>(36);

/**
 * A random (version 4) UUID for a call. The same format and randomness as `crypto.randomUUID()`, made as
 * one flat string: Node's own builds it from 20 concatenated pieces, a rope of about 400 bytes that every
 * in-flight call and usage record would keep until something flattens it.
 */
export function newRequestId(): string {
  if (offset + 16 > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(blockBytes));
    offset = 0;
  }
  let position = 0;
  for (let index = 0; index < 16; index++) {
    let byte = pool[offset + index]!;
    if (index === 6) byte = (byte & 0x0f) | 0x40; // version 4
    else if (index === 8) byte = (byte & 0x3f) | 0x80; // RFC 4122 variant
    if (index === 4 || index === 6 || index === 8 || index === 10) codes[position++] = dash;
    codes[position++] = hexDigits[byte >> 4]!;
    codes[position++] = hexDigits[byte & 0x0f]!;
  }
  offset += 16;
  return String.fromCharCode.apply(null, codes);
}
