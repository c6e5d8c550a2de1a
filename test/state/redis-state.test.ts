import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error';
import { createRedisState } from '../../src/state/redis';
import { describeStateStoreConformance } from './state-store-conformance';

const redisUrl = process.env.SWITCHYARD_REDIS_URL;
const runPrefix = () => `switchyard-test:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;

describeStateStoreConformance('redis (ioredis)', {
  skip: !redisUrl,
  create: async () => {
    const client = new Redis(redisUrl!);
    return { store: createRedisState({ client, prefix: runPrefix() }), close: async () => void (await client.quit()) };
  },
});

describeStateStoreConformance('redis (node-redis)', {
  skip: !redisUrl,
  create: async () => {
    const client = createClient({ url: redisUrl });
    await client.connect();
    return { store: createRedisState({ client, prefix: runPrefix() }), close: async () => void (await client.quit()) };
  },
});

describe.skipIf(!redisUrl)('redis state store specifics', () => {
  it('recovers when the server forgot its scripts (NOSCRIPT falls back to EVAL)', async () => {
    const client = new Redis(redisUrl!);
    try {
      const store = createRedisState({ client, prefix: runPrefix() });
      const window = { key: 'flush', limit: 2, windowMs: 60_000, cost: 1 };
      expect((await store.consumeWindows({ windows: [window], entryId: 'a' })).allowed).toBe(true);
      await client.script('FLUSH');
      expect((await store.consumeWindows({ windows: [window], entryId: 'b' })).allowed).toBe(true);
      expect((await store.consumeWindows({ windows: [window], entryId: 'c' })).allowed).toBe(false);
    } finally {
      await client.quit();
    }
  });

  it('shares one window between an ioredis and a node-redis client', async () => {
    const prefix = runPrefix();
    const io = new Redis(redisUrl!);
    const node = createClient({ url: redisUrl });
    await node.connect();
    try {
      const first = createRedisState({ client: io, prefix });
      const second = createRedisState({ client: node, prefix });
      const window = { key: 'shared', limit: 1, windowMs: 60_000, cost: 1 };
      expect((await first.consumeWindows({ windows: [window], entryId: 'one' })).allowed).toBe(true);
      expect((await second.consumeWindows({ windows: [window], entryId: 'two' })).allowed).toBe(false);
    } finally {
      await io.quit();
      await node.quit();
    }
  });
});

describe('redis client detection', () => {
  it('rejects something that is not a Redis client with a ConfigurationError', () => {
    expect(() => createRedisState({ client: {} as never })).toThrow(ConfigurationError);
    expect(() => createRedisState({ client: undefined as never })).toThrow(/ioredis or node-redis/);
  });
});
