import { describe, expect, it } from 'vitest';
import { RecentOutcomes } from '../../src/routing/recent-outcomes';

/** What the health tracker kept before: an array of outcome objects, trimmed from the front. */
function arrayReference(capacity: number) {
  const outcomes: Array<{ at: number; failed: boolean }> = [];
  return {
    push(at: number, failed: boolean) {
      outcomes.push({ at, failed });
      while (outcomes.length > capacity) outcomes.shift();
    },
    dropUntil(cutoff: number) {
      while (outcomes.length > 0 && outcomes[0]!.at <= cutoff) outcomes.shift();
    },
    get count() {
      return outcomes.length;
    },
    get failures() {
      return outcomes.filter((outcome) => outcome.failed).length;
    },
    countAfter(from: number) {
      const kept = outcomes.filter((outcome) => outcome.at > from);
      return { requests: kept.length, failures: kept.filter((outcome) => outcome.failed).length };
    },
  };
}

describe('RecentOutcomes', () => {
  it('keeps the last outcomes and their failures exactly as an array trimmed from the front would, across many wraps', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (const capacity of [1, 2, 5, 200]) {
      const ring = new RecentOutcomes(capacity);
      const reference = arrayReference(capacity);
      let time = 1_000;
      for (let step = 0; step < 5_000; step++) {
        time += Math.floor(random() * 30);
        const roll = random();
        if (roll < 0.8) {
          const failed = random() < 0.3;
          ring.push(time, failed);
          reference.push(time, failed);
        } else if (roll < 0.9) {
          ring.dropUntil(time - 500);
          reference.dropUntil(time - 500);
        }
        expect([ring.count, ring.failures], `capacity ${capacity}, step ${step}`).toEqual([reference.count, reference.failures]);
        if (step % 97 === 0) expect(ring.countAfter(time - 300)).toEqual(reference.countAfter(time - 300));
      }
    }
  });

  it('keeps nothing with a capacity of 0', () => {
    const ring = new RecentOutcomes(0);
    ring.push(1, true);
    ring.dropUntil(0);
    expect([ring.count, ring.failures, ring.countAfter(0)]).toEqual([0, 0, { requests: 0, failures: 0 }]);
  });
});
