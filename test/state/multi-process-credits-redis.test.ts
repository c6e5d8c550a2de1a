import { Redis } from 'ioredis';
import { describe, it } from 'vitest';
import { createRedisState } from '../../src/state/redis';
import { runId, spendFromFourProcesses } from './fixtures/spend-from-four-processes';

const redisUrl = process.env.SWITCHYARD_REDIS_URL;

describe.skipIf(!redisUrl)('four processes sharing Redis', () => {
  it('perform exactly N calls on credit for N, and the ledger sum equals the balance change', async () => {
    const client = new Redis(redisUrl!);
    const prefix = `switchyard-test:${runId()}:`;
    try {
      await spendFromFourProcesses(createRedisState({ client, prefix }), 'redis', redisUrl!, prefix);
    } finally {
      await client.quit();
    }
  });
});
