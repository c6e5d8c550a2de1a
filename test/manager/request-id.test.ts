import { describe, expect, it } from 'vitest';
import { newRequestId } from '../../src/manager/request-id';

describe('call ids', () => {
  it('are version 4 UUIDs with the RFC 4122 variant', () => {
    for (let index = 0; index < 1_000; index++) {
      expect(newRequestId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('never repeat across many random blocks, and use every hex digit in every free position', () => {
    const seen = new Set<string>();
    const digitsAt = Array.from({ length: 36 }, () => new Set<string>());
    for (let index = 0; index < 50_000; index++) {
      const id = newRequestId();
      seen.add(id);
      for (let position = 0; position < 36; position++) digitsAt[position]!.add(id[position]!);
    }
    expect(seen.size).toBe(50_000);
    const fixed = new Set([8, 13, 14, 18, 19, 23]);
    for (let position = 0; position < 36; position++) if (!fixed.has(position)) expect(digitsAt[position]!.size).toBe(16);
    expect([...digitsAt[19]!].sort()).toEqual(['8', '9', 'a', 'b']);
  });
});
