import { describe, expect, it } from 'vitest';
import { QuotaExceededError } from '../../src/errors/quota-exceeded-error';
import { computeCost, maximumCost } from '../../src/governance/cost';
import { createBudgetGuard, createCreditLedger, creditAccount } from '../../src/governance/credit-accounting';
import { createPriceTable } from '../../src/governance/price-table';
import { createMemoryState } from '../../src/state/memory';

const november = Date.UTC(2026, 10, 23, 10, 0, 0);
const december = Date.UTC(2026, 11, 1);
const table = createPriceTable();
const price = table.lookup('openai', 'gpt-4o-mini');

describe('credits', () => {
  it('reserves the maximum, settles the actual, and the ledger sum equals the balance change exactly', async () => {
    const state = createMemoryState({ now: () => november });
    const ledger = createCreditLedger({ state });
    const guard = createBudgetGuard({ state, credits: {}, now: () => november });
    const account = creditAccount('user', 'u1');
    await ledger.add({ account, kind: 'purchase', amountUsd: 5, entryId: 'payment-1' });
    await ledger.add({ account, kind: 'purchase', amountUsd: 5, entryId: 'payment-1' }); // idempotent
    const before = (await ledger.balance(account)).balance;
    expect(before).toBe(5_000_000);

    let ledgerSum = 0;
    for (let index = 0; index < 300; index += 1) {
      const usage = { inputTokens: 50 + (index % 37), outputTokens: 7 + (index % 13) };
      const max = maximumCost({ inputTokens: usage.inputTokens, maxOutputTokens: 64, price, keySource: 'managed', managedMarkupPercent: 15 });
      const reservation = await guard.reserve({ reservationId: `r${index}:1`, userId: 'u1', keySource: 'managed', maxCostMicroUsd: max.microUsd });
      const actual = computeCost({ usage, price, keySource: 'managed', managedMarkupPercent: 15 });
      if (index % 10 === 0) {
        await reservation.release(); // failed before any cost
        continue;
      }
      await reservation.settle(actual.microUsd);
      await reservation.settle(actual.microUsd); // idempotent
      ledgerSum += actual.microUsd;
    }
    const after = await ledger.balance(account);
    expect(before - after.balance).toBe(ledgerSum);
    expect(after.reserved).toBe(0);
    const history = await ledger.history(account);
    expect(history.filter((entry) => entry.kind === 'settle').reduce((sum, entry) => sum - entry.amount, 0)).toBe(ledgerSum);
  });

  it('concurrent calls with credit for exactly N perform exactly N', async () => {
    const state = createMemoryState({ now: () => november });
    const guard = createBudgetGuard({ state, credits: {} });
    const cost = 1_234;
    await createCreditLedger({ state }).add({ account: creditAccount('user', 'u1'), kind: 'grant', amountMicroUsd: cost * 25, entryId: 'g' });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, index) =>
        guard.reserve({ reservationId: `c${index}`, userId: 'u1', keySource: 'managed', maxCostMicroUsd: cost }).then(async (hold) => {
          await hold.settle(cost);
        }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(25);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(QuotaExceededError);
    expect(refused.reason.scope).toBe('credits:user:u1');
    expect((await state.balance(creditAccount('user', 'u1'))).balance).toBe(0);
  });

  it('BYOK calls do not spend credit and local calls are never blocked', async () => {
    const state = createMemoryState({ now: () => november });
    const guard = createBudgetGuard({ state, credits: {}, budgets: [{ scope: 'user', scopeId: '*', limitUsd: 0, period: 'month' }] });
    const local = await guard.reserve({ reservationId: 'l', userId: 'u1', keySource: 'local', maxCostMicroUsd: 0 });
    expect(local.accounts).toEqual([]);
    await local.settle(0);
    await expect(guard.reserve({ reservationId: 'm', userId: 'u1', keySource: 'managed', maxCostMicroUsd: 10 })).rejects.toBeInstanceOf(
      QuotaExceededError,
    );
    // BYOK: no credit needed, but the user's spending cap still applies (exhausted here).
    const byokOnlyCredits = createBudgetGuard({ state, credits: {} });
    const byok = await byokOnlyCredits.reserve({ reservationId: 'b', userId: 'u1', keySource: 'byok', maxCostMicroUsd: 10 });
    expect(byok.accounts).toEqual([]);
    await expect(guard.reserve({ reservationId: 'b2', userId: 'u1', keySource: 'byok', maxCostMicroUsd: 10 })).rejects.toMatchObject({
      scope: 'budget:user:u1:monthly',
    });
  });
});

describe('budgets', () => {
  const budgets = [
    { scope: 'app' as const, scopeId: '*', limitUsd: 100, period: 'month' as const },
    { scope: 'team' as const, scopeId: '*', limitUsd: 3, period: 'month' as const },
    { scope: 'user' as const, scopeId: '*', limitUsd: 1, period: 'month' as const },
    { scope: 'user' as const, scopeId: 'vip', limitUsd: 50, period: 'month' as const },
  ];

  it('nest app → team → user and the error names the scope that ran out, with its reset', async () => {
    let now = november;
    const state = createMemoryState({ now: () => now });
    const guard = createBudgetGuard({ state, budgets, now: () => now });
    const hold = await guard.reserve({ reservationId: 'a', userId: 'u1', teamId: 't1', keySource: 'managed', maxCostMicroUsd: 900_000 });
    expect(hold.accounts).toEqual([
      'budget:user:u1:month:2026-11',
      'budget:team:t1:month:2026-11',
      'budget:app:*:month:2026-11',
    ]);
    await hold.settle(800_000);
    const error = await guard
      .reserve({ reservationId: 'b', userId: 'u1', teamId: 't1', keySource: 'managed', maxCostMicroUsd: 300_000 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(error).toMatchObject({ scope: 'budget:user:u1:monthly', limit: 1, remaining: 0.2, resetAt: december, retryAfterMs: december - november });
    // Other users of the team still have room, until the team's cap runs out.
    for (const user of ['u2', 'u3']) {
      const other = await guard.reserve({ reservationId: `x-${user}`, userId: user, teamId: 't1', keySource: 'managed', maxCostMicroUsd: 900_000 });
      await other.settle(900_000);
    }
    await expect(
      guard.reserve({ reservationId: 'c', userId: 'u4', teamId: 't1', keySource: 'managed', maxCostMicroUsd: 900_000 }),
    ).rejects.toMatchObject({ scope: 'budget:team:t1:monthly' });
    // A refused call holds nothing anywhere.
    const statuses = await guard.status({ userId: 'u4', teamId: 't1', keySource: 'managed' });
    expect(statuses.map((status) => status.reservedMicroUsd)).toEqual([0, 0, 0]);
    expect(statuses.find((status) => status.scope === 'budget:team:t1:monthly')?.spentMicroUsd).toBe(2_600_000);
    // A specific rule wins over the level's `*` rule.
    const vip = await guard.reserve({ reservationId: 'v', userId: 'vip', keySource: 'managed', maxCostMicroUsd: 20_000_000 });
    expect(vip.accounts[0]).toBe('budget:user:vip:month:2026-11');
    await vip.release();
    // Next month: fresh caps.
    now = december + 1;
    const fresh = await guard.reserve({ reservationId: 'd', userId: 'u1', teamId: 't1', keySource: 'managed', maxCostMicroUsd: 900_000 });
    expect(fresh.accounts[0]).toBe('budget:user:u1:month:2026-12');
  });

  it('funds each period once across processes, and follows a changed cap exactly', async () => {
    const state = createMemoryState({ now: () => november });
    const rule = { scope: 'user' as const, scopeId: '*', period: 'month' as const };
    const processA = createBudgetGuard({ state, budgets: [{ ...rule, limitUsd: 1 }], now: () => november });
    const processB = createBudgetGuard({ state, budgets: [{ ...rule, limitUsd: 1 }], now: () => november });
    await Promise.all([
      processA.reserve({ reservationId: 'a', userId: 'u1', keySource: 'managed', maxCostMicroUsd: 1 }).then((hold) => hold.release()),
      processB.reserve({ reservationId: 'b', userId: 'u1', keySource: 'managed', maxCostMicroUsd: 1 }).then((hold) => hold.release()),
    ]);
    expect((await state.balance('budget:user:u1:month:2026-11')).balance).toBe(1_000_000);
    const raised = createBudgetGuard({ state, budgets: [{ ...rule, limitUsd: 2.5 }], now: () => november });
    const [status] = await raised.status({ userId: 'u1', keySource: 'managed' });
    expect(status).toMatchObject({ limitMicroUsd: 2_500_000, availableMicroUsd: 2_500_000, spentMicroUsd: 0 });
  });

  it('rejects bad rules with a ConfigurationError', () => {
    const state = createMemoryState();
    expect(() => createBudgetGuard({ state, budgets: [{ scope: 'user', scopeId: '*', period: 'month' }] })).toThrow(/limitUsd/);
    expect(() =>
      createBudgetGuard({ state, budgets: [{ scope: 'galaxy' as 'user', scopeId: '*', limitUsd: 1, period: 'month' }] }),
    ).toThrow(/scope/);
  });
});
