import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { QuotaExceededError } from '../../src/errors/quota-exceeded-error';
import { computeCost, maximumCost } from '../../src/governance/cost';
import { createBudgetGuard, createCreditLedger, creditAccount, type AccountStore } from '../../src/governance/credit-accounting';
import { createPriceTable } from '../../src/governance/price-table';
import { createRedisState } from '../../src/state/redis';
import { createSqlState } from '../../src/state/sql';
import { stateMigrations } from '../../src/state/sql/sql-state-migrations';

const redisUrl = process.env.SWITCHYARD_REDIS_URL;
const postgresUrl = process.env.SWITCHYARD_POSTGRES_URL;
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const price = createPriceTable().lookup('anthropic', 'claude-haiku-4-5');

/**
 * Four "processes" — each its own client, guard and ledger — share one user's credit for exactly N calls.
 * Every call reserves its maximum, then settles an actual cost that varies per call.
 */
async function spendConcurrently(stores: AccountStore[], userId: string) {
  const usageOf = (index: number) => ({ inputTokens: 300 + (index % 17), outputTokens: 40 + (index % 23) });
  const maxOutputTokens = 100;
  const maxPerCall = maximumCost({ inputTokens: 400, maxOutputTokens, price, keySource: 'managed' }).microUsd;
  const calls = 10;
  const account = creditAccount('user', userId);
  await createCreditLedger({ state: stores[0]! }).add({ account, kind: 'purchase', amountMicroUsd: maxPerCall * calls, entryId: `buy-${userId}` });
  const before = (await stores[0]!.balance(account)).balance;
  const guards = stores.map((state) => createBudgetGuard({ state, credits: {} }));
  let performed = 0;
  let ledgerSum = 0;
  const refusals: unknown[] = [];
  const attempts = 60;
  let decided = 0;
  let allDecided!: () => void;
  const everyAttemptDecided = new Promise<void>((resolve) => (allDecided = resolve));
  const decide = () => {
    decided += 1;
    if (decided === attempts) allDecided();
  };
  await Promise.all(
    Array.from({ length: attempts }, async (_, index) => {
      const guard = guards[index % guards.length]!;
      try {
        const usage = usageOf(index);
        const hold = await guard.reserve({
          reservationId: `${userId}-call-${index}`,
          userId,
          keySource: 'managed',
          maxCostMicroUsd: maxPerCall,
        });
        performed += 1;
        decide();
        // Settle only once every reservation attempt was decided: the actual cost is below the maximum, so
        // an early settlement would free room for more calls than the credit covers at their maximum.
        await everyAttemptDecided;
        const actual = computeCost({ usage, price, keySource: 'managed' }).microUsd;
        await hold.settle(actual);
        ledgerSum += actual;
      } catch (error) {
        refusals.push(error);
        decide();
      }
    }),
  );
  const after = await stores[0]!.balance(account);
  return { performed, calls, ledgerSum, change: before - after.balance, reserved: after.reserved, refusals };
}

describe.skipIf(!redisUrl)('credits shared through Redis by four processes', () => {
  it('perform exactly N calls and the ledger sum equals the change in balance', async () => {
    const prefix = `switchyard-test:${unique()}:`;
    const clients = Array.from({ length: 4 }, () => new Redis(redisUrl!));
    try {
      const stores = clients.map((client) => createRedisState({ client, prefix }));
      const outcome = await spendConcurrently(stores, 'u-redis');
      expect(outcome.performed).toBe(outcome.calls);
      expect(outcome.change).toBe(outcome.ledgerSum);
      expect(outcome.reserved).toBe(0);
      expect(outcome.refusals.every((error) => error instanceof QuotaExceededError)).toBe(true);
    } finally {
      await Promise.all(clients.map((client) => client.quit()));
    }
  });
});

describe.skipIf(!postgresUrl)('credits shared through PostgreSQL by four processes', () => {
  it('perform exactly N calls and the ledger sum equals the change in balance', async () => {
    const tablePrefix = `sy${unique().slice(0, 10)}_`;
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: postgresUrl, max: 4 }));
    try {
      const first = createSqlState({ dialect: 'postgres', client: pools[0]!, tablePrefix });
      await first.balance('warm-up'); // runs the migrations once before the others start
      const stores = [first, ...pools.slice(1).map((pool) => createSqlState({ dialect: 'postgres', client: pool, tablePrefix }))];
      const outcome = await spendConcurrently(stores, 'u-postgres');
      expect(outcome.performed).toBe(outcome.calls);
      expect(outcome.change).toBe(outcome.ledgerSum);
      expect(outcome.reserved).toBe(0);
      expect(outcome.refusals.every((error) => error instanceof QuotaExceededError)).toBe(true);
    } finally {
      const names = ['migrations', ...stateMigrations.flatMap((migration) => migration.tables.map((table) => table.name))];
      for (const name of names) await pools[0]!.query(`DROP TABLE IF EXISTS ${tablePrefix}${name}`);
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});
