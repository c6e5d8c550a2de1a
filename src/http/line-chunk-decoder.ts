const lineFeed = 0x0a;
const carriageReturn = 0x0d;

/**
 * Decodes a UTF-8 body of lines (SSE, NDJSON) read by read, handing on whole lines only, with the output of
 * one `TextDecoder` in streaming mode (a leading byte-order mark dropped, invalid bytes as U+FFFD).
 *
 * Why whole lines: a line parser given text that ends mid-line keeps the rest and joins it to the next
 * text, which copies every read (eventsource-parser does; 16 KB of two-byte text per read, a third of what
 * a stream allocates). Cut after its last line break instead, each read is decoded once where it lies, and
 * only the line cut between two reads is joined, as bytes. A line-break byte never occurs inside a UTF-8
 * sequence and ends any sequence left incomplete before it, so text cut there decodes exactly as it would
 * whole. Why whole decodes: TextDecoder's own streaming mode (`{ stream: true }`) costs ~8 µs per 16 KB
 * read on Node 20 against under 1 µs (measured).
 */
export class LineChunkDecoder {
  readonly #decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  // The bytes after the last line break so far: usually part of one line, over several reads for a long one.
  #held: Uint8Array[] = [];
  #heldLength = 0;
  #started = false;

  /**
   * Hands `onText` the text of the lines that `bytes` completes, in one or two pieces that each end with a
   * line break (LF, or CR where a read has no LF); the rest waits for the next read.
   */
  decode(bytes: Uint8Array, onText: (text: string) => void): void {
    // LF ends lines in nearly every body; only a read without one is searched for CR (CR-only framing).
    let breakByte = lineFeed;
    let last = bytes.lastIndexOf(lineFeed);
    if (last === -1) {
      breakByte = carriageReturn;
      last = bytes.lastIndexOf(carriageReturn);
      if (last === -1) {
        this.#hold(bytes.slice());
        return;
      }
    }
    let start = 0;
    if (this.#heldLength > 0) {
      start = bytes.indexOf(breakByte) + 1;
      this.#hold(bytes.subarray(0, start));
      this.#emit(this.#takeHeld(), onText);
    }
    if (start <= last) this.#emit(start === 0 && last === bytes.length - 1 ? bytes : bytes.subarray(start, last + 1), onText);
    // A copy: the reader may hand the same buffer back filled with the next read.
    if (last + 1 < bytes.length) this.#hold(bytes.slice(last + 1));
  }

  /** Hands on what is left when the body ended (a last line without its break; a character cut short is U+FFFD). */
  end(onText: (text: string) => void): void {
    if (this.#heldLength > 0) this.#emit(this.#takeHeld(), onText);
  }

  #hold(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#held.push(bytes);
    this.#heldLength += bytes.length;
  }

  #takeHeld(): Uint8Array {
    const held = this.#held;
    let joined: Uint8Array;
    if (held.length === 1) joined = held[0]!;
    else {
      joined = new Uint8Array(this.#heldLength);
      let offset = 0;
      for (const part of held) {
        joined.set(part, offset);
        offset += part.length;
      }
    }
    this.#held = [];
    this.#heldLength = 0;
    return joined;
  }

  #emit(bytes: Uint8Array, onText: (text: string) => void): void {
    let text = this.#decoder.decode(bytes);
    if (!this.#started) {
      if (text.length === 0) return;
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        if (text.length === 0) return;
      }
    }
    onText(text);
  }
}
