import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAI } from '../../src/providers/openai';
import { executeWithFallback } from '../../src/routing/fallback-executor';
import { streamWithFallback, type RoutedStreamPart } from '../../src/routing/stream-fallback';
import type { Message } from '../../src/spec/message';
import { startReplayServer, type ReplayServer } from '../support/provider-fixtures';
import { completionBody, streamEvents, testCandidate } from './support/test-adapter';
import { createTestClock } from './support/test-clock';

// The same routing paths as the other suites, through the real OpenAI adapter instead of the test one.
const servers: ReplayServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const messages: Message[] = [{ role: 'user', content: 'hi' }];

async function providers() {
  const primary = await startReplayServer();
  const backup = await startReplayServer();
  servers.push(primary, backup);
  const adapters = {
    primary: createOpenAI({ id: 'primary', apiKey: 'sk-test-primary-000000', baseUrl: `${primary.url}/v1` }),
    backup: createOpenAI({ id: 'backup', apiKey: 'sk-test-backup-0000000', baseUrl: `${backup.url}/v1` }),
  };
  return { primary, backup, adapters, candidates: [testCandidate('primary', 'gpt-4o-mini'), testCandidate('backup', 'gpt-4o-mini')] };
}

describe('routing through the real OpenAI adapter', () => {
  it('chat: waits the retry-after-ms of a 429 exactly, then a 500 falls back', async () => {
    const { primary, backup, adapters, candidates } = await providers();
    primary.enqueue({ status: 429, headers: { 'retry-after-ms': '700' }, body: JSON.stringify({ error: { message: 'Rate limit', type: 'requests' } }) }, { status: 500, body: JSON.stringify({ error: { message: 'boom', type: 'server_error' } }) });
    backup.enqueue({ body: completionBody('from backup') });
    const clock = createTestClock();
    const adapterOf = (id: string) => (id === 'primary' ? adapters.primary : adapters.backup);
    const result = await executeWithFallback({
      candidates,
      clock,
      retry: { maxRetries: 1, jitter: 'none' },
      attempt: (candidate, context) => adapterOf(candidate.provider).chat({ model: candidate.model, messages }, { fetch: globalThis.fetch, signal: context.signal }),
    });
    expect(result.value.text).toBe('from backup');
    expect(clock.sleeps).toEqual([700]);
    expect(primary.requests).toHaveLength(2);
    expect(backup.requests).toHaveLength(1);
    expect(result.attempts.map((attempt) => [attempt.provider, attempt.status, attempt.errorClass, attempt.retries])).toEqual([
      ['primary', 'error', 'ServerError', 1],
      ['backup', 'success', undefined, 0],
    ]);
  });

  it("stream: a cut after content continues on the backup under 'continue'", async () => {
    const { primary, backup, adapters, candidates } = await providers();
    primary.enqueue({ body: streamEvents(['Hello ', 'wor', 'ld']), destroyAfterPieces: 2 });
    backup.enqueue({ body: streamEvents(['ld']) });
    const adapterOf = (id: string) => (id === 'primary' ? adapters.primary : adapters.backup);
    const routed = streamWithFallback({
      candidates,
      messages,
      clock: createTestClock(),
      streamFallback: 'continue',
      open: (candidate, context) => adapterOf(candidate.provider).stream({ model: candidate.model, messages: context.messagesOverride ?? messages }, { fetch: globalThis.fetch, signal: context.signal }),
    });
    const parts: RoutedStreamPart[] = [];
    for await (const part of routed) parts.push(part);
    expect(parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('')).toBe('Hello world');
    expect(parts.find((part) => part.type === 'splice')).toMatchObject({ from: 'primary:gpt-4o-mini', to: 'backup:gpt-4o-mini', textOffset: 9 });
    expect(parts.at(-1)?.type).toBe('finish');
    expect(backup.requests[0]!.body.messages.at(-1)).toEqual({ role: 'assistant', content: 'Hello wor' });
    expect((await routed.outcome).attempts.map((attempt) => attempt.status)).toEqual(['error', 'success']);
  });
});
