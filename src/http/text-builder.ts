// A string built from many small deltas. `text += delta` keeps a rope node per delta alive until the end
// of the stream, and every one of them is copied by each young-generation collection it survives: on a
// long stream that costs more than the deltas themselves. Here deltas are joined every 128 into one
// flat string, so a stream keeps a few hundred objects alive, not one per token.
const piecesPerJoin = 128;

/** Appends text pieces; `toString()` returns them joined. */
export class TextBuilder {
  #joined: string[] = [];
  #pieces: string[] = [];
  #length = 0;

  /** Total characters appended. */
  get length(): number {
    return this.#length;
  }

  /** Appends one piece. */
  append(piece: string): void {
    if (piece.length === 0) return;
    this.#length += piece.length;
    if (this.#pieces.push(piece) === piecesPerJoin) {
      this.#joined.push(this.#pieces.join(''));
      this.#pieces = [];
    }
  }

  /** Everything appended so far, as one string. */
  toString(): string {
    if (this.#joined.length === 0) return this.#pieces.length === 1 ? this.#pieces[0]! : this.#pieces.join('');
    return this.#joined.join('') + this.#pieces.join('');
  }
}
