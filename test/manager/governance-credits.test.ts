// Credits through createLLMManager: credit for exactly N paid calls admits exactly N however many race,
// the ledger's cost equals the change in balance to the micro-dollar, and a free local call is never
// blocked by an exhausted balance.
import { describe, expect, it } from 'vitest';
import { createLLMManager, QuotaExceededError, type StateStore } from 'llm-switchyard';
import { createCreditLedger, creditAccount } from 'llm-switchyard/governance';
import { createMockProvider } from 'llm-switchyard/testing';
import { createMemoryState } from '../../src/state/memory';
import { itOnEachStateStore } from '../support/each-state-store';
import { createPaidMock, paidCallCostMicroUsd, paidPricing, paidRequest } from '../support/paid-mock';

const runId = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

async function creditForExactlyN(state: StateStore): Promise<void> {
  const paid = createPaidMock();
  const llm = createLLMManager({ providers: [paid], state, credits: {}, pricing: paidPricing, limits: { concurrency: false } });
  const userId = `buyer-${runId()}`;
  const account = creditAccount('user', userId);
  const costPerCall = paidCallCostMicroUsd();
  const granted = 20;
  try {
    await createCreditLedger({ state }).add({ account, kind: 'grant', amountMicroUsd: granted * costPerCall, entryId: `grant-${userId}` });
    const before = await state.balance(account);

    const outcomes = await Promise.allSettled(Array.from({ length: 120 }, () => llm.chat(paidRequest(userId))));
    const succeeded = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));

    expect(succeeded).toHaveLength(granted);
    expect(paid.calls).toHaveLength(granted);
    for (const result of succeeded) expect(result).toMatchObject({ provider: 'paid', keySource: 'managed', cost: { usd: costPerCall / 1_000_000, priced: true } });
    expect(refused).toHaveLength(120 - granted);
    for (const error of refused) {
      expect(error).toBeInstanceOf(QuotaExceededError);
      expect(error).toMatchObject({ scope: account, remaining: 0, retryable: false });
    }

    const after = await state.balance(account);
    expect(after).toMatchObject({ balance: 0, reserved: 0, available: 0 });
    const summary = await llm.usage.summary({ userId, from: 0, to: Date.now() + 1, groupBy: [] });
    expect(summary.totals.requests).toBe(granted);
    expect(summary.totals.costMicroUsd).toBe(before.balance - after.balance);
    const records = await llm.usage.recent({ userId, limit: 1_000 });
    expect(records.reduce((sum, record) => sum + record.costMicroUsd, 0)).toBe(granted * costPerCall);
    expect(new Set(records.map((record) => record.id)).size).toBe(granted);
  } finally {
    await llm.close();
  }
}

describe('credit for exactly N paid calls, through the manager', () => {
  itOnEachStateStore(creditForExactlyN);

  it('a failed paid call releases its reservation: nothing is debited and the credit stays usable', async () => {
    const state = createMemoryState();
    const paid = createPaidMock({ replies: [{ error: 'authentication' }, { text: 'ok', usage: { inputTokens: 0, outputTokens: 0 } }] });
    const llm = createLLMManager({ providers: [paid], state, credits: {}, pricing: paidPricing, limits: { concurrency: false } });
    const account = creditAccount('user', 'u-failed');
    await createCreditLedger({ state }).add({ account, kind: 'grant', amountMicroUsd: paidCallCostMicroUsd(), entryId: 'g' });
    try {
      await expect(llm.chat(paidRequest('u-failed'))).rejects.toThrow();
      expect(await state.balance(account)).toMatchObject({ balance: paidCallCostMicroUsd(), reserved: 0 });
      const records = await llm.usage.recent({ userId: 'u-failed' });
      expect(records).toEqual([expect.objectContaining({ status: 'error', costMicroUsd: 0, errorClass: 'AuthenticationError' })]);
    } finally {
      await llm.close();
    }
  });
});

describe('a free local call is never blocked by exhausted credit', () => {
  it('a local model is served while the paid one is refused', async () => {
    const state = createMemoryState();
    const paid = createPaidMock();
    const local = createMockProvider({ id: 'local' });
    const llm = createLLMManager({ providers: [paid, local], state, credits: {}, pricing: paidPricing });
    try {
      const refused = await llm.chat(paidRequest('broke')).catch((caught: unknown) => caught);
      expect(refused).toBeInstanceOf(QuotaExceededError);
      expect(refused).toMatchObject({ scope: 'credits:user:broke' });
      const served = await llm.chat({ model: 'local', messages: [{ role: 'user', content: 'free please' }], userId: 'broke' });
      expect(served).toMatchObject({ provider: 'local', keySource: 'local', cost: { usd: 0 } });
      expect(paid.calls).toHaveLength(0);
    } finally {
      await llm.close();
    }
  });

  it('the fallback chain paid → local serves locally when the credit is exhausted', async () => {
    const state = createMemoryState();
    const paid = createPaidMock();
    const local = createMockProvider({ id: 'local' });
    const llm = createLLMManager({ providers: [paid, local], state, credits: {}, pricing: paidPricing, routing: { fallback: ['paid:metered', 'local'] } });
    try {
      const result = await llm.chat({ messages: [{ role: 'user', content: 'anything' }], userId: 'broke', maxTokens: 50 });
      expect(result).toMatchObject({ provider: 'local', keySource: 'local', cost: { usd: 0 } });
      expect(paid.calls).toHaveLength(0);
      expect(local.calls).toHaveLength(1);
      expect(await state.balance(creditAccount('user', 'broke'))).toMatchObject({ balance: 0, reserved: 0 });
    } finally {
      await llm.close();
    }
  });
});

describe('budgets and credits, whose code loads on demand', () => {
  it('still rejects a bad budget rule when the manager is created', () => {
    const providers = [createMockProvider()];
    expect(() => createLLMManager({ providers, budgets: [{ scope: 'user', scopeId: '*', period: 'month' }] })).toThrow(
      /budgets\[0\] needs exactly one of limitUsd or limitMicroUsd/,
    );
    expect(() => createLLMManager({ providers, budgets: [{ scope: 'user', scopeId: '*', period: 'month', limitMicroUsd: -1 }] })).toThrow(/limit must be >= 0/);
  });

  it('holds from the first call, made before the guard has loaded', async () => {
    const paid = createPaidMock();
    const llm = createLLMManager({ providers: [paid], pricing: paidPricing, budgets: [{ scope: 'user', scopeId: '*', period: 'month', limitMicroUsd: 0 }] });
    try {
      await expect(llm.chat(paidRequest(`broke-${runId()}`))).rejects.toBeInstanceOf(QuotaExceededError);
      expect(paid.calls).toHaveLength(0);
    } finally {
      await llm.close();
    }
  });
});
