import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../../src/routing/circuit-breaker';
import { createHealthTracker } from '../../src/routing/health-tracker';
import { createOutcomeWindow } from '../../src/routing/outcome-window';
import { testCandidate } from './support/test-adapter';
import { createTestClock } from './support/test-clock';

describe('outcome window', () => {
  it('counts requests and failures inside the window and lets them go after it', () => {
    const window = createOutcomeWindow(60_000);
    const start = 1_700_000_000_000;
    window.record(start, false);
    window.record(start + 1_000, true);
    window.record(start + 30_000, true);
    expect(window.counts(start + 30_000)).toEqual({ requests: 3, failures: 2 });
    // A slice is a twentieth of the window: the first two outcomes are gone a window later, the third stays.
    expect(window.counts(start + 61_000)).toEqual({ requests: 1, failures: 1 });
    expect(window.counts(start + 91_000)).toEqual({ requests: 0, failures: 0 });
  });

  it('reuses a slice for a later time without carrying old counts into it', () => {
    const window = createOutcomeWindow(20_000);
    window.record(0, true);
    window.record(0, true);
    // 20 s later lands on the same slice position; the old counts must not add to it.
    window.record(20_000, false);
    expect(window.counts(20_000)).toEqual({ requests: 1, failures: 0 });
  });

  it('ignores outcomes recorded for a time later than the one asked about, and forgets all on clear', () => {
    const window = createOutcomeWindow(10_000);
    window.record(5_000, true);
    window.record(12_000, false);
    expect(window.counts(6_000)).toEqual({ requests: 1, failures: 1 });
    window.clear();
    expect(window.counts(12_000)).toEqual({ requests: 0, failures: 0 });
  });

  it('holds thousands of outcomes in constant space with exact counts', () => {
    const window = createOutcomeWindow(60_000);
    for (let index = 0; index < 10_000; index++) window.record(index, index % 4 === 0);
    expect(window.counts(10_000)).toEqual({ requests: 10_000, failures: 2_500 });
  });
});

describe('circuits and health are per identity, not per candidate object', () => {
  it('two candidate objects for the same provider, model and key share one circuit', () => {
    const clock = createTestClock();
    const breaker = createCircuitBreaker({ clock, failureThreshold: 2 });
    breaker.recordFailure(testCandidate('openai', 'gpt-4o-mini', { keyId: 'k1' }));
    breaker.recordFailure(testCandidate('openai', 'gpt-4o-mini', { keyId: 'k1' }));
    expect(breaker.acquire(testCandidate('openai', 'gpt-4o-mini', { keyId: 'k1' }))).toMatchObject({ allowed: false, state: 'open' });
    expect(breaker.acquire(testCandidate('openai', 'gpt-4o-mini', { keyId: 'k2' })).allowed).toBe(true);
  });

  it('reset forgets circuits also for candidate objects seen before it', () => {
    const clock = createTestClock();
    const breaker = createCircuitBreaker({ clock, failureThreshold: 1 });
    const candidate = testCandidate('openai', 'gpt-4o-mini');
    breaker.recordFailure(candidate);
    expect(breaker.peek(candidate).allowed).toBe(false);
    breaker.reset();
    expect(breaker.peek(candidate).allowed).toBe(true);
    expect(breaker.snapshot(candidate)).toMatchObject({ state: 'closed', requestsInWindow: 0 });
  });

  it('health recorded through one candidate object is read through another with the same identity', () => {
    const clock = createTestClock();
    const health = createHealthTracker({ clock });
    health.recordFailure(testCandidate('groq', 'llama', {}), Object.assign(new Error('boom'), { name: 'ServerError' }) as never, 5);
    health.recordSuccess(testCandidate('groq', 'llama', {}), 10);
    expect(health.summary(testCandidate('groq', 'llama', {}))).toMatchObject({ availability: 0.5, errorRate: 0.5 });
  });
});
