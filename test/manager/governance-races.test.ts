// Issue 6, "Done when", proven through createLLMManager: limits, concurrency, credits, the usage ledger
// and the response cache hold exactly under concurrency. Multi-process races are in
// governance-multi-process.test.ts.
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortedError, createLLMManager, LLMError, QuotaExceededError, RateLimitExceededError, type StateStore, type StreamPart, type UsageRecord,
} from 'llm-switchyard';
import { createCreditLedger, creditAccount } from 'llm-switchyard/governance';
import { createMemoryState } from '../../src/state/memory';
import { createRedisState } from '../../src/state/redis';
import { createSqlState } from '../../src/state/sql';
import { stateMigrations } from '../../src/state/sql/sql-state-migrations';
import { createMemoryStorage } from '../../src/storage/memory';
import { createMockProvider, type MockChatCallRecord, type MockResponse } from 'llm-switchyard/testing';
import { createFlakyStorage, seededRandom } from '../support/flaky-storage';
import { createGatedProvider } from '../support/gated-provider';
import { createPaidMock, paidCallCostMicroUsd, paidPricing, paidRequest } from '../support/paid-mock';

const redisUrl = process.env.SWITCHYARD_REDIS_URL;
const postgresUrl = process.env.SWITCHYARD_POSTGRES_URL;
const runId = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const messages = [{ role: 'user' as const, content: 'Hello there' }];

async function settleAll<T>(calls: Array<Promise<T>>) {
  const outcomes = await Promise.allSettled(calls);
  return {
    values: outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : [])),
    errors: outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : [])),
  };
}

/** 1,000 concurrent calls from one user whose tier allows 100 requests an hour. */
async function thousandCallsAgainstLimitOf100(state: StateStore): Promise<void> {
  const mock = createMockProvider();
  const llm = createLLMManager({ providers: [mock], state, limits: { tiers: { t: { requestsPerHour: 100 } }, defaultTier: 't', concurrency: false } });
  const userId = `racer-${runId()}`;
  try {
    const { values, errors } = await settleAll(Array.from({ length: 1_000 }, (_, index) => llm.chat({ messages: [{ role: 'user', content: `call ${index}` }], userId })));
    expect(values).toHaveLength(100);
    expect(errors).toHaveLength(900);
    expect(mock.calls).toHaveLength(100);
    for (const error of errors) {
      expect(error).toBeInstanceOf(RateLimitExceededError);
      const limited = error as RateLimitExceededError;
      expect(limited.scope).toBe(`user:${userId}:requests-per-hour`);
      expect(limited.limit).toBe(100);
      expect(limited.remaining).toBe(0);
      expect(limited.resetAt).toEqual(expect.any(Number));
      expect(limited.retryAfterMs).toBeGreaterThan(0);
      expect(limited.retryable).toBe(false);
    }
    // Only admitted calls reached a provider, so only they are in the ledger.
    const summary = await llm.usage.summary({ userId, from: 0, to: Date.now() + 1, groupBy: [] });
    expect(summary.totals.requests).toBe(100);
  } finally {
    await llm.close();
  }
}

describe('1,000 concurrent calls against a limit of 100 admit exactly 100', () => {
  it('memory state store', async () => {
    await thousandCallsAgainstLimitOf100(createMemoryState());
  });

  it('SQL state store on SQLite', async () => {
    const database = new Database(':memory:');
    try {
      await thousandCallsAgainstLimitOf100(createSqlState({ dialect: 'sqlite', client: database }));
    } finally {
      database.close();
    }
  });

  it.skipIf(!redisUrl)('Redis state store', async () => {
    const client = new Redis(redisUrl!);
    const prefix = `switchyard-test:${runId()}:`;
    try {
      await thousandCallsAgainstLimitOf100(createRedisState({ client, prefix }));
    } finally {
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.del(...keys);
      await client.quit();
    }
  });

  it.skipIf(!postgresUrl)('SQL state store on PostgreSQL', async () => {
    const pool = new pg.Pool({ connectionString: postgresUrl, max: 8 });
    const tablePrefix = `sy${runId()}_`;
    try {
      await thousandCallsAgainstLimitOf100(createSqlState({ dialect: 'postgres', client: pool, tablePrefix }));
    } finally {
      for (const migration of ['migrations', ...stateMigrations.flatMap((entry) => entry.tables.map((table) => table.name))]) {
        await pool.query(`DROP TABLE IF EXISTS ${tablePrefix}${migration}`);
      }
      await pool.end();
    }
  });
});
