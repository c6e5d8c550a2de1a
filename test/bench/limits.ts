import { Redis } from 'ioredis';
import type { StateStore } from '../../src/spec/state-store';
import { createMemoryState } from '../../src/state/memory/index';
import { createRedisState } from '../../src/state/redis/index';
import { interleaved, measured, median, notMeasured, type BenchContext, type BenchResult } from './harness';

const users = 1000;
const hour = 3_600_000;
const day = 86_400_000;

/**
 * Admissions/s of `count` limit checks spread over 1,000 users, each consuming one request from an hourly
 * and a daily window at once (the shape of a tier's requestsPerHour + requestsPerDay), `concurrency` at a time.
 */
async function admissionsPerSecond(store: StateStore, prefix: string, count: number, concurrency: number, tag: string): Promise<number> {
  let next = 0;
  let refused = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        const user = index % users;
        const result = await store.consumeWindows({
          entryId: `${tag}-${index}`,
          windows: [
            { key: `${prefix}user:${user}:requests:${hour}`, limit: 1_000_000, windowMs: hour, cost: 1 },
            { key: `${prefix}user:${user}:requests:${day}`, limit: 1_000_000, windowMs: day, cost: 1 },
          ],
        });
        if (!result.allowed) refused++;
      }
    }),
  );
  if (refused > 0) throw new Error(`${refused} admissions were refused; the bench limits are meant to admit all`);
  return count / ((performance.now() - startedAt) / 1000);
}

async function measureStore(name: string, store: StateStore, prefix: string, count: number, rounds: number): Promise<BenchResult[]> {
  let round = 0;
  const variants = {
    sequential: () => admissionsPerSecond(store, prefix, count, 1, `seq-${round++}`),
    concurrent: () => admissionsPerSecond(store, prefix, count, 64, `par-${round++}`),
  };
  await variants.sequential();
  const perRound = await interleaved(rounds, variants);
  const note = `consumeWindows with an hourly and a daily window over ${users} users, ${count} per round, ${rounds} rounds`;
  return [
    measured({ name: `limit admissions/s, ${name} state store, concurrency 1`, value: median(perRound.sequential), unit: 'admissions/s', target: 'report', note }),
    measured({ name: `limit admissions/s, ${name} state store, concurrency 64`, value: median(perRound.concurrent), unit: 'admissions/s', target: 'report', note }),
  ];
}

/** Limit admissions/s on the memory and Redis state stores. */
export async function runLimits(context: BenchContext): Promise<BenchResult[]> {
  const rounds = context.quick ? 2 : 3;
  const results = await measureStore('memory', createMemoryState(), 'bench:', context.quick ? 20_000 : 50_000, rounds);
  const redisUrl = process.env.SWITCHYARD_REDIS_URL;
  if (!redisUrl) {
    results.push(notMeasured('limit admissions/s, Redis state store', 'admissions/s', 'report', 'SWITCHYARD_REDIS_URL is not set'));
    return results;
  }
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const prefix = `switchyard-bench-${process.pid}:`;
  try {
    await client.connect();
    results.push(...(await measureStore('Redis', createRedisState({ client, prefix }), '', context.quick ? 2_000 : 5_000, rounds)));
  } finally {
    // Remove every key this run wrote.
    let cursor = '0';
    do {
      const [nextCursor, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = nextCursor;
    } while (cursor !== '0');
    client.disconnect();
  }
  return results;
}
