import { describe, expect, it } from 'vitest';
import { Utf8ChunkDecoder } from '../../src/http/utf8-chunk-decoder';

const encode = (text: string) => new TextEncoder().encode(text);

/** A small deterministic generator, so a failure can be replayed. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  return (below: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % below;
  };
}

// Valid characters of every length, a byte-order mark, and byte runs that are invalid or cut short.
const pieces: Uint8Array[] = [
  encode('a'), encode('data: {"x":1}\n\n'), encode('é'), encode('€'), encode('😀'), encode('\uFEFF'), encode('中文'),
  new Uint8Array([0x80]), new Uint8Array([0xbf, 0xbf]), new Uint8Array([0xc0, 0x80]), new Uint8Array([0xe0, 0x80]),
  new Uint8Array([0xed, 0xa0, 0x80]), new Uint8Array([0xf0, 0x9f]), new Uint8Array([0xf8]), new Uint8Array([0xff, 0xfe]),
  new Uint8Array([0xe2, 0x82]), new Uint8Array([0xf4, 0x90, 0x80, 0x80]),
];

function randomBody(random: (below: number) => number): Uint8Array {
  const parts: Uint8Array[] = [];
  if (random(3) === 0) parts.push(encode('\uFEFF'));
  const count = 1 + random(40);
  for (let index = 0; index < count; index++) parts.push(pieces[random(pieces.length)]!);
  const body = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.length;
  }
  return body;
}

function randomReads(body: Uint8Array, random: (below: number) => number): Uint8Array[] {
  const reads: Uint8Array[] = [];
  let offset = 0;
  while (offset < body.length) {
    const size = random(8); // empty reads too
    reads.push(body.subarray(offset, offset + size));
    offset += size;
  }
  return reads;
}

function decodeWith(reads: Uint8Array[]): string {
  const decoder = new Utf8ChunkDecoder();
  let text = '';
  for (const read of reads) text += decoder.decode(read);
  return text + decoder.end();
}

function decodeStreaming(reads: Uint8Array[]): string {
  const decoder = new TextDecoder();
  let text = '';
  for (const read of reads) text += decoder.decode(read, { stream: true });
  return text + decoder.decode();
}

describe('Utf8ChunkDecoder', () => {
  it('gives what TextDecoder in streaming mode gives, over 5,000 random bodies cut at random places', () => {
    const random = randomSource(20261205);
    for (let round = 0; round < 5000; round++) {
      const body = randomBody(random);
      const reads = randomReads(body, random);
      const expected = decodeStreaming(reads);
      const actual = decodeWith(reads);
      if (actual !== expected) {
        throw new Error(`round ${round}: reads ${JSON.stringify(reads.map((read) => [...read]))} gave ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
      }
    }
  });

  it('holds back a character cut between reads and gives it whole with the next read', () => {
    const decoder = new Utf8ChunkDecoder();
    const euro = encode('€'); // e2 82 ac
    expect(decoder.decode(new Uint8Array([0x61, euro[0]!, euro[1]!]))).toBe('a');
    expect(decoder.decode(new Uint8Array([euro[2]!, 0x62]))).toBe('€b');
    expect(decoder.end()).toBe('');
  });

  it('drops a byte-order mark only at the very start, even when it arrives a byte at a time', () => {
    const decoder = new Utf8ChunkDecoder();
    expect(decoder.decode(new Uint8Array([0xef]))).toBe('');
    expect(decoder.decode(new Uint8Array([0xbb]))).toBe('');
    expect(decoder.decode(new Uint8Array([0xbf, 0x61]))).toBe('a');
    expect(decoder.decode(encode('\uFEFFb'))).toBe('\uFEFFb');
  });

  it('ends a character cut short by the end of the body with U+FFFD', () => {
    const decoder = new Utf8ChunkDecoder();
    expect(decoder.decode(new Uint8Array([0x61, 0xf0, 0x9f, 0x98]))).toBe('a');
    expect(decoder.end()).toBe('\uFFFD');
  });
});
