import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLLMManager, type UsageAlertFiringRecord } from 'llm-switchyard';
import { createMockProvider } from 'llm-switchyard/testing';

const messages = [{ role: 'user' as const, content: 'Hello' }];

describe('usage alerts through the manager', () => {
  it('fires each threshold once per period, after the ledger is written', async () => {
    const fired: UsageAlertFiringRecord[] = [];
    const paid = createMockProvider({ id: 'paid', local: false, apiKey: 'sk-test-alerts-000000', replies: () => ({ text: 'ok', usage: { inputTokens: 1_000_000, outputTokens: 0 } }) });
    const llm = createLLMManager({
      providers: [paid],
      pricing: { overrides: { 'paid:*': { inputPerMillion: 1, outputPerMillion: 1 } } },
      alerts: { onAlert: (firing) => void fired.push(firing), intervalMs: 60_000 },
    });
    // Limit $4: every call costs exactly $1.
    await llm.storage.saveUsageAlert({ id: 'a1', userId: 'u1', metric: 'cost', period: 'day', limit: 4_000_000, thresholdsPercent: [50, 100], enabled: true, createdAt: Date.now() });
    await llm.chat({ messages, userId: 'u1' });
    await llm.chat({ messages, userId: 'u1' });
    await llm.close();
    expect(fired.map((firing) => firing.thresholdPercent)).toEqual([50]);

    const again = createLLMManager({
      providers: [paid], storage: llm.storage,
      pricing: { overrides: { 'paid:*': { inputPerMillion: 1, outputPerMillion: 1 } } },
      alerts: { onAlert: (firing) => void fired.push(firing), intervalMs: 60_000 },
    });
    await again.chat({ messages, userId: 'u1' });
    await again.chat({ messages, userId: 'u1' });
    await again.chat({ messages, userId: 'u1' });
    await again.close();
    // 50 % had already fired this period (stored): only 100 % is new.
    expect(fired.map((firing) => firing.thresholdPercent)).toEqual([50, 100]);
    expect(await llm.storage.listUsageAlertFirings('u1')).toHaveLength(2);
  });
});

describe('discoverLocal({ register: true })', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/api/tags') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ models: [{ name: 'qwen3:0.6b', model: 'qwen3:0.6b' }] }));
        return;
      }
      if (request.url === '/api/chat') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          model: 'qwen3:0.6b', created_at: new Date().toISOString(), message: { role: 'assistant', content: 'local hello' }, done: true, done_reason: 'stop', prompt_eval_count: 3, eval_count: 2,
        }));
        return;
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('registers the servers it found as providers the manager can route to', async () => {
    const closed = 9; // nothing listens on the discard port
    const llm = createLLMManager({ providers: [createMockProvider()] });
    const found = await llm.discoverLocal({ register: true, ports: { ollama: port, lmstudio: closed, localai: closed, vllm: closed }, timeoutMs: 500 });
    expect(found.servers.map((entry) => entry.kind)).toEqual(['ollama']);
    const result = await llm.chat({ model: 'ollama', messages });
    expect(result).toMatchObject({ provider: 'ollama', model: 'qwen3:0.6b', text: 'local hello', keySource: 'local' });
    await llm.close();
  });
});

describe('health probes through the manager', () => {
  it('probes each provider on demand and reports the results in llm.health()', async () => {
    const healthy = createMockProvider({ id: 'healthy' });
    const broken = createMockProvider({ id: 'broken' });
    const brokenWithFailingList = { ...broken, listModels: async () => { throw new (await import('llm-switchyard')).ServerError('probe refused', { provider: 'broken', status: 500 }); } };
    const llm = createLLMManager({ providers: [healthy, brokenWithFailingList], health: { probeIntervalMs: 60_000, probeMode: 'on-demand' } });
    const report = await llm.health();
    const byProvider = new Map(report.map((entry) => [entry.provider, entry]));
    expect(byProvider.get('healthy')).toMatchObject({ availability: 1 });
    expect(byProvider.get('broken')?.availability).toBe(0);
    expect(byProvider.get('broken')?.lastError).toMatchObject({ errorClass: 'ServerError' });
    await llm.close();
  });
});
