// Multi-tenant BYOK: users' own API keys stored encrypted in SQLite, the host's managed key for everyone
// else. alice brings her own OpenAI key, bob has none and is served on the host's key (with a markup).
// A loopback stand-in plays OpenAI and prints whose key arrived on the wire — masked, as everything here.
//   npx tsx examples/byok-multi-tenant.ts [path/to/tenants.db]
// The master key is generated for this demo unless SWITCHYARD_MASTER_KEY is set (64 hex characters). In
// production keep it in a secret manager: without it the stored keys cannot be decrypted.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createLLMManager, LLMError, type LLMManager } from 'llm-switchyard';
import { createOpenAI } from 'llm-switchyard/providers';
import { createSqlStorage, fromBetterSqlite3 } from 'llm-switchyard/storage/sql';
import { maskApiKey } from 'llm-switchyard/vault';

// Demo keys. Real ones come from your users (alice's) and your environment (the managed one).
const aliceKey = 'sk-proj-alice-0123456789abcdefghijklmnopqrstuv';
const managedKey = 'sk-proj-host-managed-9876543210zyxwvutsrqponm';

const file = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'switchyard-byok-')), 'tenants.db');
const masterKey = process.env.SWITCHYARD_MASTER_KEY ?? randomBytes(32).toString('hex');
console.log(process.env.SWITCHYARD_MASTER_KEY ? 'master key: from SWITCHYARD_MASTER_KEY' : 'master key: generated for this demo (set SWITCHYARD_MASTER_KEY to reuse the database)');

// The stand-in for api.openai.com: answers every chat completion and notes the bearer key it was sent.
const seenKeys: string[] = [];
const upstream = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const key = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
    seenKeys.push(key);
    console.log(`  upstream ${request.method} ${request.url}: Authorization Bearer ${maskApiKey(key)}`);
    const { model } = JSON.parse(body || '{}') as { model?: string };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({
      id: `chatcmpl-${seenKeys.length}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
      choices: [{ index: 0, message: { role: 'assistant', content: `Answer number ${seenKeys.length}.` }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1_000, completion_tokens: 500, total_tokens: 1_500 },
    }));
  });
});
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;

const database = new Database(file);
database.pragma('journal_mode = WAL');
let llm: LLMManager | undefined;
try {
  llm = createLLMManager({
    providers: [createOpenAI({ apiKey: managedKey, baseUrl })], // the host's managed key
    storage: createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(database) }),
    vault: { masterKey },
    pricing: { managedMarkupPercent: 20 }, // managed calls are billed at the provider's price + 20 %
  });

  // alice stores her own key: encrypted (AES-256-GCM) in the database; only a mask is ever shown.
  const stored = await llm.keys.set({ userId: 'alice', provider: 'openai', apiKey: aliceKey, label: 'personal' });
  console.log(`\nalice stored her key: ${stored.keyHint} (${stored.keySource})`);
  for (const user of ['alice', 'bob']) {
    const keys = await llm.keys.list(user);
    console.log(`keys of ${user}: ${keys.length === 0 ? 'none' : keys.map((key) => `${key.provider} ${key.keyHint} ${key.label ?? ''}`.trim()).join(', ')}`);
  }

  for (const user of ['alice', 'bob']) {
    console.log(`\n${user} asks:`);
    const result = await llm.forUser(user).chat({ model: 'openai:gpt-4o-mini', feature: 'assistant', messages: [{ role: 'user', content: 'Hello' }] });
    console.log(`  ${user}: "${result.text}" — key source ${result.keySource}, cost $${result.cost.usd.toFixed(6)}`);
  }

  await llm.usage.flush();
  const summary = await llm.usage.summary({ from: 0, to: Date.now() + 1, groupBy: ['user'] });
  console.log('\nuser   calls  key source  input  output  cost');
  for (const group of summary.groups) {
    const user = String(group.group.user);
    const sources = [...new Set((await llm.usage.recent({ userId: user, limit: 100 })).map((record) => record.keySource))].join('+');
    console.log(`${user.padEnd(6)} ${String(group.requests).padStart(5)}  ${sources.padEnd(10)} ${String(group.inputTokens).padStart(6)} ${String(group.outputTokens).padStart(7)}  $${(group.costMicroUsd / 1e6).toFixed(6)}`);
  }

  // What an attacker with a copy of the database file gets: ciphertexts and masks, no key.
  database.pragma('wal_checkpoint(TRUNCATE)');
  const inFile = readFileSync(file).includes(aliceKey);
  console.log(`\nalice's key in plain text in ${file}: ${inFile ? 'YES' : 'no'}`);
} catch (error) {
  // Typed errors carry no key material, so their message is safe to print.
  console.error(LLMError.isInstance(error) ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await llm?.close();
  database.close();
  upstream.close();
}
