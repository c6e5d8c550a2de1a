import { describe, expect, it, vi } from 'vitest';
import { newRequestId } from '../../src/manager/request-id';

const version7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisecondsOf = (id: string): number => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);

describe('call ids', () => {
  it('are version 7 UUIDs whose first 48 bits are the creation time in Unix milliseconds', () => {
    const before = Date.now();
    const ids = Array.from({ length: 1_000 }, () => newRequestId());
    const after = Date.now();
    for (const id of ids) {
      expect(id).toMatch(version7);
      expect(millisecondsOf(id)).toBeGreaterThanOrEqual(before);
      expect(millisecondsOf(id)).toBeLessThanOrEqual(after);
    }
  });

  it('sort by time: an id made in a later millisecond sorts after every earlier one', () => {
    vi.useFakeTimers({ now: new Date('2026-12-04T10:00:00.000Z'), toFake: ['Date'] });
    try {
      const earlier = Array.from({ length: 100 }, () => newRequestId());
      vi.setSystemTime(new Date('2026-12-04T10:00:00.001Z'));
      const later = Array.from({ length: 100 }, () => newRequestId());
      expect(millisecondsOf(later[0]!)).toBe(Date.UTC(2026, 11, 4, 10, 0, 0, 1));
      for (const id of later) for (const old of earlier) expect(id > old).toBe(true);
      // Far dates keep all 48 bits: the year 10889 is the last millisecond they hold.
      vi.setSystemTime(new Date(2 ** 48 - 1));
      expect(newRequestId().slice(0, 13)).toBe('ffffffff-ffff');
    } finally {
      vi.useRealTimers();
    }
  });

  it('never repeat, and every random position takes every hex digit', () => {
    const seen = new Set<string>();
    const digitsAt = Array.from({ length: 36 }, () => new Set<string>());
    for (let index = 0; index < 50_000; index++) {
      const id = newRequestId();
      seen.add(id);
      for (let position = 15; position < 36; position++) digitsAt[position]!.add(id[position]!);
    }
    expect(seen.size).toBe(50_000);
    for (let position = 15; position < 36; position++) {
      if (position === 18 || position === 19 || position === 23) continue;
      expect(digitsAt[position]!.size).toBe(16);
    }
    expect([...digitsAt[19]!].sort()).toEqual(['8', '9', 'a', 'b']);
  });
});
