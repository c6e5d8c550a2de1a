import { describe, expect, it } from 'vitest';
import { LineChunkDecoder } from '../../src/http/line-chunk-decoder';

const encode = (text: string) => new TextEncoder().encode(text);

/** A small deterministic generator, so a failure can be replayed. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  return (below: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % below;
  };
}

// Valid characters of every length, line breaks of every kind, a byte-order mark, and byte runs that are
// invalid or cut short (some right before a line break).
const pieces: Uint8Array[] = [
  encode('a'), encode('data: {"x":1}\n\n'), encode('\n'), encode('\r'), encode('\r\n'), new Uint8Array([0xe2, 0x82, 0x0a]), encode('é'), encode('€'), encode('😀'), encode('\uFEFF'), encode('中文'),
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

/** The pieces handed on while reading, and those at the end. */
function decodeWith(reads: Uint8Array[]): { during: string[]; atEnd: string[] } {
  const decoder = new LineChunkDecoder();
  const during: string[] = [];
  const atEnd: string[] = [];
  for (const read of reads) decoder.decode(read, (text) => during.push(text));
  decoder.end((text) => atEnd.push(text));
  return { during, atEnd };
}

function piecesOf(decoder: LineChunkDecoder, bytes: Uint8Array): string[] {
  const handed: string[] = [];
  decoder.decode(bytes, (text) => handed.push(text));
  return handed;
}

function endOf(decoder: LineChunkDecoder): string[] {
  const handed: string[] = [];
  decoder.end((text) => handed.push(text));
  return handed;
}

function decodeStreaming(reads: Uint8Array[]): string {
  const decoder = new TextDecoder();
  let text = '';
  for (const read of reads) text += decoder.decode(read, { stream: true });
  return text + decoder.decode();
}

describe('LineChunkDecoder', () => {
  it('gives what TextDecoder in streaming mode gives, in pieces that end with a line break, over 5,000 random bodies cut at random places', () => {
    const random = randomSource(20261205);
    let piecesHanded = 0;
    for (let round = 0; round < 5000; round++) {
      const body = randomBody(random);
      const reads = randomReads(body, random);
      const expected = decodeStreaming(reads);
      const { during, atEnd } = decodeWith(reads);
      const actual = during.join('') + atEnd.join('');
      const failure = (why: string) =>
        new Error(`round ${round}: ${why}: reads ${JSON.stringify(reads.map((read) => [...read]))} gave ${JSON.stringify([during, atEnd])}, expected ${JSON.stringify(expected)}`);
      if (actual !== expected) throw failure('different text');
      for (const piece of during) {
        if (piece.length === 0 || !/[\r\n]$/.test(piece)) throw failure('a piece handed on while reading does not end with a line break');
      }
      // Nothing whole is kept back: what the end hands on has no line break but for a lone CR the body
      // may have ended with (a read ending in CR is handed on unless the read also held an LF).
      if (atEnd.some((piece) => piece.includes('\n'))) throw failure('a whole line waited for the end');
      piecesHanded += during.length;
    }
    expect(piecesHanded).toBeGreaterThan(5000);
  });

  it('hands on a read cut after its last line break in one piece, and joins a line cut between reads', () => {
    const decoder = new LineChunkDecoder();
    expect(piecesOf(decoder, encode('data: 1\n\ndata: 2\n\ndata: '))).toEqual(['data: 1\n\ndata: 2\n\n']);
    expect(piecesOf(decoder, encode('3\n\ndata: 4\n\n'))).toEqual(['data: 3\n', '\ndata: 4\n\n']);
    expect(piecesOf(decoder, encode('data: 5'))).toEqual([]);
    expect(piecesOf(decoder, encode('5'))).toEqual([]);
    expect(endOf(decoder)).toEqual(['data: 55']);
  });

  it('holds back a character cut between reads and gives it whole with its line', () => {
    const decoder = new LineChunkDecoder();
    const euro = encode('€'); // e2 82 ac
    expect(piecesOf(decoder, new Uint8Array([0x61, 0x0a, euro[0]!, euro[1]!]))).toEqual(['a\n']);
    expect(piecesOf(decoder, new Uint8Array([euro[2]!, 0x62, 0x0a]))).toEqual(['€b\n']);
    expect(endOf(decoder)).toEqual([]);
  });

  it('hands on at a CR when a read has no LF (CR-only framing)', () => {
    const decoder = new LineChunkDecoder();
    expect(piecesOf(decoder, encode('data: 1\r\rdata: 2'))).toEqual(['data: 1\r\r']);
    expect(piecesOf(decoder, encode('\r\r'))).toEqual(['data: 2\r', '\r']);
  });

  it('drops a byte-order mark only at the very start, even when it arrives a byte at a time', () => {
    const decoder = new LineChunkDecoder();
    expect(piecesOf(decoder, new Uint8Array([0xef]))).toEqual([]);
    expect(piecesOf(decoder, new Uint8Array([0xbb]))).toEqual([]);
    expect(piecesOf(decoder, new Uint8Array([0xbf, 0x61, 0x0a]))).toEqual(['a\n']);
    expect(piecesOf(decoder, encode('\uFEFFb\n'))).toEqual(['\uFEFFb\n']);
  });

  it('ends a character cut short by the end of the body with U+FFFD', () => {
    const decoder = new LineChunkDecoder();
    expect(piecesOf(decoder, new Uint8Array([0x61, 0x0a, 0xf0, 0x9f, 0x98]))).toEqual(['a\n']);
    expect(endOf(decoder)).toEqual(['\uFFFD']);
  });
});
