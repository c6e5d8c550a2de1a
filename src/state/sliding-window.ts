import type { WindowSpec, WindowState } from '../spec/state-store';

/** One admitted entry of a sliding log. */
export interface WindowLogEntry {
  /** When it was admitted, epoch ms. */
  at: number;
  /** Its cost. */
  cost: number;
}

/**
 * Describe a window from its live entries (oldest first, already pruned to `(now - windowMs, now]`).
 * Shared by the memory and SQL stores; the Redis Lua script mirrors it.
 */
export function describeWindow(
  spec: WindowSpec,
  liveEntries: readonly WindowLogEntry[],
  used: number,
  now: number,
  admitted: boolean,
): WindowState {
  const fits = used + spec.cost <= spec.limit;
  if (admitted) {
    const usedAfter = used + spec.cost;
    const oldestAt = liveEntries.length > 0 ? liveEntries[0].at : now;
    return { key: spec.key, limit: spec.limit, allowed: true, used: usedAfter, remaining: Math.max(0, spec.limit - usedAfter), resetAt: oldestAt + spec.windowMs, retryAfterMs: 0 };
  }
  const base = { key: spec.key, limit: spec.limit, allowed: fits, used, remaining: Math.max(0, spec.limit - used) };
  if (fits) {
    // This window had room; another window refused the entry.
    const oldestAt = liveEntries.length > 0 ? liveEntries[0].at : now;
    return { ...base, resetAt: oldestAt + spec.windowMs, retryAfterMs: 0 };
  }
  if (spec.cost > spec.limit) return base;
  let freed = 0;
  for (const entry of liveEntries) {
    freed += entry.cost;
    if (used - freed + spec.cost <= spec.limit) {
      const resetAt = entry.at + spec.windowMs;
      return { ...base, resetAt, retryAfterMs: Math.max(0, resetAt - now) };
    }
  }
  // Only reachable when entries were settled above their estimate after pruning; the window empties at the latest then.
  const newest = liveEntries.length > 0 ? liveEntries[liveEntries.length - 1].at : now;
  return { ...base, resetAt: newest + spec.windowMs, retryAfterMs: Math.max(0, newest + spec.windowMs - now) };
}
