import type { CostBreakdown } from '../../src/governance/cost';
import { buildUsageRecord, type UsageRecord } from '../../src/governance/usage-recorder';

/** `count` realistic ledger rows (one successful attempt each), ids unique per `tag`. */
export function usageRecords(count: number, tag: string): UsageRecord[] {
  const time = Date.now();
  return Array.from({ length: count }, (_, index) =>
    buildUsageRecord({
      requestId: `${tag}-${index}`,
      attemptNumber: 1,
      time: time + index,
      userId: `user-${index % 100}`,
      feature: 'bench',
      provider: 'openai',
      model: 'gpt-4.1-nano',
      keySource: 'managed',
      usage: { inputTokens: 19, outputTokens: 240, totalTokens: 259 },
      // Only microUsd and priceTableVersion reach the row.
      cost: { microUsd: 98, priceTableVersion: 'bench' } as CostBreakdown,
      latencyMs: 812,
      status: 'success',
    }),
  );
}
