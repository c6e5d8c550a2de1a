import { describe, expect, it } from 'vitest';
import { TextBuilder } from '../../src/http/text-builder';

describe('TextBuilder', () => {
  it('is empty until something is appended', () => {
    const builder = new TextBuilder();
    expect(builder.toString()).toBe('');
    expect(builder.length).toBe(0);
    builder.append('');
    expect(builder.toString()).toBe('');
  });

  it('returns the pieces joined in order, across the points where it joins them', () => {
    for (const count of [1, 2, 127, 128, 129, 256, 1000]) {
      const builder = new TextBuilder();
      const pieces = Array.from({ length: count }, (_, index) => `${index % 7 === 0 ? '' : 'é'}${index},`);
      for (const piece of pieces) builder.append(piece);
      const expected = pieces.join('');
      expect(builder.toString()).toBe(expected);
      expect(builder.length).toBe(expected.length);
    }
  });

  it('can be read in the middle and go on', () => {
    const builder = new TextBuilder();
    let expected = '';
    for (let index = 0; index < 300; index++) {
      builder.append(`w${index} `);
      expected += `w${index} `;
      if (index % 50 === 0) expect(builder.toString()).toBe(expected);
    }
    expect(builder.toString()).toBe(expected);
  });
});
