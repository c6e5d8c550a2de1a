import { createAlertMonitor, type UsageAlertFiringRecord } from '../governance/alerts';
import { periodStart } from '../governance/usage-period';
import type { Storage, UsageAlertRecord, UsageTotals } from '../spec/storage';

/** Settings of the manager's alert checks. */
export interface UsageAlertOptions {
  /** Called once per alert, period and threshold (across every process sharing the storage). */
  onAlert(firing: UsageAlertFiringRecord): void | Promise<void>;
  /** How often users with new usage are checked, in milliseconds (default 5,000). */
  intervalMs?: number;
  /** Observes failed checks (default: ignored; the next round retries). */
  onError?(error: unknown): void;
}

/** Checks the stored alerts of users who just used something, off the hot path. */
export interface UsageAlertChecks {
  /** Marks a user for the next round (synchronous, O(1)). */
  touch(userId: string): void;
  /** Runs a round now: flushes the ledger, then checks every touched user. */
  run(): Promise<void>;
  /** Stops the timer after a last round. */
  close(): Promise<void>;
}

function valueOf(alert: UsageAlertRecord, totals: UsageTotals): number {
  switch (alert.metric) {
    case 'requests':
      return totals.requests;
    case 'tokens':
      return totals.inputTokens + totals.outputTokens;
    default:
      return totals.costMicroUsd;
  }
}

export function createUsageAlertChecks(storage: Storage, flushLedger: () => Promise<void>, options: UsageAlertOptions): UsageAlertChecks {
  const monitor = createAlertMonitor({ sink: storage, onAlert: options.onAlert, onError: options.onError });
  const touched = new Set<string>();
  let running: Promise<void> | undefined;

  async function checkUser(userId: string, now: number): Promise<void> {
    const alerts = (await storage.listUsageAlerts(userId)).filter((alert) => alert.enabled);
    for (const alert of alerts) {
      const summary = await storage.summarizeUsage({ userId, from: periodStart(alert.period, now), to: now + 1, groupBy: [] });
      await monitor.check({ alertId: alert.id, userId, period: alert.period, limit: alert.limit, value: valueOf(alert, summary.totals), thresholdsPercent: alert.thresholdsPercent, now });
    }
  }

  async function round(): Promise<void> {
    if (touched.size === 0) return;
    const users = [...touched];
    touched.clear();
    // Alerts read the ledger, which is written in batches: write what is queued first.
    await flushLedger();
    const now = Date.now();
    for (const userId of users) {
      try {
        await checkUser(userId, now);
      } catch (error) {
        touched.add(userId);
        options.onError?.(error);
      }
    }
  }

  const run = (): Promise<void> => (running ??= round().finally(() => (running = undefined)));
  const timer = setInterval(() => void run().catch((error: unknown) => options.onError?.(error)), options.intervalMs ?? 5_000);
  (timer as { unref?: () => void }).unref?.();

  return {
    touch: (userId) => void touched.add(userId),
    run,
    async close() {
      clearInterval(timer);
      await running;
      await run();
    },
  };
}
