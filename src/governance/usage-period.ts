import type { UsagePeriod } from '../spec/storage-records';

/**
 * Calendar periods in UTC for budgets and alerts: an hour, a day, a month, or `total` (never resets).
 * UTC keeps every process and every database on the same boundaries.
 */

/** Start of the period containing `now`, epoch ms (0 for `total`). */
export function periodStart(period: UsagePeriod, now: number): number {
  const date = new Date(now);
  switch (period) {
    case 'hour':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours());
    case 'day':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    case 'total':
      return 0;
  }
}

/** Start of the next period (when a budget resets), or undefined for `total`. */
export function periodEnd(period: UsagePeriod, now: number): number | undefined {
  const date = new Date(now);
  switch (period) {
    case 'hour':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours() + 1);
    case 'day':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    case 'total':
      return undefined;
  }
}

/** A readable key of the period containing `now`: `2026-11`, `2026-11-23`, `2026-11-23T10`, `total`. */
export function periodKey(period: UsagePeriod, now: number): string {
  if (period === 'total') return 'total';
  const iso = new Date(periodStart(period, now)).toISOString();
  if (period === 'month') return iso.slice(0, 7);
  if (period === 'day') return iso.slice(0, 10);
  return iso.slice(0, 13);
}

/** The adjective used in scope names: `hourly`, `daily`, `monthly`, `total`. */
export function periodAdjective(period: UsagePeriod): string {
  return period === 'total' ? 'total' : period === 'hour' ? 'hourly' : period === 'day' ? 'daily' : 'monthly';
}
