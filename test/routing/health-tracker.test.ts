import { describe, expect, it } from 'vitest';
import { ServerError } from '../../src/errors/server-error';
import { createCircuitBreaker } from '../../src/routing/circuit-breaker';
import { createHealthTracker } from '../../src/routing/health-tracker';
import { testCandidate } from './support/test-adapter';
import { createTestClock } from './support/test-clock';

const mini = testCandidate('openai', 'gpt-4o-mini');
const large = testCandidate('openai', 'gpt-4o');
const claude = testCandidate('anthropic', 'claude-haiku-4-5');

describe('health tracker', () => {
  it('reports availability, error rate, p50/p95, EWMA, last error and circuit per provider', () => {
    const clock = createTestClock();
    const breaker = createCircuitBreaker({ clock, failureThreshold: 2 });
    const health = createHealthTracker({ clock, breaker, latencyAlpha: 0.5 });
    for (const latency of [100, 200, 300, 400, 1_000]) health.recordSuccess(mini, latency);
    health.recordSuccess(large, 500);
    const error = new ServerError('openai: boom', { status: 500, provider: 'openai' });
    health.recordFailure(large, error, 50);
    breaker.recordFailure(claude);
    breaker.recordFailure(claude);
    health.recordFailure(claude, error, 10);

    const candidate = health.candidate(mini);
    expect(candidate).toMatchObject({ requests: 5, failures: 0, availability: 1, latencyP50Ms: 300, latencyP95Ms: 1_000, circuit: 'closed' });
    // EWMA with alpha 0.5 over 100, 200, 300, 400, 1000: 150, 225, 312.5, 656.25.
    expect(candidate.latencyEwmaMs).toBe(656);
    const report = Object.fromEntries(health.report().map((item) => [item.provider, item]));
    expect(report.openai).toMatchObject({ availability: 6 / 7, errorRate: 1 / 7, latencyP50Ms: 300, latencyP95Ms: 1_000, circuit: 'closed', lastError: { errorClass: 'ServerError', status: 500, at: clock.now() } });
    expect(report.openai!.candidates).toHaveLength(2);
    expect(report.anthropic).toMatchObject({ availability: 0, circuit: 'open' });
  });

  it('forgets outcomes older than the window', () => {
    const clock = createTestClock();
    const health = createHealthTracker({ clock, windowMs: 60_000 });
    health.recordFailure(mini, new ServerError('x'), 1);
    clock.advance(61_000);
    health.recordSuccess(mini, 5);
    expect(health.candidate(mini)).toMatchObject({ requests: 1, failures: 0, availability: 1 });
  });

  it('on-demand probes run from refresh() when the last round is stale and feed health and circuits', async () => {
    const clock = createTestClock();
    const breaker = createCircuitBreaker({ clock, failureThreshold: 1 });
    const health = createHealthTracker({ clock, breaker });
    const probed: string[] = [];
    health.startProbes({
      mode: 'on-demand',
      intervalMs: 60_000,
      targets: () => [mini, claude],
      probe: async (candidate) => {
        probed.push(candidate.provider);
        if (candidate.provider === 'anthropic') throw new ServerError('anthropic: down', { status: 503 });
      },
    });
    await health.refresh();
    await health.refresh();
    expect(probed).toEqual(['openai', 'anthropic']);
    expect(breaker.peek(claude).allowed).toBe(false);
    expect(health.candidate(claude).lastError?.errorClass).toBe('ServerError');
    clock.advance(60_000);
    await health.refresh();
    expect(probed).toHaveLength(4);
  });

  it('timer probes use an unref-ed interval in Node and stop cleanly', async () => {
    const health = createHealthTracker();
    let rounds = 0;
    const stop = health.startProbes({ mode: 'auto', intervalMs: 20, targets: () => [mini], probe: async () => void rounds++ });
    await new Promise((resolve) => setTimeout(resolve, 90));
    stop();
    const seen = rounds;
    expect(seen).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(rounds).toBe(seen);
    expect(health.candidate(mini).requests).toBe(seen);
  });
});
