// FNV-1a: a tiny, stable string hash, enough to seed the generator below.
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// mulberry32: a seeded generator, so the same text always yields the same vector on every runtime.
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** A unit-length vector derived only from the model and the text: deterministic, and distinct per text. */
export function mockEmbedding(model: string, text: string, dimensions: number): number[] {
  const next = seededRandom(hashText(`${model}\u0000${text}`));
  const vector = Array.from({ length: dimensions }, () => next() * 2 - 1);
  const length = Math.hypot(...vector) || 1;
  return vector.map((value) => value / length);
}
