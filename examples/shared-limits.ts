// Two processes, each with its own manager, share one user's limits: the rate-limit windows and the
// concurrency slots live in Redis, the usage ledger in PostgreSQL. The user's tier allows 10 requests an
// hour; each process tries 8. Together they are allowed exactly 10, whoever is faster.
//   SWITCHYARD_REDIS_URL=redis://127.0.0.1:6379 SWITCHYARD_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//     npx tsx examples/shared-limits.ts
// (This file is both the parent and, started with `worker`, each of the two processes.)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createLLMManager, LLMError, RateLimitExceededError } from 'llm-switchyard';
import { createRedisState } from 'llm-switchyard/state/redis';
import { createSqlStorage, fromPg } from 'llm-switchyard/storage/sql';
import { createMockProvider } from 'llm-switchyard/testing';

const redisUrl = process.env.SWITCHYARD_REDIS_URL;
const postgresUrl = process.env.SWITCHYARD_POSTGRES_URL;
const requestsPerHour = 10;
const callsPerProcess = 8;

if (!redisUrl || !postgresUrl) {
  console.log('This example needs SWITCHYARD_REDIS_URL and SWITCHYARD_POSTGRES_URL (a Redis and a PostgreSQL server); skipping.');
  process.exit(0);
}

if (process.argv[2] === 'worker') {
  const [, , , name, keyPrefix, tablePrefix, userId] = process.argv;
  const redis = new Redis(redisUrl);
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 2 });
  const llm = createLLMManager({
    providers: [createMockProvider({ latencyMs: 20 })], // stands in for a real provider
    state: createRedisState({ client: redis, prefix: keyPrefix }),
    storage: createSqlStorage({ dialect: 'postgres', client: fromPg(pool), tablePrefix }),
    limits: { tiers: { starter: { requestsPerHour } }, defaultTier: 'starter', concurrency: { perUser: 2 } },
  });
  let allowed = 0;
  const refusals = new Map<string, number>();
  await Promise.all(
    Array.from({ length: callsPerProcess }, async (_, index) => {
      try {
        await llm.chat({ messages: [{ role: 'user', content: `question ${index} from process ${name}` }], userId });
        allowed += 1;
      } catch (error) {
        if (!(error instanceof RateLimitExceededError)) throw error;
        const retryIn = `retry in ${Math.ceil((error.retryAfterMs ?? 0) / 60_000)} min`;
        refusals.set(`${error.scope}, ${retryIn}`, (refusals.get(`${error.scope}, ${retryIn}`) ?? 0) + 1);
      }
    }),
  );
  await llm.close(); // flushes this process's usage records to PostgreSQL
  const why = [...refusals].map(([reason, count]) => `${count} × ${reason}`).join('; ');
  console.log(`process ${name}: allowed ${allowed} of ${callsPerProcess}${why ? ` — refused ${why}` : ''}`);
  await redis.quit();
  await pool.end();
  process.exit(0);
}

// The parent: fresh keys and tables for this run, two workers, then the totals.
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const keyPrefix = `switchyard-example:${run}:`;
const tablePrefix = `example_${run}_`;
const userId = 'alice';
const pool = new pg.Pool({ connectionString: postgresUrl, max: 2 });
const storage = createSqlStorage({ dialect: 'postgres', client: fromPg(pool), tablePrefix });
await storage.migrate();

const self = fileURLToPath(import.meta.url);
const startWorker = (name: string) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, self, 'worker', name, keyPrefix, tablePrefix, userId], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output.trim()) : reject(new Error(`process ${name} exited with ${code}`))));
  });

console.log(`user ${userId}: ${requestsPerHour} requests/hour, 2 at a time, shared through Redis; ${callsPerProcess} calls from each of two processes\n`);
try {
  const lines = await Promise.all([startWorker('A'), startWorker('B')]);
  for (const line of lines) console.log(line);
  const allowed = lines.reduce((sum, line) => sum + Number(/allowed (\d+)/.exec(line)?.[1] ?? 0), 0);
  const ledger = await storage.summarizeUsage({ userId, from: 0, to: Date.now() + 1, groupBy: [] });
  console.log(`\ntotal allowed: ${allowed} (limit ${requestsPerHour})`);
  console.log(`usage ledger in PostgreSQL: ${ledger.totals.requests} calls recorded for ${userId}`);
} catch (error) {
  console.error(LLMError.isInstance(error) ? error.message : error);
  process.exitCode = 1;
} finally {
  const { rows } = await pool.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1', [`${tablePrefix}%`]);
  for (const row of rows) await pool.query(`DROP TABLE IF EXISTS "${row.tablename}"`);
  await pool.end();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}
