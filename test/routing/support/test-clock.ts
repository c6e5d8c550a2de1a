import { abortReason, type RoutingClock, type RoutingTimer } from '../../../src/routing/clock';

/** A clock whose sleeps return at once, advance time and are recorded; timers fire as time advances. */
export interface TestClock extends RoutingClock {
  /** Every wait asked for through `sleep`, in order. */
  sleeps: number[];
  /** Moves time forward, firing due timers. */
  advance(milliseconds: number): void;
  /** Time spent since the clock was made (fake milliseconds). */
  elapsed(): number;
}

/**
 * `realTimers: true` also arms each timer on the real clock (for stalled-connection tests, where
 * nothing advances fake time while a socket hangs).
 */
export function createTestClock(options: { start?: number; realTimers?: boolean } = {}): TestClock {
  const start = options.start ?? 1_700_000_000_000;
  let now = start;
  const timers = new Set<{ at: number; callback: () => void }>();
  const fireDue = (): void => {
    for (const timer of [...timers].sort((a, b) => a.at - b.at)) {
      if (timer.at <= now) {
        timers.delete(timer);
        timer.callback();
      }
    }
  };
  const clock: TestClock = {
    sleeps: [],
    now: () => now,
    advance(milliseconds) {
      now += milliseconds;
      fireDue();
    },
    elapsed: () => now - start,
    setTimer(callback, milliseconds): RoutingTimer {
      const timer = { at: now + milliseconds, callback };
      timers.add(timer);
      let real: ReturnType<typeof setTimeout> | undefined;
      if (options.realTimers) {
        real = setTimeout(() => {
          if (timers.delete(timer)) callback();
        }, milliseconds);
      }
      return {
        cancel: () => {
          timers.delete(timer);
          if (real) clearTimeout(real);
        },
      };
    },
    async sleep(milliseconds, signal) {
      if (signal?.aborted) throw abortReason(signal);
      clock.sleeps.push(milliseconds);
      await Promise.resolve();
      clock.advance(milliseconds);
      if (signal?.aborted) throw abortReason(signal);
    },
  };
  return clock;
}
