import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, createLLMManager } from 'llm-switchyard';
import { createOpenAI } from 'llm-switchyard/providers';
import { readFixture, startReplayServer, type ReplayServer } from '../support/provider-fixtures';

const masterKey = 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a';
const userKey = 'sk-user-1234567890abcdefghijklmnopqrstuv';
const managedKey = 'sk-host-abcdefghijklmnopqrstuvwxyz0123';
const messages = [{ role: 'user' as const, content: 'Hello' }];

describe('bring-your-own-key through the manager', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer();
    server.enqueue({ body: readFixture('openai/openai-text.json') });
  });
  afterAll(async () => {
    await server.close();
  });

  function manager() {
    return createLLMManager({
      providers: [createOpenAI({ apiKey: managedKey, baseUrl: server.url })],
      vault: { masterKey },
      routing: { maxRetries: 0 },
      usage: { flushIntervalMs: 10 },
    });
  }

  it("sends the user's own key on the wire, records byok, and uses the host's key for others", async () => {
    const llm = manager();
    await llm.forUser('alice').keys.set({ provider: 'openai', apiKey: userKey });
    const before = server.requests.length;
    const mine = await llm.forUser('alice').chat({ model: 'openai:gpt-4.1-nano', messages });
    expect(server.requests[before]!.headers.authorization).toBe(`Bearer ${userKey}`);
    expect(mine.keySource).toBe('byok');
    const theirs = await llm.forUser('bob').chat({ model: 'openai:gpt-4.1-nano', messages });
    expect(server.requests[before + 1]!.headers.authorization).toBe(`Bearer ${managedKey}`);
    expect(theirs.keySource).toBe('managed');
    const summary = await llm.usage.summary({ from: 0, to: Date.now() + 1000, groupBy: ['user'] });
    expect(summary.groups.map((group) => group.group.user).sort()).toEqual(['alice', 'bob']);
    const recent = await llm.forUser('alice').usage.recent({ limit: 10 });
    expect(recent.map((record) => record.keySource)).toEqual(['byok']);
    await llm.close();
  });

  it('lists keys masked and never leaks them through results, listings or JSON', async () => {
    const llm = manager();
    await llm.keys.set({ userId: 'carol', provider: 'openai', apiKey: userKey });
    const listed = await llm.keys.list('carol');
    expect(listed).toEqual([expect.objectContaining({ provider: 'openai', keySource: 'byok' })]);
    expect(listed[0]!.keyHint).toMatch(/^sk-us\.\.\..{3}$/);
    const result = await llm.forUser('carol').chat({ model: 'openai:gpt-4.1-nano', messages });
    for (const value of [listed, result, llm, await llm.forUser('carol').keys.list()]) {
      const text = `${JSON.stringify(value)} ${inspect(value, { depth: 8 })}`;
      expect(text).not.toContain(userKey);
      expect(text).not.toContain(managedKey);
      expect(text).not.toContain(masterKey);
    }
    await llm.close();
  });

  it("applies the user's stored fallback rules after the requested model", async () => {
    const llm = manager();
    await llm.storage.saveFallbackRules('dave', [{ id: 'r1', models: ['openai:gpt-4o-mini'] }], Date.now());
    server.enqueue({ status: 500, body: '{"error":{"message":"boom","type":"server_error"}}' }, { body: readFixture('openai/openai-text.json') });
    const result = await llm.forUser('dave').chat({ model: 'openai:gpt-4.1-nano', messages });
    expect(result.attempts.map((attempt) => [attempt.model, attempt.status])).toEqual([['gpt-4.1-nano', 'error'], ['gpt-4o-mini', 'success']]);
    await llm.close();
  });

  it('refuses key operations without a vault, with a clear ConfigurationError', async () => {
    const llm = createLLMManager({ providers: [createOpenAI({ apiKey: managedKey, baseUrl: server.url })] });
    expect(() => llm.keys.list('x')).toThrow(ConfigurationError);
    expect(() => llm.keys.list('x')).toThrow(/vault option/);
    await llm.close();
  });

  it('rejects a malformed master key at start-up without echoing it', () => {
    let caught: unknown;
    try {
      createLLMManager({ providers: [createOpenAI({ apiKey: managedKey, baseUrl: server.url })], vault: { masterKey: 'not-a-real-key-zzzz' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect(String((caught as Error).message)).not.toContain('not-a-real-key-zzzz');
  });
});

describe('a wrong master key', () => {
  it('fails the first key operation with a VaultError naming the key id, not with garbled keys', async () => {
    const { createSqlStorage, fromBetterSqlite3 } = await import('llm-switchyard/storage/sql');
    const Database = (await import('better-sqlite3')).default;
    const { VaultError } = await import('llm-switchyard');
    const storage = createSqlStorage({ dialect: 'sqlite', client: fromBetterSqlite3(new Database(':memory:')) });
    const provider = createOpenAI({ apiKey: managedKey, baseUrl: 'http://127.0.0.1:9' });
    const first = createLLMManager({ providers: [provider], storage, vault: { masterKey } });
    await first.keys.set({ userId: 'erin', provider: 'openai', apiKey: userKey });
    const otherKey = 'b'.repeat(62) + '01';
    const second = createLLMManager({ providers: [provider], storage, vault: { masterKey: otherKey } });
    const error = await second.keys.list('erin').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(VaultError);
    expect(String((error as Error).message)).toMatch(/default/);
    expect(String((error as Error).message)).not.toContain(otherKey);
    expect(await first.keys.list('erin')).toHaveLength(1);
  });
});
