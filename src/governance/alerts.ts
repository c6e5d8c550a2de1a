import { ConfigurationError } from '../errors/configuration-error';
import type { UsageAlertFiringRecord, UsagePeriod } from '../spec/storage-records';
import { periodStart } from './usage-period';

export type { UsageAlertFiringRecord } from '../spec/storage-records';

/** Where firings are stored; the storage adapter's insert-if-absent on the firing's `key`. */
export interface AlertFiringSink {
  /** Stores the firing unless one with the same key exists; true when this call stored it. */
  recordUsageAlertFiring(firing: UsageAlertFiringRecord): Promise<boolean>;
}

/** One measurement to check against an alert's thresholds. */
export interface AlertCheck {
  /** The alert (or budget) id. */
  alertId: string;
  /** Whose usage it is. */
  userId: string;
  /** Period the value accumulates over. */
  period: UsagePeriod;
  /** The limit the thresholds are percentages of (micro-dollars for cost, counts otherwise). */
  limit: number;
  /** The value so far in the period. */
  value: number;
  /** Thresholds in percent, such as `[50, 80, 100]`. */
  thresholdsPercent: readonly number[];
  /** Current time, epoch ms; default the monitor's clock. */
  now?: number;
}

export interface AlertMonitorOptions {
  /** Stores firings idempotently, so each fires once per period across every process. */
  sink: AlertFiringSink;
  /** The hook: called once per alert, period and threshold, by the process that stored the firing. */
  onAlert?: (firing: UsageAlertFiringRecord) => void | Promise<void>;
  /** Observes sink and hook failures (a failure to store is retried at the next check). */
  onError?: (error: unknown) => void;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

export interface AlertMonitor {
  /** Fires every threshold the value has reached that has not fired yet this period; returns the new firings. */
  check(check: AlertCheck): Promise<UsageAlertFiringRecord[]>;
}

/** The idempotency key of a firing: one per alert, period and threshold. */
export function alertFiringKey(alertId: string, periodStartMs: number, thresholdPercent: number): string {
  return `${alertId}:${periodStartMs}:${thresholdPercent}`;
}

/**
 * Threshold alerts (for example 50 / 80 / 100 % of a budget or of a daily cost). A firing is stored with an
 * idempotent key before the hook runs, and only the caller that stored it runs the hook, so the hook runs
 * once per alert, period and threshold even when several processes check at once.
 */
export function createAlertMonitor(options: AlertMonitorOptions): AlertMonitor {
  if (typeof options.sink?.recordUsageAlertFiring !== 'function') {
    throw new ConfigurationError('alert monitor needs a sink with recordUsageAlertFiring(firing)');
  }
  const clock = options.now ?? Date.now;
  const onError = options.onError ?? (() => undefined);
  // Thresholds already known to have fired, for the latest period of each alert only (bounded memory).
  const fired = new Map<string, { periodStart: number; thresholds: Set<number> }>();

  return {
    async check(check) {
      if (!(check.limit > 0)) return [];
      for (const threshold of check.thresholdsPercent) {
        if (!Number.isFinite(threshold) || threshold <= 0) {
          throw new ConfigurationError(`alert ${check.alertId}: thresholds must be positive percentages, got ${String(threshold)}`);
        }
      }
      const now = check.now ?? clock();
      const start = periodStart(check.period, now);
      let known = fired.get(check.alertId);
      if (known === undefined || known.periodStart !== start) {
        known = { periodStart: start, thresholds: new Set() };
        fired.set(check.alertId, known);
      }
      const reached = [...new Set(check.thresholdsPercent)]
        .sort((a, b) => a - b)
        .filter((threshold) => check.value * 100 >= check.limit * threshold && !known.thresholds.has(threshold));
      const firings: UsageAlertFiringRecord[] = [];
      for (const threshold of reached) {
        const firing: UsageAlertFiringRecord = {
          key: alertFiringKey(check.alertId, start, threshold),
          alertId: check.alertId,
          userId: check.userId,
          periodStart: start,
          thresholdPercent: threshold,
          value: check.value,
          firedAt: now,
        };
        let stored: boolean;
        try {
          stored = await options.sink.recordUsageAlertFiring(firing);
        } catch (error) {
          // Not marked as fired: the next check tries again.
          onError(error);
          continue;
        }
        known.thresholds.add(threshold);
        if (!stored) continue;
        firings.push(firing);
        try {
          await options.onAlert?.(firing);
        } catch (error) {
          onError(error);
        }
      }
      return firings;
    },
  };
}
