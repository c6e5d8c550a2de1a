// Four processes, each with its own createLLMManager, share one user's credit through Redis — and
// separately through PostgreSQL for both the state and the usage ledger: credit for exactly N calls
// performs exactly N, and the ledger's cost equals the change in balance to the micro-dollar.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createCreditLedger, creditAccount } from 'llm-switchyard/governance';
import type { StateStore } from 'llm-switchyard';
import { createRedisState } from '../../src/state/redis';
import { createSqlState } from '../../src/state/sql';
import { createSqlStorage, fromPg } from '../../src/storage/sql';
import { paidCallCostMicroUsd } from '../support/paid-mock';

const redisUrl = process.env.SWITCHYARD_REDIS_URL;
const postgresUrl = process.env.SWITCHYARD_POSTGRES_URL;
const worker = fileURLToPath(new URL('./fixtures/manager-credit-worker.ts', import.meta.url));
const runId = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

interface WorkerReport {
  worker: string;
  succeeded: number;
  refused: number;
  unexpected: string[];
  providerCalls: number;
  ledgerRecords?: number;
  ledgerCostMicroUsd?: number;
}

function runWorker(args: string[]): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout.trim()) as WorkerReport);
    });
  });
}

const granted = 30;
const callsPerWorker = 20;

/** Grants credit for `granted` calls, runs four workers, and checks the totals. Returns the balance change. */
async function spendFromFourManagers(state: StateStore, backend: 'redis' | 'postgres', url: string, prefix: string, userId: string) {
  const account = creditAccount('user', userId);
  const costPerCall = paidCallCostMicroUsd();
  await createCreditLedger({ state }).add({ account, kind: 'grant', amountMicroUsd: granted * costPerCall, entryId: `grant-${userId}` });
  const before = await state.balance(account);

  const reports = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((name) => runWorker([backend, url, prefix, userId, name, String(callsPerWorker)])));

  expect(reports.flatMap((report) => report.unexpected)).toEqual([]);
  expect(reports.reduce((sum, report) => sum + report.succeeded, 0)).toBe(granted);
  expect(reports.reduce((sum, report) => sum + report.providerCalls, 0)).toBe(granted);
  expect(reports.reduce((sum, report) => sum + report.refused, 0)).toBe(4 * callsPerWorker - granted);
  const after = await state.balance(account);
  expect(after).toMatchObject({ balance: 0, reserved: 0, available: 0 });
  const settlements = (await state.entries(account)).filter((entry) => entry.kind === 'settle');
  expect(settlements).toHaveLength(granted);
  expect(settlements.reduce((sum, entry) => sum + entry.amount, 0)).toBe(after.balance - before.balance);
  return { reports, balanceChange: before.balance - after.balance };
}

describe('four processes, each with its own manager, share one user\'s credit', () => {
  it.skipIf(!redisUrl)('through Redis: exactly N calls, and the ledgers\' cost sum equals the balance change', async () => {
    const client = new Redis(redisUrl!);
    const prefix = `switchyard-test:${runId()}:`;
    try {
      const state = createRedisState({ client, prefix });
      const { reports, balanceChange } = await spendFromFourManagers(state, 'redis', redisUrl!, prefix, `shared-${runId()}`);
      expect(reports.reduce((sum, report) => sum + report.ledgerRecords!, 0)).toBe(granted);
      expect(reports.reduce((sum, report) => sum + report.ledgerCostMicroUsd!, 0)).toBe(balanceChange);
      expect(balanceChange).toBe(granted * paidCallCostMicroUsd());
    } finally {
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.del(...keys);
      await client.quit();
    }
  });

  it.skipIf(!postgresUrl)('through PostgreSQL for state and ledger: exactly N calls, and the ledger\'s cost sum equals the balance change', async () => {
    const pool = new pg.Pool({ connectionString: postgresUrl, max: 4 });
    const prefix = `sy${runId()}_`;
    try {
      const state = createSqlState({ dialect: 'postgres', client: pool, tablePrefix: `${prefix}state_` });
      const storage = createSqlStorage({ dialect: 'postgres', client: fromPg(pool), tablePrefix: `${prefix}ledger_` });
      await storage.migrate(); // before the workers start, so they find the tables ready
      const userId = `shared-${runId()}`;
      const { balanceChange } = await spendFromFourManagers(state, 'postgres', postgresUrl!, prefix, userId);
      const summary = await storage.summarizeUsage({ userId, from: 0, to: Date.now() + 1, groupBy: [] });
      expect(summary.totals.requests).toBe(granted);
      expect(summary.totals.costMicroUsd).toBe(balanceChange);
      expect(balanceChange).toBe(granted * paidCallCostMicroUsd());
      const records = await storage.recentUsage({ userId, limit: 1_000 });
      expect(new Set(records.map((record) => record.id)).size).toBe(granted);
    } finally {
      const { rows } = await pool.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1', [`${prefix}%`]);
      for (const row of rows) await pool.query(`DROP TABLE IF EXISTS "${row.tablename}"`);
      await pool.end();
    }
  });
});
