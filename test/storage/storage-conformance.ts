import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../src/errors/invalid-request-error';
import { LLMError } from '../../src/errors/llm-error';
import type {
  BudgetRecord,
  CreditEntryRecord,
  NewConversationMessage,
  ProviderConfigRecord,
  ProviderDefinitionRecord,
  ProviderInstanceRecord,
  Storage,
  UsageAlertRecord,
  UsageGroupKey,
  UsageRecord,
  UsageSummaryGroup,
} from '../../src/spec/storage';
import { systemOwnerId } from '../../src/storage/system-owner';

/** What a backend's test file hands the suite. */
export interface StorageHarness {
  storage: Storage;
  /** Drops what the run created and closes connections. */
  cleanup?: () => Promise<void>;
}

export interface StorageConformanceOptions {
  /** Rows of the aggregation ledger (default 100,000). */
  ledgerRows?: number;
}

const baseTime = Date.UTC(2025, 0, 15, 12);
const day = 86_400_000;

/** Strings that break naive SQL, encodings or size limits. NUL and 1 MB are rejected in identifiers only. */
export const hostileStrings: Record<string, string> = {
  singleQuote: "O'Reilly '' '",
  doubleQuote: 'say "hi" ""',
  sqlFragment: "x'); DROP TABLE switchyard_usage; --",
  sqlComment: '/* */ -- ; OR 1=1',
  backslash: 'C:\\path\\to\\\\file \\0 \\n',
  percentUnderscore: '100%_match_%',
  questionMarks: 'what? $1 ?? :name @p',
  emoji: '👩‍💻🚀 café ünïcödé 中文 \u202e',
  trailingSpace: 'padded   ',
  newlines: 'line1\nline2\r\n\tTabbed',
  nul: 'before\u0000after',
  megabyte: 'x'.repeat(1024 * 1024 - 7) + '👩‍💻',
};

const identifierSafe = (name: string) => name !== 'nul' && name !== 'megabyte';

async function expectInvalid(promise: Promise<unknown>, pattern?: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error, 'expected an InvalidRequestError').toBeInstanceOf(InvalidRequestError);
  expect(LLMError.isInstance(error)).toBe(true);
  if (pattern) expect((error as Error).message).toMatch(pattern);
}

// Deterministic pseudo-random numbers (mulberry32), so a failing aggregate can be reproduced.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function usageRecord(overrides: Partial<UsageRecord> & { id: string }): UsageRecord {
  return {
    time: baseTime,
    userId: 'user',
    feature: 'chat',
    provider: 'openai',
    model: 'gpt-4o-mini',
    keySource: 'managed',
    inputTokens: 100,
    outputTokens: 50,
    cachedInputTokens: 10,
    reasoningTokens: 5,
    costMicroUsd: 1234,
    priceTableVersion: '2025-01',
    latencyMs: 321,
    status: 'success',
    cached: false,
    attemptNumber: 1,
    estimated: false,
    ...overrides,
  };
}

function providerConfig(overrides: Partial<ProviderConfigRecord> & { id: string; userId: string }): ProviderConfigRecord {
  return {
    provider: 'openai',
    keyCiphertext: 'v1.iv.ciphertext-base64==',
    keyId: 'key-1',
    keyHint: 'sk-ab...xyz',
    enabled: true,
    createdAt: baseTime,
    updatedAt: baseTime,
    ...overrides,
  };
}

function instance(overrides: Partial<ProviderInstanceRecord> & { id: string; ownerId: string }): ProviderInstanceRecord {
  return { name: 'My endpoint', standard: 'openai-compatible', baseUrl: 'http://127.0.0.1:8080/v1', createdAt: baseTime, updatedAt: baseTime, ...overrides };
}

function message(id: string, role: 'system' | 'user' | 'assistant', content: string, createdAt = baseTime): NewConversationMessage {
  return { id, message: { role, content }, createdAt };
}

function credit(id: string, accountId: string, kind: CreditEntryRecord['kind'], amountMicroUsd: number, time = baseTime): CreditEntryRecord {
  return { id, accountId, kind, amountMicroUsd, time };
}

// The large ledger and its expected sums are the same for every backend; build them once per process.
const ledgers = new Map<number, { records: UsageRecord[]; start: number; users: string[] }>();
const expectations = new Map<string, UsageSummaryGroup[]>();

function largeLedger(rowCount: number) {
  let ledger = ledgers.get(rowCount);
  if (ledger) return ledger;
  // A window no other test writes to, so host-wide summaries see only these rows.
  const start = Date.UTC(2031, 0, 1);
  const next = random(20_250_115);
  const providers = ['openai', 'anthropic', 'google', 'ollama'];
  const models = ['small', 'large', 'reasoning'];
  const features = ['chat', 'search', 'summarise', undefined];
  const users = Array.from({ length: 25 }, (_, index) => `ledger-user-${index}`);
  const records: UsageRecord[] = [];
  for (let index = 0; index < rowCount; index += 1) {
    const record = usageRecord({
      id: `ledger-${index}`,
      time: start + Math.floor(next() * 30 * day),
      userId: users[Math.floor(next() * users.length)],
      provider: providers[Math.floor(next() * providers.length)],
      model: models[Math.floor(next() * models.length)],
      inputTokens: Math.floor(next() * 50_000),
      outputTokens: Math.floor(next() * 8_000),
      cachedInputTokens: Math.floor(next() * 1_000),
      reasoningTokens: Math.floor(next() * 500),
      // Up to $2.50 per call in micro-dollars: the total is exact only with integer money.
      costMicroUsd: Math.floor(next() * 2_500_000),
    });
    const feature = features[Math.floor(next() * features.length)];
    if (feature === undefined) delete record.feature;
    else record.feature = feature;
    records.push(record);
  }
  ledger = { records, start, users };
  ledgers.set(rowCount, ledger);
  return ledger;
}

function sortGroups(groups: UsageSummaryGroup[]): UsageSummaryGroup[] {
  return [...groups].sort((left, right) => (JSON.stringify(left.group) < JSON.stringify(right.group) ? -1 : 1));
}

/** Sums computed in the test from the generated rows, independently of any backend. */
function expectedGroups(rowCount: number, groupBy: UsageGroupKey[], filter: (record: UsageRecord) => boolean): UsageSummaryGroup[] {
  const cacheKey = `${rowCount}:${groupBy.join(',')}:${filter.toString()}`;
  const cached = expectations.get(cacheKey);
  if (cached) return cached;
  const groups = new Map<string, UsageSummaryGroup>();
  for (const record of largeLedger(rowCount).records) {
    if (!filter(record)) continue;
    const values: Record<string, string | null> = {};
    for (const key of groupBy) {
      values[key] =
        key === 'day'
          ? new Date(record.time).toISOString().slice(0, 10)
          : key === 'user'
            ? (record.userId ?? null)
            : key === 'feature'
              ? (record.feature ?? null)
              : record[key];
    }
    const mapKey = JSON.stringify(values);
    const group = groups.get(mapKey) ?? { group: values, requests: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, costMicroUsd: 0 };
    group.requests += 1;
    group.inputTokens += record.inputTokens;
    group.outputTokens += record.outputTokens;
    group.cachedInputTokens += record.cachedInputTokens;
    group.reasoningTokens += record.reasoningTokens;
    group.costMicroUsd += record.costMicroUsd;
    groups.set(mapKey, group);
  }
  const sorted = sortGroups([...groups.values()]);
  expectations.set(cacheKey, sorted);
  return sorted;
}

/** Runs the storage contract against one backend. Every backend must pass the same suite. */
export function describeStorageConformance(name: string, factory: () => Promise<StorageHarness>, options: StorageConformanceOptions = {}): void {
  describe(`storage conformance: ${name}`, () => {
    let harness: StorageHarness;
    let storage: Storage;
    // Each test works under its own namespace so tests can share one database.
    const unique = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      harness = await factory();
      storage = harness.storage;
      await storage.migrate();
    });
    afterAll(async () => {
      await harness?.cleanup?.();
    });

    it('migrates idempotently', async () => {
      await storage.migrate();
      await Promise.all([storage.migrate(), storage.migrate()]);
      expect(typeof storage.kind).toBe('string');
    });

    describe('provider configurations', () => {
      it('saves, reads, lists, updates and deletes per user', async () => {
        const alice = unique('alice');
        const first = providerConfig({ id: `${alice}:openai`, userId: alice, label: 'work', settings: { organization: 'org-1', nested: { a: [1, 2] } } });
        const second = providerConfig({ id: `${alice}:anthropic`, userId: alice, provider: 'anthropic', baseUrl: 'https://proxy.example' });
        await storage.saveProviderConfig(first);
        await storage.saveProviderConfig(second);
        expect(await storage.getProviderConfig(alice, first.id)).toEqual(first);
        expect((await storage.listProviderConfigs(alice)).map((record) => record.id)).toEqual([second.id, first.id]);

        const updated = { ...first, keyHint: 'sk-cd...uvw', enabled: false, updatedAt: baseTime + 5 };
        await storage.saveProviderConfig(updated);
        expect(await storage.getProviderConfig(alice, first.id)).toEqual(updated);

        expect(await storage.deleteProviderConfig(alice, first.id)).toBe(true);
        expect(await storage.deleteProviderConfig(alice, first.id)).toBe(false);
        expect(await storage.getProviderConfig(alice, first.id)).toBeUndefined();
      });

      it('isolates tenants, including ids that differ only by case or trailing space', async () => {
        const alice = unique('alice');
        const lookalikes = [alice.toUpperCase(), `${alice} `, `${alice}\t`];
        const record = providerConfig({ id: unique('config'), userId: alice });
        await storage.saveProviderConfig(record);
        for (const other of lookalikes) {
          expect(await storage.getProviderConfig(other, record.id)).toBeUndefined();
          expect(await storage.listProviderConfigs(other)).toEqual([]);
          expect(await storage.deleteProviderConfig(other, record.id)).toBe(false);
          await expectInvalid(storage.saveProviderConfig({ ...record, userId: other }), /another owner/);
        }
        expect(await storage.getProviderConfig(alice, record.id)).toEqual(record);
      });

      it('keeps managed keys under the system owner', async () => {
        const record = providerConfig({ id: unique('managed'), userId: systemOwnerId, keyHint: 'sk-ho...st1' });
        await storage.saveProviderConfig(record);
        expect((await storage.listProviderConfigs(systemOwnerId)).map((row) => row.id)).toContain(record.id);
        expect(await storage.getProviderConfig(unique('user'), record.id)).toBeUndefined();
      });

      it('rejects invalid records naming the field', async () => {
        const alice = unique('alice');
        await expectInvalid(storage.saveProviderConfig(providerConfig({ id: '', userId: alice })), /providerConfig\.id/);
        await expectInvalid(storage.saveProviderConfig({ ...providerConfig({ id: unique('c'), userId: alice }), keyId: 5 as unknown as string }), /keyId/);
        await expectInvalid(storage.saveProviderConfig({ ...providerConfig({ id: unique('c'), userId: alice }), createdAt: 1.5 }), /createdAt/);
      });
    });

    describe('provider definitions', () => {
      it('shares system definitions with everyone and keeps them immutable', async () => {
        const id = unique('system-def');
        const definition: ProviderDefinitionRecord = {
          id,
          ownerId: systemOwnerId,
          name: 'Local Ollama',
          standard: 'ollama',
          baseUrl: 'http://127.0.0.1:11434',
          model: 'llama3.2',
          embeddingDimensions: 768,
          settings: { keepAlive: '5m' },
          createdAt: baseTime,
          updatedAt: baseTime,
        };
        await storage.saveProviderDefinition(definition);
        const anyone = unique('user');
        expect(await storage.getProviderDefinition(anyone, id)).toEqual(definition);
        expect((await storage.listProviderDefinitions(anyone)).map((row) => row.id)).toContain(id);
        await expectInvalid(storage.saveProviderDefinition({ ...definition, name: 'changed' }), /system/);
        await expectInvalid(storage.saveProviderDefinition({ ...definition, ownerId: anyone }), /system/);
        await expectInvalid(storage.deleteProviderDefinition(anyone, id), /system/);
        await expectInvalid(storage.deleteProviderDefinition(systemOwnerId, id), /system/);
        expect(await storage.getProviderDefinition(anyone, id)).toEqual(definition);
      });

      it('keeps user definitions private to their owner', async () => {
        const alice = unique('alice');
        const bob = unique('bob');
        const definition: ProviderDefinitionRecord = { id: unique('def'), ownerId: alice, name: 'vLLM box', standard: 'openai-compatible', createdAt: baseTime, updatedAt: baseTime };
        await storage.saveProviderDefinition(definition);
        await storage.saveProviderDefinition({ ...definition, name: 'renamed', updatedAt: baseTime + 1 });
        expect((await storage.getProviderDefinition(alice, definition.id))?.name).toBe('renamed');
        expect(await storage.getProviderDefinition(bob, definition.id)).toBeUndefined();
        expect((await storage.listProviderDefinitions(bob)).map((row) => row.id)).not.toContain(definition.id);
        await expectInvalid(storage.saveProviderDefinition({ ...definition, ownerId: bob }), /another owner/);
        expect(await storage.deleteProviderDefinition(bob, definition.id)).toBe(false);
        expect(await storage.deleteProviderDefinition(alice, definition.id)).toBe(true);
        expect(await storage.getProviderDefinition(alice, definition.id)).toBeUndefined();
      });
    });

    describe('provider instances and sharing', () => {
      it('shares read-only and lets only the owner change, share or delete', async () => {
        const alice = unique('alice');
        const bob = unique('bob');
        const carol = unique('carol');
        const record = instance({ id: unique('instance'), ownerId: alice, definitionId: 'def-1', keyCiphertext: 'cipher-1', keyId: 'k1', keyHint: 'sk-..1', settings: { temperature: 0.2 } });
        await storage.saveProviderInstance(record);
        expect(await storage.getProviderInstance(alice, record.id)).toEqual({ ...record, access: 'owner' });
        expect(await storage.getProviderInstance(bob, record.id)).toBeUndefined();

        await storage.shareProviderInstance(alice, record.id, bob);
        await storage.shareProviderInstance(alice, record.id, bob);
        expect(await storage.getProviderInstance(bob, record.id)).toEqual({ ...record, access: 'shared' });
        expect((await storage.listProviderInstances(bob)).map((row) => [row.id, row.access])).toEqual([[record.id, 'shared']]);
        expect(await storage.getProviderInstance(carol, record.id)).toBeUndefined();
        expect(await storage.listProviderInstanceShares(alice, record.id)).toEqual([bob]);
        expect(await storage.listProviderInstanceShares(bob, record.id)).toEqual([]);

        await expectInvalid(storage.saveProviderInstance({ ...record, ownerId: bob, name: 'hijacked' }), /another owner/);
        await expectInvalid(storage.shareProviderInstance(bob, record.id, carol), /another owner/);
        expect(await storage.deleteProviderInstance(bob, record.id)).toBe(false);
        expect(await storage.unshareProviderInstance(bob, record.id, bob)).toBe(false);
        expect((await storage.getProviderInstance(alice, record.id))?.name).toBe('My endpoint');

        expect(await storage.unshareProviderInstance(alice, record.id, bob)).toBe(true);
        expect(await storage.getProviderInstance(bob, record.id)).toBeUndefined();
        await storage.shareProviderInstance(alice, record.id, carol);
        expect(await storage.deleteProviderInstance(alice, record.id)).toBe(true);
        expect(await storage.getProviderInstance(carol, record.id)).toBeUndefined();
        expect(await storage.listProviderInstances(carol)).toEqual([]);
      });

      it('requires keyId exactly when a ciphertext is given', async () => {
        await expectInvalid(storage.saveProviderInstance(instance({ id: unique('i'), ownerId: unique('u'), keyCiphertext: 'c' })), /keyId/);
      });
    });

    describe('key rotation support', () => {
      it('pages encrypted keys in id order and swaps ciphertexts only when unchanged', async () => {
        const namespace = unique('rot');
        const owner = unique('owner');
        for (const suffix of ['03', '01', '05', '02', '04']) {
          await storage.saveProviderConfig(providerConfig({ id: `${namespace}-${suffix}`, userId: owner, keyCiphertext: `old-${suffix}`, keyId: 'k1' }));
        }
        await storage.saveProviderInstance(instance({ id: `${namespace}-i1`, ownerId: owner, keyCiphertext: 'old-i1', keyId: 'k1' }));
        await storage.saveProviderInstance(instance({ id: `${namespace}-i0`, ownerId: owner }));

        const seen: string[] = [];
        let cursor = `${namespace}-`;
        for (;;) {
          const page = await storage.listEncryptedKeys({ kind: 'provider-config', afterId: cursor, limit: 2 });
          const mine = page.filter((row) => row.id.startsWith(`${namespace}-`));
          seen.push(...mine.map((row) => row.id));
          if (mine.length < 2) break;
          cursor = mine[mine.length - 1].id;
        }
        expect(seen).toEqual(['01', '02', '03', '04', '05'].map((suffix) => `${namespace}-${suffix}`));
        const first = (await storage.listEncryptedKeys({ kind: 'provider-config', afterId: `${namespace}-`, limit: 1 }))[0];
        expect(first).toEqual({ kind: 'provider-config', id: `${namespace}-01`, ownerId: owner, provider: 'openai', keyCiphertext: 'old-01', keyId: 'k1' });
        const instances = await storage.listEncryptedKeys({ kind: 'provider-instance', afterId: `${namespace}-`, limit: 10 });
        expect(instances.filter((row) => row.id.startsWith(namespace))).toEqual([{ kind: 'provider-instance', id: `${namespace}-i1`, ownerId: owner, provider: `${namespace}-i1`, keyCiphertext: 'old-i1', keyId: 'k1' }]);

        const swap = { kind: 'provider-config' as const, id: `${namespace}-01`, keyCiphertext: 'new-01', keyId: 'k2', updatedAt: baseTime + 10 };
        expect(await storage.compareAndSetKeyCiphertext({ ...swap, expectedCiphertext: 'stale' })).toBe(false);
        expect(await storage.compareAndSetKeyCiphertext({ ...swap, expectedCiphertext: 'old-01' })).toBe(true);
        expect(await storage.compareAndSetKeyCiphertext({ ...swap, expectedCiphertext: 'old-01' })).toBe(false);
        const rotated = await storage.getProviderConfig(owner, `${namespace}-01`);
        expect(rotated).toMatchObject({ keyCiphertext: 'new-01', keyId: 'k2', updatedAt: baseTime + 10, keyHint: 'sk-ab...xyz' });
        expect(
          await storage.compareAndSetKeyCiphertext({ kind: 'provider-instance', id: `${namespace}-i1`, expectedCiphertext: 'old-i1', keyCiphertext: 'new-i1', keyId: 'k2', updatedAt: baseTime + 11 }),
        ).toBe(true);
        expect(await storage.getProviderInstance(owner, `${namespace}-i1`)).toMatchObject({ keyCiphertext: 'new-i1', keyId: 'k2' });
      });

      it('appends the audit trail idempotently and filters by owner', async () => {
        const owner = unique('owner');
        const rows = [1, 2, 3].map((index) => ({
          id: unique('audit'),
          time: baseTime + index,
          kind: 'provider-config' as const,
          recordId: `r${index}`,
          ownerId: owner,
          provider: 'openai',
          fromKeyId: index === 3 ? null : 'k1',
          toKeyId: 'k2',
          actor: 'admin-1',
          reason: index === 3 ? ('migration' as const) : ('rotation' as const),
        }));
        await storage.appendKeyRotationAudit(rows);
        await storage.appendKeyRotationAudit(rows);
        expect(await storage.listKeyRotationAudit({ ownerId: owner })).toEqual(rows);
        expect(await storage.listKeyRotationAudit({ ownerId: owner, limit: 2 })).toEqual(rows.slice(0, 2));
        expect(await storage.listKeyRotationAudit({ ownerId: unique('other') })).toEqual([]);
      });
    });

    describe('usage ledger', () => {
      it('appends idempotently: a duplicate id is ignored, never double-counted', async () => {
        const user = unique('user');
        const records = [1, 2, 3].map((index) => usageRecord({ id: unique('u'), userId: user, time: baseTime + index, costMicroUsd: 1_000 * index }));
        expect(await storage.appendUsage(records)).toBe(3);
        expect(await storage.appendUsage(records)).toBe(0);
        const extra = usageRecord({ id: unique('u'), userId: user, time: baseTime + 4, costMicroUsd: 7 });
        expect(await storage.appendUsage([records[0], extra, extra])).toBe(1);
        const summary = await storage.summarizeUsage({ userId: user, from: baseTime, to: baseTime + day, groupBy: [] });
        expect(summary.totals).toEqual({ requests: 4, inputTokens: 400, outputTokens: 200, cachedInputTokens: 40, reasoningTokens: 20, costMicroUsd: 6_007 });
        expect(summary.groups).toEqual([{ group: {}, ...summary.totals }]);
        expect(await storage.appendUsage([])).toBe(0);
      });

      it('appends batches larger than one statement exactly once, duplicates inside and across batches ignored', async () => {
        const user = unique('user');
        // 1,500 rows: more than one multi-row statement on MySQL (1,428 rows at 30,000 parameters), one
        // statement per row on in-process SQLite, one unnest statement on PostgreSQL.
        const records = Array.from({ length: 1_500 }, (_, index) =>
          usageRecord({ id: `${user}-${String(index).padStart(4, '0')}`, userId: user, time: baseTime + index, costMicroUsd: index + 1 }),
        );
        // Every 7th record twice in the same batch, once near the other copy and once far from it.
        const first = [...records.slice(0, 1_000), ...records.slice(0, 1_000).filter((_, index) => index % 7 === 0)];
        expect(await storage.appendUsage(first)).toBe(1_000);
        // Overlaps the first batch by 300 rows; the new rows are appended once.
        expect(await storage.appendUsage(records.slice(700))).toBe(500);
        expect(await storage.appendUsage(records)).toBe(0);
        const summary = await storage.summarizeUsage({ userId: user, from: baseTime, to: baseTime + day, groupBy: [] });
        expect(summary.totals.requests).toBe(1_500);
        expect(summary.totals.costMicroUsd).toBe((1_500 * 1_501) / 2);
        expect(await storage.queryUsage({ userId: user, limit: 2_000 })).toEqual(records);
      });

      it('round-trips every field, including absent optional ones', async () => {
        const user = unique('user');
        const full = usageRecord({
          id: unique('u'),
          userId: user,
          keySource: 'byok',
          timeToFirstTokenMs: 87,
          status: 'error',
          errorClass: 'ProviderRateLimitError',
          cached: true,
          attemptNumber: 2,
          requestId: 'req-1',
          estimated: true,
          costMicroUsd: 0,
        });
        const minimal: UsageRecord = usageRecord({ id: unique('u'), time: baseTime + 1, userId: user, keySource: 'local' });
        delete minimal.feature;
        await storage.appendUsage([full, minimal]);
        expect(await storage.queryUsage({ userId: user })).toEqual([full, minimal]);
        const anonymous = usageRecord({ id: unique('u'), time: baseTime + 2 });
        delete anonymous.userId;
        await storage.appendUsage([anonymous]);
        expect((await storage.queryUsage({ from: baseTime + 2, to: baseTime + 3 })).find((row) => row.id === anonymous.id)).toEqual(anonymous);
      });

      it('queries by user, time range, limit and cursor; recent is newest first', async () => {
        const user = unique('user');
        const other = unique('other');
        const records = Array.from({ length: 10 }, (_, index) => usageRecord({ id: `${user}-${String(index).padStart(2, '0')}`, userId: user, time: baseTime + Math.floor(index / 2) }));
        await storage.appendUsage([...records, usageRecord({ id: unique('o'), userId: other, time: baseTime })]);
        expect((await storage.queryUsage({ userId: user })).map((row) => row.id)).toEqual(records.map((row) => row.id));
        expect((await storage.queryUsage({ userId: user, from: baseTime + 1, to: baseTime + 3 })).map((row) => row.id)).toEqual(records.slice(2, 6).map((row) => row.id));
        const firstPage = await storage.queryUsage({ userId: user, limit: 3 });
        expect(firstPage.map((row) => row.id)).toEqual(records.slice(0, 3).map((row) => row.id));
        const last = firstPage[2];
        const secondPage = await storage.queryUsage({ userId: user, limit: 3, after: { time: last.time, id: last.id } });
        expect(secondPage.map((row) => row.id)).toEqual(records.slice(3, 6).map((row) => row.id));
        expect((await storage.recentUsage({ userId: user, limit: 3 })).map((row) => row.id)).toEqual([records[9].id, records[8].id, records[7].id]);
        expect((await storage.queryUsage({ userId: other })).every((row) => row.userId === other)).toBe(true);
        await expectInvalid(storage.queryUsage({ userId: user, limit: 0 }), /limit/);
      });

      it('summarises by provider, model, feature, user and day in the backend', async () => {
        const user = unique('user');
        const start = Date.UTC(2026, 2, 1);
        const records = [
          usageRecord({ id: unique('s'), userId: user, time: start + 5, provider: 'openai', model: 'gpt-4o', feature: 'chat', costMicroUsd: 10 }),
          usageRecord({ id: unique('s'), userId: user, time: start + 6, provider: 'openai', model: 'gpt-4o', feature: 'chat', costMicroUsd: 20 }),
          usageRecord({ id: unique('s'), userId: user, time: start + day + 1, provider: 'openai', model: 'gpt-4o-mini', costMicroUsd: 30 }),
          usageRecord({ id: unique('s'), userId: user, time: start + day - 1, provider: 'anthropic', model: 'claude', feature: 'summarise', costMicroUsd: 40 }),
        ];
        delete records[2].feature;
        await storage.appendUsage(records);
        const byProviderModel = await storage.summarizeUsage({ userId: user, from: start, to: start + 2 * day, groupBy: ['provider', 'model'] });
        expect(byProviderModel.groups.map((group) => [group.group, group.requests, group.costMicroUsd])).toEqual([
          [{ provider: 'anthropic', model: 'claude' }, 1, 40],
          [{ provider: 'openai', model: 'gpt-4o' }, 2, 30],
          [{ provider: 'openai', model: 'gpt-4o-mini' }, 1, 30],
        ]);
        expect(byProviderModel.totals.costMicroUsd).toBe(100);
        const byFeatureDay = await storage.summarizeUsage({ userId: user, from: start, to: start + 2 * day, groupBy: ['feature', 'day'] });
        expect(byFeatureDay.groups.map((group) => [group.group, group.requests])).toEqual([
          [{ feature: null, day: '2026-03-02' }, 1],
          [{ feature: 'chat', day: '2026-03-01' }, 2],
          [{ feature: 'summarise', day: '2026-03-01' }, 1],
        ]);
        const byUser = await storage.summarizeUsage({ userId: user, from: start, to: start + day, groupBy: ['user'] });
        expect(byUser.groups).toEqual([{ group: { user }, requests: 3, inputTokens: 300, outputTokens: 150, cachedInputTokens: 30, reasoningTokens: 15, costMicroUsd: 70 }]);
        const empty = await storage.summarizeUsage({ userId: user, from: start - day, to: start, groupBy: ['provider'] });
        expect(empty).toEqual({ groups: [], totals: { requests: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, costMicroUsd: 0 } });
        await expectInvalid(storage.summarizeUsage({ userId: user, from: start, to: start + day, groupBy: ['colour' as UsageGroupKey] }), /groupBy/);
      });

      it('prunes records older than the cut-off', async () => {
        const user = unique('user');
        // Times near the epoch so no other test's rows fall before the cut-off.
        await storage.appendUsage([1_000, 2_000, 3_000].map((time) => usageRecord({ id: unique('p'), userId: user, time })));
        expect(await storage.pruneUsage(2_500)).toBe(2);
        expect((await storage.queryUsage({ userId: user })).map((row) => row.time)).toEqual([3_000]);
        expect(await storage.pruneUsage(2_500)).toBe(0);
      });

      it('rejects a bad record before writing any of the batch', async () => {
        const user = unique('user');
        const good = usageRecord({ id: unique('g'), userId: user });
        await expectInvalid(storage.appendUsage([good, usageRecord({ id: unique('b'), userId: user, inputTokens: -1 })]), /usage\[1\]\.inputTokens/);
        await expectInvalid(storage.appendUsage([usageRecord({ id: unique('b'), userId: user, costMicroUsd: 0.5 })]), /costMicroUsd/);
        await expectInvalid(storage.appendUsage([usageRecord({ id: unique('b'), userId: user, keySource: 'free' as 'byok' })]), /keySource/);
        expect(await storage.queryUsage({ userId: user })).toEqual([]);
      });
    });

    describe('model cache and fallback rules', () => {
      it('stores the model list per provider with fetchedAt, replacing the previous one', async () => {
        const provider = unique('provider');
        const models = [
          { id: `${provider}:m1`, provider, model: 'm1', capabilities: { tools: true, vision: false, json: true, embedding: false, reasoning: false }, local: false, contextWindow: 128_000 },
        ];
        expect(await storage.getModelCache(provider)).toBeUndefined();
        await storage.saveModelCache({ provider, models, fetchedAt: baseTime });
        expect(await storage.getModelCache(provider)).toEqual({ provider, models, fetchedAt: baseTime });
        await storage.saveModelCache({ provider, models: [], fetchedAt: baseTime + 1 });
        expect(await storage.getModelCache(provider)).toEqual({ provider, models: [], fetchedAt: baseTime + 1 });
      });

      it('keeps fallback rules per user', async () => {
        const alice = unique('alice');
        const bob = unique('bob');
        const rules = [{ id: 'r1', feature: 'chat', models: ['openai:gpt-4o-mini', 'ollama:llama3.2'] }, { id: 'r2', models: ['anthropic:claude-haiku-4-5'] }];
        await storage.saveFallbackRules(alice, rules, baseTime);
        expect(await storage.getFallbackRules(alice)).toEqual({ userId: alice, rules, updatedAt: baseTime });
        expect(await storage.getFallbackRules(bob)).toBeUndefined();
        await storage.saveFallbackRules(alice, [rules[1]], baseTime + 1);
        expect(await storage.getFallbackRules(alice)).toEqual({ userId: alice, rules: [rules[1]], updatedAt: baseTime + 1 });
      });
    });

    describe('usage alerts', () => {
      it('stores definitions per user and records each firing once', async () => {
        const alice = unique('alice');
        const bob = unique('bob');
        const alert: UsageAlertRecord = { id: unique('alert'), userId: alice, name: 'Daily spend', metric: 'cost', period: 'day', limit: 5_000_000, thresholdsPercent: [50, 80, 100], enabled: true, createdAt: baseTime };
        const disabled: UsageAlertRecord = { ...alert, id: unique('alert'), enabled: false, metric: 'requests', limit: 100 };
        await storage.saveUsageAlert(alert);
        await storage.saveUsageAlert(disabled);
        expect(await storage.listUsageAlerts(alice)).toEqual([alert, disabled].sort((left, right) => (left.id < right.id ? -1 : 1)));
        expect(await storage.listUsageAlerts(bob)).toEqual([]);
        const enabled = (await storage.listEnabledUsageAlerts()).map((row) => row.id);
        expect(enabled).toContain(alert.id);
        expect(enabled).not.toContain(disabled.id);
        await expectInvalid(storage.saveUsageAlert({ ...alert, userId: bob }), /another owner/);

        const firing = { key: `${alert.id}:${baseTime}:80`, alertId: alert.id, userId: alice, periodStart: baseTime, thresholdPercent: 80, value: 4_100_000, firedAt: baseTime + 100 };
        expect(await storage.recordUsageAlertFiring(firing)).toBe(true);
        expect(await storage.recordUsageAlertFiring({ ...firing, firedAt: baseTime + 200 })).toBe(false);
        const later = { ...firing, key: `${alert.id}:${baseTime}:100`, thresholdPercent: 100, firedAt: baseTime + 300 };
        expect(await storage.recordUsageAlertFiring(later)).toBe(true);
        expect(await storage.listUsageAlertFirings(alice)).toEqual([later, firing]);
        expect(await storage.listUsageAlertFirings(alice, { limit: 1 })).toEqual([later]);
        expect(await storage.listUsageAlertFirings(alice, { alertId: alert.id, before: baseTime + 300 })).toEqual([firing]);
        expect(await storage.listUsageAlertFirings(bob)).toEqual([]);

        expect(await storage.deleteUsageAlert(bob, alert.id)).toBe(false);
        expect(await storage.deleteUsageAlert(alice, alert.id)).toBe(true);
        expect((await storage.listUsageAlerts(alice)).map((row) => row.id)).toEqual([disabled.id]);
      });
    });

    describe('conversations', () => {
      it('creates, lists, updates and deletes per user', async () => {
        const alice = unique('alice');
        const bob = unique('bob');
        const first = { id: unique('c'), userId: alice, title: 'First', metadata: { pinned: true }, createdAt: baseTime, updatedAt: baseTime };
        const second = { id: unique('c'), userId: alice, createdAt: baseTime + 1, updatedAt: baseTime + 1 };
        await storage.createConversation(first);
        await storage.createConversation(second);
        await expectInvalid(storage.createConversation(first), /already exists/);
        expect(await storage.getConversation(alice, first.id)).toEqual({ ...first, messageCount: 0 });
        expect(await storage.getConversation(bob, first.id)).toBeUndefined();
        expect((await storage.listConversations(alice)).map((row) => row.id)).toEqual([second.id, first.id]);
        expect((await storage.listConversations(alice, { limit: 1 })).map((row) => row.id)).toEqual([second.id]);
        expect((await storage.listConversations(alice, { before: baseTime + 1 })).map((row) => row.id)).toEqual([first.id]);
        expect(await storage.listConversations(bob)).toEqual([]);

        expect(await storage.updateConversation(bob, first.id, { title: 'stolen' })).toBe(false);
        expect(await storage.updateConversation(alice, first.id, { title: 'Renamed' })).toBe(true);
        expect(await storage.getConversation(alice, first.id)).toMatchObject({ title: 'Renamed', metadata: { pinned: true } });

        await storage.appendMessages(alice, first.id, [message(unique('m'), 'user', 'hello')]);
        expect(await storage.deleteConversation(bob, first.id)).toBe(false);
        expect(await storage.deleteConversation(alice, first.id)).toBe(true);
        expect(await storage.getConversation(alice, first.id)).toBeUndefined();
        expect(await storage.listMessages(alice, first.id)).toEqual([]);
        expect(await storage.deleteConversation(alice, first.id)).toBe(false);
      });

      it('appends messages in order with sequences and reads them back oldest first', async () => {
        const alice = unique('alice');
        const conversation = { id: unique('c'), userId: alice, createdAt: baseTime, updatedAt: baseTime };
        await storage.createConversation(conversation);
        const system = message(unique('m'), 'system', 'You are terse.');
        const turns = [
          message(unique('m'), 'user', 'Hi', baseTime + 1),
          { ...message(unique('m'), 'assistant', 'Hello.', baseTime + 2), model: 'openai:gpt-4o-mini', tokens: 3, tokensEstimated: false },
          { id: unique('m'), message: { role: 'assistant' as const, content: [{ type: 'tool-call' as const, toolCallId: 'call_1', toolName: 'weather', arguments: { city: 'Zürich' } }] }, createdAt: baseTime + 3 },
          { id: unique('m'), message: { role: 'tool' as const, toolCallId: 'call_1', toolName: 'weather', content: '{"temp":21}' }, createdAt: baseTime + 4 },
        ];
        const appended = await storage.appendMessages(alice, conversation.id, [system, ...turns]);
        expect(appended.map((row) => row.sequence)).toEqual([1, 2, 3, 4, 5]);
        const stored = await storage.listMessages(alice, conversation.id);
        expect(stored).toEqual(appended);
        expect(stored[2]).toEqual({ ...turns[1], conversationId: conversation.id, sequence: 3 });
        expect((await storage.listMessages(alice, conversation.id, { limit: 2 })).map((row) => row.sequence)).toEqual([4, 5]);
        expect((await storage.listMessages(alice, conversation.id, { system: 'only' })).map((row) => row.id)).toEqual([system.id]);
        expect((await storage.listMessages(alice, conversation.id, { system: 'exclude', limit: 10 })).map((row) => row.sequence)).toEqual([2, 3, 4, 5]);
        expect(await storage.getConversation(alice, conversation.id)).toMatchObject({ messageCount: 5, updatedAt: baseTime + 4 });
        expect(await storage.listMessages(unique('bob'), conversation.id)).toEqual([]);
      });

      it('appends atomically: a failing batch stores nothing', async () => {
        const alice = unique('alice');
        const conversation = { id: unique('c'), userId: alice, createdAt: baseTime, updatedAt: baseTime };
        await storage.createConversation(conversation);
        const existing = message(unique('m'), 'user', 'first');
        await storage.appendMessages(alice, conversation.id, [existing]);
        // The second message reuses a stored id: the database rejects it after the first row was written.
        await expectInvalid(storage.appendMessages(alice, conversation.id, [message(unique('m'), 'user', 'new'), message(existing.id, 'assistant', 'dup')]));
        const duplicateWithin = unique('m');
        await expectInvalid(storage.appendMessages(alice, conversation.id, [message(duplicateWithin, 'user', 'a'), message(duplicateWithin, 'assistant', 'b')]));
        await expectInvalid(storage.appendMessages(alice, conversation.id, [message(unique('m'), 'user', 'ok'), { ...message(unique('m'), 'user', 'bad'), tokens: -1 }]), /tokens/);
        expect((await storage.listMessages(alice, conversation.id)).map((row) => row.id)).toEqual([existing.id]);
        expect(await storage.getConversation(alice, conversation.id)).toMatchObject({ messageCount: 1 });
        await expectInvalid(storage.appendMessages(unique('bob'), conversation.id, [message(unique('m'), 'user', 'intruder')]), /not found/);
      });

      it('gives concurrent appends distinct, gapless sequences', async () => {
        const alice = unique('alice');
        const conversation = { id: unique('c'), userId: alice, createdAt: baseTime, updatedAt: baseTime };
        await storage.createConversation(conversation);
        await Promise.all(Array.from({ length: 12 }, (_, index) => storage.appendMessages(alice, conversation.id, [message(unique('m'), 'user', `m${index}`), message(unique('m'), 'assistant', `r${index}`)])));
        const stored = await storage.listMessages(alice, conversation.id);
        expect(stored.map((row) => row.sequence)).toEqual(Array.from({ length: 24 }, (_, index) => index + 1));
        // Each append's pair stays adjacent.
        for (let index = 0; index < stored.length; index += 2) {
          expect(stored[index].message.content.toString().slice(1)).toBe(stored[index + 1].message.content.toString().slice(1));
        }
      });

      it('prunes conversations not updated since the cut-off, with their messages', async () => {
        const alice = unique('alice');
        const old = { id: unique('c'), userId: alice, createdAt: 1_000, updatedAt: 1_000 };
        const fresh = { id: unique('c'), userId: alice, createdAt: 1_000, updatedAt: 1_000 };
        await storage.createConversation(old);
        await storage.createConversation(fresh);
        await storage.appendMessages(alice, old.id, [message(unique('m'), 'user', 'old', 1_500)]);
        await storage.appendMessages(alice, fresh.id, [message(unique('m'), 'user', 'new', 5_000)]);
        expect(await storage.pruneConversations(2_000)).toBe(1);
        expect(await storage.getConversation(alice, old.id)).toBeUndefined();
        expect(await storage.listMessages(alice, old.id)).toEqual([]);
        expect((await storage.listMessages(alice, fresh.id)).length).toBe(1);
      });
    });

    describe('credit ledger', () => {
      it('keeps the balance equal to the sum of entries, ignoring duplicate ids', async () => {
        const account = unique('acct');
        const entries = [
          credit(unique('e'), account, 'grant', 5_000_000, baseTime),
          credit(unique('e'), account, 'purchase', 10_000_000, baseTime + 1),
          credit(unique('e'), account, 'reservation', -250_000, baseTime + 2),
          { ...credit(unique('e'), account, 'release', 250_000, baseTime + 3), reference: 'res-1' },
          { ...credit(unique('e'), account, 'debit', -123_457, baseTime + 4), reference: 'req-1', note: 'gpt-4o-mini' },
          credit(unique('e'), account, 'refund', 3, baseTime + 5),
        ];
        expect(await storage.appendCreditEntries(entries)).toBe(6);
        expect(await storage.appendCreditEntries(entries.slice(0, 3))).toBe(0);
        const sum = entries.reduce((total, entry) => total + entry.amountMicroUsd, 0);
        expect(await storage.creditBalance(account)).toBe(sum);
        expect(sum).toBe(14_876_546);
        expect(await storage.listCreditEntries(account)).toEqual([...entries].reverse());
        expect(await storage.listCreditEntries(account, { limit: 2, before: baseTime + 4 })).toEqual([entries[3], entries[2]]);
        expect(await storage.creditBalance(unique('empty'))).toBe(0);
        expect(await storage.listCreditEntries(unique('empty'))).toEqual([]);
        await expectInvalid(storage.appendCreditEntries([credit(unique('e'), account, 'debit', 5)]), /must not be positive/);
        await expectInvalid(storage.appendCreditEntries([credit(unique('e'), account, 'grant', -5)]), /must not be negative/);
      });

      it('applies a conditional debit only when covered, once per id', async () => {
        const account = unique('acct');
        await storage.appendCreditEntries([credit(unique('e'), account, 'grant', 1_000)]);
        const debit = credit(unique('e'), account, 'debit', -600);
        expect(await storage.appendCreditEntryIfCovered(debit)).toEqual({ status: 'applied', balanceMicroUsd: 400 });
        expect(await storage.appendCreditEntryIfCovered(debit)).toEqual({ status: 'duplicate', balanceMicroUsd: 400 });
        const tooMuch = credit(unique('e'), account, 'reservation', -401);
        expect(await storage.appendCreditEntryIfCovered(tooMuch)).toEqual({ status: 'insufficient', balanceMicroUsd: 400 });
        expect((await storage.listCreditEntries(account)).map((entry) => entry.id)).not.toContain(tooMuch.id);
        expect(await storage.appendCreditEntryIfCovered(credit(unique('e'), account, 'reservation', -400))).toEqual({ status: 'applied', balanceMicroUsd: 0 });
      });

      it('admits exactly as many concurrent debits as the balance covers', async () => {
        const account = unique('acct');
        await storage.appendCreditEntries([credit(unique('e'), account, 'grant', 7_000)]);
        const results = await Promise.all(Array.from({ length: 20 }, () => storage.appendCreditEntryIfCovered(credit(unique('e'), account, 'debit', -1_000))));
        expect(results.filter((result) => result.status === 'applied')).toHaveLength(7);
        expect(await storage.creditBalance(account)).toBe(0);
        const entries = await storage.listCreditEntries(account, { limit: 100 });
        expect(entries.reduce((total, entry) => total + entry.amountMicroUsd, 0)).toBe(0);
      });
    });

    describe('budgets', () => {
      it('saves, lists and deletes per owner', async () => {
        const alice = unique('alice');
        const budget: BudgetRecord = { id: unique('b'), ownerId: alice, scope: 'user', scopeId: alice, limitMicroUsd: 20_000_000, period: 'month', createdAt: baseTime, updatedAt: baseTime };
        const child: BudgetRecord = { ...budget, id: unique('b'), scope: 'key', scopeId: 'key-1', limitMicroUsd: 5_000_000, parentId: budget.id };
        await storage.saveBudget(budget);
        await storage.saveBudget(child);
        expect(await storage.getBudget(alice, budget.id)).toEqual(budget);
        expect((await storage.listBudgets(alice)).map((row) => row.id)).toEqual([budget.id, child.id].sort());
        await storage.saveBudget({ ...budget, limitMicroUsd: 30_000_000, updatedAt: baseTime + 1 });
        expect((await storage.getBudget(alice, budget.id))?.limitMicroUsd).toBe(30_000_000);
        const bob = unique('bob');
        expect(await storage.getBudget(bob, budget.id)).toBeUndefined();
        await expectInvalid(storage.saveBudget({ ...budget, ownerId: bob }), /another owner/);
        expect(await storage.deleteBudget(bob, budget.id)).toBe(false);
        expect(await storage.deleteBudget(alice, budget.id)).toBe(true);
        expect((await storage.listBudgets(alice)).map((row) => row.id)).toEqual([child.id]);
        await expectInvalid(storage.saveBudget({ ...budget, id: unique('b'), scope: 'galaxy' as 'app' }), /budget\.scope/);
      });
    });

    describe('hostile strings', () => {
      for (const [label, value] of Object.entries(hostileStrings)) {
        it(`round-trips free text and ${identifierSafe(label) ? 'identifiers' : 'rejects identifiers'}: ${label}`, async () => {
          const owner = unique('owner');
          const conversation = { id: unique('c'), userId: owner, title: value, metadata: { value }, createdAt: baseTime, updatedAt: baseTime };
          await storage.createConversation(conversation);
          const appended = await storage.appendMessages(owner, conversation.id, [message(unique('m'), 'user', value), message(unique('m'), 'system', value)]);
          expect(await storage.listMessages(owner, conversation.id)).toEqual(appended);
          expect(await storage.getConversation(owner, conversation.id)).toMatchObject({ title: value, metadata: { value } });

          const config = providerConfig({ id: unique('cfg'), userId: owner, label: value, keyHint: value, baseUrl: value, settings: { [value.slice(0, 64)]: value } });
          await storage.saveProviderConfig(config);
          expect(await storage.getProviderConfig(owner, config.id)).toEqual(config);

          const entry = { ...credit(unique('e'), owner, 'grant', 1), note: value };
          await storage.appendCreditEntries([entry]);
          expect(await storage.listCreditEntries(owner)).toEqual([entry]);

          const definition: ProviderDefinitionRecord = { id: unique('d'), ownerId: owner, name: value, standard: 'openai', baseUrl: value, createdAt: baseTime, updatedAt: baseTime };
          await storage.saveProviderDefinition(definition);
          expect(await storage.getProviderDefinition(owner, definition.id)).toEqual(definition);

          if (identifierSafe(label)) {
            const hostileUser = `${randomUUID().slice(0, 8)}:${value}`;
            const hostileId = `${randomUUID()}|${value}`;
            const record = usageRecord({ id: hostileId, userId: hostileUser, feature: value, provider: value, model: value, errorClass: value, requestId: value, priceTableVersion: value });
            expect(await storage.appendUsage([record])).toBe(1);
            expect(await storage.appendUsage([record])).toBe(0);
            expect(await storage.queryUsage({ userId: hostileUser })).toEqual([record]);
            const summary = await storage.summarizeUsage({ userId: hostileUser, from: baseTime, to: baseTime + 1, groupBy: ['provider', 'model', 'feature', 'user'] });
            expect(summary.groups.map((group) => group.group)).toEqual([{ provider: value, model: value, feature: value, user: hostileUser }]);

            const hostileConfig = providerConfig({ id: hostileId, userId: hostileUser, provider: value });
            await storage.saveProviderConfig(hostileConfig);
            expect(await storage.listProviderConfigs(hostileUser)).toEqual([hostileConfig]);
            expect(await storage.getProviderConfig(`${hostileUser}x`, hostileId)).toBeUndefined();
            const hostileConversation = { id: hostileId, userId: hostileUser, createdAt: baseTime, updatedAt: baseTime };
            await storage.createConversation(hostileConversation);
            expect((await storage.listConversations(hostileUser)).map((row) => row.id)).toEqual([hostileId]);
            expect(await storage.creditBalance(hostileUser)).toBe(0);
            await storage.appendCreditEntries([credit(hostileId, hostileUser, 'grant', 42)]);
            expect(await storage.creditBalance(hostileUser)).toBe(42);
          } else {
            await expectInvalid(storage.appendUsage([usageRecord({ id: unique('u'), userId: value })]), /usage\[0\]\.userId/);
            await expectInvalid(storage.appendUsage([usageRecord({ id: value })]), /usage\[0\]\.id/);
            await expectInvalid(storage.appendUsage([usageRecord({ id: unique('u'), model: value })]), /usage\[0\]\.model/);
            await expectInvalid(storage.saveProviderConfig(providerConfig({ id: unique('c'), userId: value })), /providerConfig\.userId/);
            await expectInvalid(storage.createConversation({ id: value, userId: owner, createdAt: baseTime, updatedAt: baseTime }), /conversation\.id/);
            await expectInvalid(storage.appendCreditEntries([credit(unique('e'), value, 'grant', 1)]), /accountId/);
          }
        });
      }
    });

    describe('aggregation over a large ledger', () => {
      const rowCount = options.ledgerRows ?? 100_000;
      it(`summarises ${rowCount.toLocaleString('en')} rows exactly, matching sums computed from the generated rows`, async () => {
        const { records, start, users } = largeLedger(rowCount);
        const batch = 5_000;
        let appended = 0;
        for (let index = 0; index < records.length; index += batch) appended += await storage.appendUsage(records.slice(index, index + batch));
        expect(appended).toBe(rowCount);
        expect(await storage.appendUsage(records.slice(0, batch))).toBe(0);

        const everything = await storage.summarizeUsage({ from: start, to: start + 30 * day, groupBy: ['provider', 'model', 'feature', 'day'] });
        expect(sortGroups(everything.groups)).toEqual(expectedGroups(rowCount, ['provider', 'model', 'feature', 'day'], () => true));
        const totalCost = records.reduce((total, record) => total + record.costMicroUsd, 0);
        expect(everything.totals.costMicroUsd).toBe(totalCost);
        expect(everything.totals.requests).toBe(rowCount);

        const byUser = await storage.summarizeUsage({ from: start, to: start + 30 * day, groupBy: ['user'] });
        expect(sortGroups(byUser.groups)).toEqual(expectedGroups(rowCount, ['user'], () => true));

        const user = users[3];
        const window = { from: start + 5 * day, to: start + 12 * day + 17 };
        const inWindow = (record: UsageRecord) => record.userId === user && record.time >= window.from && record.time < window.to;
        const oneUser = await storage.summarizeUsage({ userId: user, ...window, groupBy: ['day', 'provider'] });
        expect(sortGroups(oneUser.groups)).toEqual(expectedGroups(rowCount, ['day', 'provider'], inWindow));
        expect(oneUser.totals.costMicroUsd).toBe(records.filter(inWindow).reduce((total, record) => total + record.costMicroUsd, 0));

        const recent = await storage.recentUsage({ userId: user, limit: 5 });
        const newest = records.filter((record) => record.userId === user).sort((left, right) => right.time - left.time || (left.id < right.id ? 1 : -1)).slice(0, 5);
        expect(recent.map((record) => record.id)).toEqual(newest.map((record) => record.id));
      }, 120_000);
    });
  });
}
