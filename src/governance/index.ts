export { createPriceTable, toModelPricing, builtInPriceTableVersion, builtInPriceTableSourceDate, type PriceTable, type PriceTableOptions, type PriceOverride, type PriceMatch, type PriceRow } from './price-table';
export { computeCost, maximumCost, usdToMicroUsd, microUsdToUsd, microUsdToCents, type CostBreakdown, type CostInput } from './cost';
export { estimateChatTokens, estimateEmbeddingTokens, estimateTextTokens, estimateUsage } from './token-estimate';
export { buildUsageRecord, createUsageWriter, usageRecordId, type UsageWriter, type UsageWriterOptions, type UsageSink } from './usage-recorder';
export { createAlertMonitor, type AlertMonitor, type AlertMonitorOptions } from './alerts';
export { createBudgetGuard, createCreditLedger, creditAccount, type BudgetGuard, type BudgetRule, type CreditsOptions, type CreditLedger, type CallReservation } from './credit-accounting';
export { createRateLimiter, defaultTiers, type RateLimiter, type TierLimits } from './rate-limiter';
export { createConcurrencyLimiter, type ConcurrencyLimiter, type ConcurrencySlot } from './concurrency-limiter';
