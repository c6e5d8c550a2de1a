// Persists the usage ledger in a SQLite file and prints a report. Run it twice: the second run reports
// the calls of both runs, because the ledger lives in the file, not in memory.
//   npx tsx examples/sqlite-usage-report.ts [path/to/usage.db]
// Uses mock providers (one posing as a paid API, one as a free local server) so it needs no keys.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createLLMManager } from 'llm-switchyard';
import { createSqlStorage, fromBetterSqlite3 } from 'llm-switchyard/storage/sql';
import { createMockProvider } from 'llm-switchyard/testing';

const file = process.argv[2] ?? join(tmpdir(), 'switchyard-usage-example.db');
const database = new Database(file, { timeout: 5_000 });
database.pragma('journal_mode = WAL');
const storage = createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database) });

const llm = createLLMManager({
  providers: [
    createMockProvider({ id: 'cloud', local: false, apiKey: 'sk-example-not-a-real-key', replies: (call) => ({ text: `cloud answer ${call.index}`, usage: { inputTokens: 1_200, outputTokens: 300 } }) }),
    createMockProvider({ id: 'laptop', replies: (call) => ({ text: `local answer ${call.index}`, usage: { inputTokens: 700, outputTokens: 250 } }) }),
  ],
  storage,
  pricing: { overrides: { 'cloud:*': { inputPerMillion: 0.15, outputPerMillion: 0.6 } } },
});

const before = await llm.usage.summary({ from: 0, to: Date.now() + 1, groupBy: [] });
await llm.chat({ model: 'cloud', userId: 'alice', feature: 'chat', messages: [{ role: 'user', content: 'Hi' }] });
await llm.chat({ model: 'laptop', userId: 'alice', feature: 'chat', messages: [{ role: 'user', content: 'Hi again' }] });
await llm.stream({ model: 'cloud', userId: 'bob', feature: 'summarise', messages: [{ role: 'user', content: 'Summarise this' }] }).collect();
await llm.close(); // flushes the batched ledger to the file
console.log(`this run recorded 3 calls in ${file} (the ledger held ${before.totals.requests} before)`);

const report = createLLMManager({ providers: [createMockProvider()], storage });
const summary = await report.usage.summary({ from: 0, to: Date.now() + 1, groupBy: ['provider', 'model'] });
console.log('\nprovider  model        calls  input  output  cost');
for (const group of summary.groups) {
  const { provider, model } = group.group;
  console.log(`${String(provider).padEnd(9)} ${String(model).padEnd(12)} ${String(group.requests).padStart(5)} ${String(group.inputTokens).padStart(6)} ${String(group.outputTokens).padStart(7)}  $${(group.costMicroUsd / 1e6).toFixed(6)}`);
}
console.log(`total: ${summary.totals.requests} calls, $${(summary.totals.costMicroUsd / 1e6).toFixed(6)}`);
const byUser = await report.usage.summary({ from: 0, to: Date.now() + 1, groupBy: ['user', 'day'] });
for (const group of byUser.groups) console.log(`${group.group.day}  ${group.group.user}  ${group.requests} calls  $${(group.costMicroUsd / 1e6).toFixed(6)}`);
await report.close();
database.close();
