import { describe, expect, it } from 'vitest';
import { createAlertMonitor, type AlertFiringSink, type UsageAlertFiringRecord } from '../../src/governance/alerts';

/** Insert-if-absent on the firing key, like the storage adapters. */
function createFiringStore() {
  const stored = new Map<string, UsageAlertFiringRecord>();
  let failing = false;
  const sink: AlertFiringSink = {
    async recordUsageAlertFiring(firing) {
      if (failing) throw new Error('storage down');
      if (stored.has(firing.key)) return false;
      stored.set(firing.key, firing);
      return true;
    },
  };
  return { sink, stored, setFailing: (value: boolean) => (failing = value) };
}

const day = Date.UTC(2026, 10, 23, 9);
const nextDay = Date.UTC(2026, 10, 24, 0, 0, 1);

describe('alerts', () => {
  it('fires each threshold once per period, in order', async () => {
    const store = createFiringStore();
    const fired: number[] = [];
    const monitor = createAlertMonitor({ sink: store.sink, onAlert: (firing) => void fired.push(firing.thresholdPercent) });
    const check = { alertId: 'daily-cost', userId: 'u1', period: 'day' as const, limit: 1_000_000, thresholdsPercent: [100, 50, 80], now: day };
    expect(await monitor.check({ ...check, value: 400_000 })).toEqual([]);
    const first = await monitor.check({ ...check, value: 850_000 });
    expect(first.map((firing) => firing.thresholdPercent)).toEqual([50, 80]);
    expect(first[0]).toMatchObject({ key: `daily-cost:${Date.UTC(2026, 10, 23)}:50`, userId: 'u1', value: 850_000, firedAt: day });
    await monitor.check({ ...check, value: 900_000 });
    await monitor.check({ ...check, value: 1_000_000 });
    await monitor.check({ ...check, value: 2_000_000 });
    expect(fired).toEqual([50, 80, 100]);
    // A new day starts over.
    await monitor.check({ ...check, value: 600_000, now: nextDay });
    expect(fired).toEqual([50, 80, 100, 50]);
    expect(store.stored.size).toBe(4);
  });

  it('fires once across processes sharing the store', async () => {
    const store = createFiringStore();
    let hooks = 0;
    const monitors = Array.from({ length: 4 }, () => createAlertMonitor({ sink: store.sink, onAlert: () => void (hooks += 1) }));
    const check = { alertId: 'budget-u1', userId: 'u1', period: 'month' as const, limit: 100, value: 100, thresholdsPercent: [100], now: day };
    await Promise.all(monitors.map((monitor) => monitor.check(check)));
    expect(hooks).toBe(1);
  });

  it('retries a firing the store could not record, and survives a throwing hook', async () => {
    const store = createFiringStore();
    const errors: unknown[] = [];
    let hooks = 0;
    const monitor = createAlertMonitor({
      sink: store.sink,
      onAlert: () => {
        hooks += 1;
        throw new Error('hook bug');
      },
      onError: (error) => errors.push(error),
      now: () => day,
    });
    const check = { alertId: 'a', userId: 'u1', period: 'day' as const, limit: 10, value: 10, thresholdsPercent: [100] };
    store.setFailing(true);
    expect(await monitor.check(check)).toEqual([]);
    store.setFailing(false);
    expect(await monitor.check(check)).toHaveLength(1);
    expect(await monitor.check(check)).toHaveLength(0);
    expect(hooks).toBe(1);
    expect(errors).toHaveLength(2);
  });
});
