import { ConfigurationError } from '../errors/configuration-error';
import type { KeySource } from '../spec/attempt';
import type { Usage } from '../spec/usage';
import type { PriceMatch, PriceRow } from './price-table';

/**
 * Money is computed in integers. Prices become pico-dollars per token (exact for prices with up to six
 * decimals), a call's total is summed in BigInt pico-dollars, marked up, and rounded once (half up) to whole
 * micro-dollars — the unit of the usage ledger, the credit ledger and the state store's accounts. Everything
 * downstream adds and subtracts those integers, so the ledger's sum equals the change in balance exactly;
 * `usd` is derived from them for display only.
 */

/** Micro-dollars in one US dollar. */
export const microUsdPerUsd = 1_000_000;

/** What one call cost, exact in micro-dollars. */
export interface CostBreakdown {
  /** Total in micro-dollars (10⁻⁶ USD), markup included. The number to add up and to debit. */
  microUsd: number;
  /** `microUsd` in US dollars (a display value; add up `microUsd`, not this). */
  usd: number;
  /** False when no price was known: the cost is then 0 and should not be trusted. */
  priced: boolean;
  /** Version of the price table used ('' when unpriced). */
  priceTableVersion: string;
  /** Uncached input tokens' share, before markup, in micro-dollars (rounded on its own). */
  inputMicroUsd: number;
  /** Cached input tokens' share, before markup, in micro-dollars (rounded on its own). */
  cachedInputMicroUsd: number;
  /** Output tokens' share (reasoning included), before markup, in micro-dollars (rounded on its own). */
  outputMicroUsd: number;
  /** The managed-key markup in micro-dollars (0 for BYOK and local). */
  markupMicroUsd: number;
}

/** The token counts cost is computed from (a subset of `Usage`). */
export type CostUsage = Pick<Usage, 'inputTokens' | 'outputTokens'> & Partial<Pick<Usage, 'cachedInputTokens' | 'reasoningTokens'>>;

export interface CostInput {
  /** Tokens of the call. `inputTokens` includes cached ones; `outputTokens` includes reasoning ones. */
  usage: CostUsage;
  /** The price match from `PriceTable.lookup`; undefined when the model has no known price. */
  price: PriceMatch | undefined;
  /** Whose key paid: `managed` keys may carry a markup, `byok` never does, `local` is always free. */
  keySource: KeySource;
  /** Markup on managed-key calls in percent (20 = +20 %). Ignored for BYOK and local. */
  managedMarkupPercent?: number;
  /** A cache hit: recorded at zero cost. */
  cached?: boolean;
}

const picoPerMicro = 1_000_000n;

function picoPerToken(usdPerMillion: number): bigint {
  // USD per million tokens = micro-dollars per token = 10⁶ pico-dollars per token.
  return BigInt(Math.round(usdPerMillion * 1_000_000));
}

function picoToMicro(pico: bigint, rounding: 'half-up' | 'up'): bigint {
  return (pico + (rounding === 'up' ? picoPerMicro - 1n : picoPerMicro / 2n)) / picoPerMicro;
}

function tokenCount(name: string, value: number | undefined): bigint {
  if (value === undefined) return 0n;
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigurationError(`usage.${name} must be a non-negative integer, got ${String(value)}`);
  }
  return BigInt(value);
}

function markupBasisPoints(percent: number | undefined): bigint {
  if (percent === undefined) return 0n;
  if (!Number.isFinite(percent) || percent < 0) {
    throw new ConfigurationError(`managedMarkupPercent must be a finite number >= 0, got ${String(percent)}`);
  }
  return BigInt(Math.round(percent * 100));
}

/** The prices that apply to a prompt of `promptTokens` (the long-context tier when over its threshold). */
export function effectivePrice(row: PriceRow, promptTokens: number): { input: number; output: number; cached: number } {
  const tier = row.longContext !== undefined && promptTokens > row.longContext.thresholdTokens ? row.longContext : row;
  return { input: tier.input, output: tier.output, cached: tier.cached ?? tier.input };
}

function zeroCost(priced: boolean, version: string | undefined): CostBreakdown {
  return {
    microUsd: 0,
    usd: 0,
    priced,
    priceTableVersion: version ?? '',
    inputMicroUsd: 0,
    cachedInputMicroUsd: 0,
    outputMicroUsd: 0,
    markupMicroUsd: 0,
  };
}

function costOf(input: CostInput, rounding: 'half-up' | 'up'): CostBreakdown {
  const { usage, price, keySource } = input;
  const inputTokens = tokenCount('inputTokens', usage.inputTokens);
  const outputTokens = tokenCount('outputTokens', usage.outputTokens);
  let cachedTokens = tokenCount('cachedInputTokens', usage.cachedInputTokens);
  tokenCount('reasoningTokens', usage.reasoningTokens);
  const basisPoints = keySource === 'managed' ? markupBasisPoints(input.managedMarkupPercent) : 0n;
  if (keySource === 'local' || price?.source === 'local') return zeroCost(true, price?.version);
  if (input.cached === true) return zeroCost(price !== undefined, price?.version);
  if (price === undefined) return zeroCost(false, undefined);
  // Guard against providers reporting more cached tokens than prompt tokens: never charge negative input.
  if (cachedTokens > inputTokens) cachedTokens = inputTokens;

  const tier = effectivePrice(price.price, usage.inputTokens);
  const inputPico = (inputTokens - cachedTokens) * picoPerToken(tier.input);
  const cachedPico = cachedTokens * picoPerToken(tier.cached);
  const outputPico = outputTokens * picoPerToken(tier.output);
  const basePico = inputPico + cachedPico + outputPico;
  // Markup in basis points; one more rounding step would bias small calls, so round only at the end.
  const totalPicoTimesTenThousand = basePico * (10_000n + basisPoints);
  const totalMicro = (totalPicoTimesTenThousand / 10_000n + picoPerMicro / 2n) / picoPerMicro;
  const total = rounding === 'up' ? (totalPicoTimesTenThousand + 10_000n * picoPerMicro - 1n) / (10_000n * picoPerMicro) : totalMicro;
  const baseMicro = picoToMicro(basePico, rounding);
  const microUsd = Number(total);
  return {
    microUsd,
    usd: microUsdToUsd(microUsd),
    priced: true,
    priceTableVersion: price.version,
    inputMicroUsd: Number(picoToMicro(inputPico, rounding)),
    cachedInputMicroUsd: Number(picoToMicro(cachedPico, rounding)),
    outputMicroUsd: Number(picoToMicro(outputPico, rounding)),
    markupMicroUsd: Number(total > baseMicro ? total - baseMicro : 0n),
  };
}

/**
 * Cost of one call from its usage and price. Cached input tokens are charged at the cached price (the input
 * price when the model has none); reasoning tokens are part of `outputTokens` and charged as output; the
 * long-context tier applies when the prompt is over its threshold. Rounded once, half up, to micro-dollars.
 */
export function computeCost(input: CostInput): CostBreakdown {
  return costOf(input, 'half-up');
}

export interface MaximumCostInput {
  /** Estimated prompt tokens (see `estimateChatTokens`). */
  inputTokens: number;
  /** The request's `maxTokens`, or the model's maximum output when the request set none. */
  maxOutputTokens: number;
  /** Price match; undefined when unknown (then the maximum is 0 and `priced` false). */
  price: PriceMatch | undefined;
  /** Whose key will pay. */
  keySource: KeySource;
  /** Markup on managed-key calls in percent. */
  managedMarkupPercent?: number;
}

/**
 * The most a call can cost, to reserve before it is sent: the input estimate plus `maxOutputTokens` at the
 * output price (no cache discount assumed), markup included, rounded up so a reservation never falls short.
 */
export function maximumCost(input: MaximumCostInput): CostBreakdown {
  const costInput: CostInput = {
    usage: { inputTokens: input.inputTokens, outputTokens: input.maxOutputTokens },
    price: input.price,
    keySource: input.keySource,
  };
  if (input.managedMarkupPercent !== undefined) costInput.managedMarkupPercent = input.managedMarkupPercent;
  return costOf(costInput, 'up');
}

/** Micro-dollars to US dollars (display value). */
export function microUsdToUsd(microUsd: number): number {
  return microUsd / microUsdPerUsd;
}

/** US dollars to whole micro-dollars (half away from zero), for limits and grants given in USD. */
export function usdToMicroUsd(usd: number): number {
  if (!Number.isFinite(usd)) throw new ConfigurationError(`amount in USD must be a finite number, got ${String(usd)}`);
  const micro = Math.round(Math.abs(usd) * microUsdPerUsd);
  return usd < 0 ? -micro : micro;
}

/** Rounds micro-dollars to whole cents (half away from zero), for reports and invoices. */
export function microUsdToCents(microUsd: number): number {
  const magnitude = Math.floor((Math.abs(microUsd) + 5_000) / 10_000);
  return microUsd < 0 ? -magnitude : magnitude;
}
