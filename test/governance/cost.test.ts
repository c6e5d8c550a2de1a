import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error';
import {
  computeCost,
  maximumCost,
  microUsdToCents,
  microUsdToUsd,
  usdToMicroUsd,
} from '../../src/governance/cost';
import { createPriceTable } from '../../src/governance/price-table';

const table = createPriceTable();
const gpt4oMini = table.lookup('openai', 'gpt-4o-mini')!; // 0.15 / 0.60 / cached 0.075
const geminiPro = table.lookup('google', 'gemini-2.5-pro')!;

describe('cost', () => {
  it('charges input, cached input and output at their own prices', () => {
    const cost = computeCost({
      usage: { inputTokens: 1_000_000, outputTokens: 1_000_000, cachedInputTokens: 400_000 },
      price: gpt4oMini,
      keySource: 'byok',
    });
    // 600k × 0.15 + 400k × 0.075 + 1M × 0.60 = 0.09 + 0.03 + 0.60 USD
    expect(cost).toMatchObject({
      microUsd: 720_000,
      usd: 0.72,
      priced: true,
      priceTableVersion: table.version,
      inputMicroUsd: 90_000,
      cachedInputMicroUsd: 30_000,
      outputMicroUsd: 600_000,
      markupMicroUsd: 0,
    });
  });

  it('counts reasoning tokens as output (they are part of outputTokens)', () => {
    const withReasoning = computeCost({
      usage: { inputTokens: 100, outputTokens: 1000, reasoningTokens: 800 },
      price: gpt4oMini,
      keySource: 'byok',
    });
    const plain = computeCost({ usage: { inputTokens: 100, outputTokens: 1000 }, price: gpt4oMini, keySource: 'byok' });
    expect(withReasoning.microUsd).toBe(plain.microUsd);
    expect(withReasoning.outputMicroUsd).toBe(600);
  });

  it('applies the markup only to managed keys', () => {
    const usage = { inputTokens: 10_000, outputTokens: 5_000 };
    const managed = computeCost({ usage, price: gpt4oMini, keySource: 'managed', managedMarkupPercent: 20 });
    const byok = computeCost({ usage, price: gpt4oMini, keySource: 'byok', managedMarkupPercent: 20 });
    // base: 10k × 0.15 + 5k × 0.60 = 1500 + 3000 µ$
    expect(byok.microUsd).toBe(4500);
    expect(managed.microUsd).toBe(5400);
    expect(managed.markupMicroUsd).toBe(900);
    expect(byok.markupMicroUsd).toBe(0);
  });

  it('makes local calls and cache hits free, and flags unknown prices', () => {
    const usage = { inputTokens: 10_000, outputTokens: 5_000 };
    expect(computeCost({ usage, price: gpt4oMini, keySource: 'local', managedMarkupPercent: 50 }).microUsd).toBe(0);
    const local = computeCost({ usage, price: table.lookup('ollama', 'llama3.2', { local: true }), keySource: 'managed' });
    expect(local).toMatchObject({ microUsd: 0, priced: true });
    expect(computeCost({ usage, price: gpt4oMini, keySource: 'managed', cached: true })).toMatchObject({ microUsd: 0, priced: true });
    expect(computeCost({ usage, price: undefined, keySource: 'managed' })).toMatchObject({ microUsd: 0, priced: false, priceTableVersion: '' });
  });

  it('uses the long-context tier when the prompt is over its threshold', () => {
    const short = computeCost({ usage: { inputTokens: 200_000, outputTokens: 0 }, price: geminiPro, keySource: 'byok' });
    const long = computeCost({ usage: { inputTokens: 200_001, outputTokens: 0 }, price: geminiPro, keySource: 'byok' });
    expect(short.microUsd).toBe(250_000); // 200k × 1.25
    expect(long.microUsd).toBe(500_003); // 200,001 × 2.50 = 500,002.5 → half up
  });

  it('is exact: the sum of many small costs equals the total to the cent', () => {
    // 100,000 tiny calls priced one by one, then the same tokens priced as one call.
    const command = table.lookup('cohere', 'command-r7b')!; // 0.0375 / 0.15: fractions of a micro-dollar per token
    let sum = 0;
    let inputTotal = 0;
    let outputTotal = 0;
    for (let index = 0; index < 100_000; index += 1) {
      const inputTokens = 37 + (index % 91);
      const outputTokens = 11 + (index % 53);
      inputTotal += inputTokens;
      outputTotal += outputTokens;
      sum += computeCost({ usage: { inputTokens, outputTokens }, price: command, keySource: 'managed', managedMarkupPercent: 12.5 }).microUsd;
    }
    expect(Number.isInteger(sum)).toBe(true);
    const whole = computeCost({
      usage: { inputTokens: inputTotal, outputTokens: outputTotal },
      price: command,
      keySource: 'managed',
      managedMarkupPercent: 12.5,
    });
    expect(microUsdToCents(sum)).toBe(microUsdToCents(whole.microUsd));
    // Per-call rounding moves each call by at most half a micro-dollar.
    expect(Math.abs(sum - whole.microUsd)).toBeLessThanOrEqual(50_000);
  });

  it('computes the maximum cost to reserve, rounded up', () => {
    const max = maximumCost({ inputTokens: 1001, maxOutputTokens: 1, price: gpt4oMini, keySource: 'byok' });
    // 1001 × 0.15 + 1 × 0.6 = 150.75 µ$ → 151
    expect(max.microUsd).toBe(151);
    const actual = computeCost({ usage: { inputTokens: 1001, outputTokens: 1 }, price: gpt4oMini, keySource: 'byok' });
    expect(max.microUsd).toBeGreaterThanOrEqual(actual.microUsd);
    expect(maximumCost({ inputTokens: 1000, maxOutputTokens: 4096, price: gpt4oMini, keySource: 'local' }).microUsd).toBe(0);
    const managed = maximumCost({ inputTokens: 1000, maxOutputTokens: 1000, price: gpt4oMini, keySource: 'managed', managedMarkupPercent: 10 });
    expect(managed.microUsd).toBe(825); // (150 + 600) × 1.1
  });

  it('converts between USD, micro-dollars and cents', () => {
    expect(usdToMicroUsd(12.345678)).toBe(12_345_678);
    expect(usdToMicroUsd(-0.0000015)).toBe(-2);
    expect(microUsdToUsd(1_500_000)).toBe(1.5);
    expect(microUsdToCents(4_999)).toBe(0);
    expect(microUsdToCents(5_000)).toBe(1);
    expect(microUsdToCents(-15_000)).toBe(-2);
  });

  it('rejects bad token counts and markups', () => {
    expect(() => computeCost({ usage: { inputTokens: -1, outputTokens: 0 }, price: gpt4oMini, keySource: 'byok' })).toThrow(
      ConfigurationError,
    );
    expect(() => computeCost({ usage: { inputTokens: 1.5, outputTokens: 0 }, price: gpt4oMini, keySource: 'byok' })).toThrow(/inputTokens/);
    expect(() =>
      computeCost({ usage: { inputTokens: 1, outputTokens: 0 }, price: gpt4oMini, keySource: 'managed', managedMarkupPercent: -5 }),
    ).toThrow(/managedMarkupPercent/);
  });
});
