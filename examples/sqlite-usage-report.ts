// Persists the usage ledger in a SQLite file and prints a report. Run it twice: the second run reports
// the calls of both runs, because the ledger lives in the file, not in memory.
//   npx tsx examples/sqlite-usage-report.ts [path/to/usage.db]
// Written against the storage API directly (the manager records the same UsageRecord rows through
// `storage.appendUsage` when given `storage: createSqlStorage(...)`).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqlStorage, fromBetterSqlite3, type UsageRecord } from '../src/storage/sql';

const file = process.argv[2] ?? join(tmpdir(), 'switchyard-usage-example.db');
const database = new Database(file, { timeout: 5_000 });
database.pragma('journal_mode = WAL');
const storage = createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database) });
await storage.migrate(); // also done implicitly by the first call

const runNumber = (await storage.summarizeUsage({ from: 0, to: Date.now() + 1, groupBy: [] })).totals.requests / 3 + 1;
const now = Date.now();
const calls: Array<Pick<UsageRecord, 'userId' | 'feature' | 'provider' | 'model' | 'keySource' | 'inputTokens' | 'outputTokens' | 'costMicroUsd' | 'status'>> = [
  { userId: 'alice', feature: 'chat', provider: 'openai', model: 'gpt-4o-mini', keySource: 'managed', inputTokens: 1_200, outputTokens: 300, costMicroUsd: 360, status: 'success' },
  { userId: 'bob', feature: 'summarise', provider: 'anthropic', model: 'claude-haiku-4-5', keySource: 'byok', inputTokens: 8_000, outputTokens: 900, costMicroUsd: 12_500, status: 'success' },
  { userId: 'alice', feature: 'chat', provider: 'ollama', model: 'llama3.2', keySource: 'local', inputTokens: 700, outputTokens: 250, costMicroUsd: 0, status: 'error' },
];
const records: UsageRecord[] = calls.map((call, index) => ({
  ...call,
  // Ids are idempotency keys: re-sending the same record after a timeout never counts it twice.
  id: `run-${runNumber}-call-${index}`,
  time: now + index,
  cachedInputTokens: 0,
  reasoningTokens: 0,
  priceTableVersion: '2025-06',
  latencyMs: 400 + index * 50,
  cached: false,
  attemptNumber: 1,
  requestId: `run-${runNumber}-request-${index}`,
  estimated: call.keySource === 'local',
}));
console.log(`run ${runNumber}: recorded ${await storage.appendUsage(records)} calls in ${file}`);
console.log(`re-sending the same batch adds ${await storage.appendUsage(records)} (idempotent ids)\n`);

const dollars = (microUsd: number) => `$${(microUsd / 1_000_000).toFixed(4)}`;
const report = await storage.summarizeUsage({ from: 0, to: Date.now() + 1, groupBy: ['provider', 'model'] });
console.log('provider    model               calls  input  output  cost');
for (const group of report.groups) {
  console.log(
    `${String(group.group.provider).padEnd(11)} ${String(group.group.model).padEnd(18)} ${String(group.requests).padStart(5)} ${String(group.inputTokens).padStart(6)} ${String(group.outputTokens).padStart(7)}  ${dollars(group.costMicroUsd)}`,
  );
}
console.log(`total: ${report.totals.requests} calls, ${dollars(report.totals.costMicroUsd)}\n`);

const perUser = await storage.summarizeUsage({ from: 0, to: Date.now() + 1, groupBy: ['user', 'day'] });
for (const group of perUser.groups) console.log(`${group.group.day}  ${String(group.group.user).padEnd(6)} ${group.requests} calls  ${dollars(group.costMicroUsd)}`);

console.log('\nlatest calls of alice:');
for (const record of await storage.recentUsage({ userId: 'alice', limit: 3 })) {
  console.log(`  ${new Date(record.time).toISOString()}  ${record.provider}:${record.model}  ${record.status}${record.estimated ? ' (estimated tokens)' : ''}`);
}
database.close();
